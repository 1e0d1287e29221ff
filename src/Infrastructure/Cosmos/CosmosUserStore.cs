using System.Net;
using System.Text.Json;
using Microsoft.Azure.Cosmos;
using ModelsHub.Core.Common;
using ModelsHub.Core.Identity;

namespace ModelsHub.Infrastructure.Cosmos;

/// <summary>User profiles in the <c>users</c> container, partitioned by id: the user center is point reads and writes.</summary>
public sealed class CosmosUserStore : IUserStore
{
    private const string ListFingerprint = "users";
    private static readonly ItemRequestOptions NoContentBack = new() { EnableContentResponseOnWrite = false };

    private readonly CosmosDatabase _database;
    private readonly Container _container;

    public CosmosUserStore(CosmosDatabase database)
    {
        _database = database;
        _container = database.Container(HubContainers.Users);
    }

    public async Task<HubUser?> FindAsync(string id, CancellationToken cancellationToken)
    {
        if (!CosmosOutcomes.IsValidId(id))
        {
            return null;
        }
        await _database.EnsureCreatedAsync(cancellationToken);
        using var response = await _container.ReadItemStreamAsync(id, new PartitionKey(id), cancellationToken: cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
        if (!response.IsSuccessStatusCode)
        {
            throw CosmosOutcomes.Unexpected(response, "read user");
        }
        var user = (await JsonSerializer.DeserializeAsync<HubUser>(response.Content, HubJson.Options, cancellationToken))!;
        user.ETag = CosmosOutcomes.FromCosmosETag(response.Headers.ETag);
        return user;
    }

    public async Task<HubUser> CreateAsync(HubUser user, CancellationToken cancellationToken)
    {
        if (!CosmosOutcomes.IsValidId(user.Id))
        {
            throw new ValidationException("id", "Cannot be stored as a document id.");
        }
        await _database.EnsureCreatedAsync(cancellationToken);
        using var content = Write(user);
        using var response = await _container.CreateItemStreamAsync(content, new PartitionKey(user.Id), NoContentBack, cancellationToken);
        if (response.StatusCode == HttpStatusCode.Conflict)
        {
            throw new ConflictException($"User '{user.Id}' already exists.");
        }
        return Stored(user, response, "create user");
    }

    public async Task<HubUser> ReplaceAsync(HubUser user, string ifMatch, CancellationToken cancellationToken)
    {
        if (!CosmosOutcomes.IsValidId(user.Id))
        {
            throw new NotFoundException("User", user.Id);
        }
        await _database.EnsureCreatedAsync(cancellationToken);
        if (!CosmosOutcomes.IsPlausibleETag(ifMatch))
        {
            throw await FindAsync(user.Id, cancellationToken) is null ? new NotFoundException("User", user.Id) : new PreconditionFailedException("User", user.Id);
        }
        using var content = Write(user);
        var options = new ItemRequestOptions { IfMatchEtag = CosmosOutcomes.ToCosmosETag(ifMatch), EnableContentResponseOnWrite = false };
        using var response = await _container.ReplaceItemStreamAsync(content, user.Id, new PartitionKey(user.Id), options, cancellationToken);
        return response.StatusCode switch
        {
            HttpStatusCode.NotFound => throw new NotFoundException("User", user.Id),
            HttpStatusCode.PreconditionFailed => throw new PreconditionFailedException("User", user.Id),
            _ => Stored(user, response, "replace user"),
        };
    }

    public async Task<Page<HubUser>> ListAsync(int pageSize, string? continuationToken, CancellationToken cancellationToken)
    {
        await _database.EnsureCreatedAsync(cancellationToken);
        return await CosmosPaging.ReadPageAsync<JsonElement, HubUser>(_container, new QueryDefinition("SELECT * FROM c ORDER BY c.id"),
            ListFingerprint, continuationToken, pageSize, Read, null, cancellationToken);
    }

    private static HubUser Read(JsonElement document)
    {
        var user = document.Deserialize<HubUser>(HubJson.Options)!;
        user.ETag = CosmosOutcomes.FromCosmosETag(document.GetProperty("_etag").GetString());
        return user;
    }

    private static MemoryStream Write(HubUser user)
    {
        var stream = new MemoryStream();
        JsonSerializer.Serialize(stream, user, HubJson.Options);
        stream.Position = 0;
        return stream;
    }

    private static HubUser Stored(HubUser user, ResponseMessage response, string operation)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw CosmosOutcomes.Unexpected(response, operation);
        }
        var stored = user.Clone();
        stored.ETag = CosmosOutcomes.FromCosmosETag(response.Headers.ETag);
        return stored;
    }
}
