using Microsoft.Azure.Cosmos;

namespace ModelsHub.IntegrationTests.AzureProfile;

/// <summary>The stand-in itself: what the suites rely on it to do as Cosmos DB does.</summary>
[Collection(AzureEmulatorsCollection.Name)]
public sealed class CosmosStandInTests(AzureEmulators emulators)
{
    [Fact]
    public async Task QueriesWorkInEveryNewDatabase()
    {
        // Resource ids are numbered; one database in 64 used to get a '/' in its id, which broke every
        // query in it. Seventy fresh databases always include one of those, whatever ran before.
        var client = emulators.Cosmos;
        var ids = new List<string>();
        try
        {
            for (var i = 0; i < 70; i++)
            {
                var database = (await client.CreateDatabaseAsync("rid-" + Guid.NewGuid().ToString("N")[..12])).Database;
                ids.Add(database.Id);
                var container = (await database.CreateContainerAsync("c", "/pk")).Container;
                Assert.DoesNotContain('/', container.Id);
                await container.CreateItemAsync(new { id = "one", pk = "p" }, new PartitionKey("p"));

                using var query = container.GetItemQueryIterator<dynamic>("SELECT c.id FROM c");
                var found = 0;
                while (query.HasMoreResults)
                {
                    found += (await query.ReadNextAsync()).Count;
                }
                Assert.True(found == 1, $"query in database {i} ({database.Id}) found {found} items");
            }
        }
        finally
        {
            foreach (var id in ids)
            {
                await client.GetDatabase(id).DeleteAsync();
            }
        }
    }
}
