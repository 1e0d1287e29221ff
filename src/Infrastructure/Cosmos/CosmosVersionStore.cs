using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Microsoft.Azure.Cosmos;
using ModelsHub.Core.Catalog;
using ModelsHub.Core.Common;
using ModelsHub.Core.Versions;

namespace ModelsHub.Infrastructure.Cosmos;

/// <summary>
/// Versions in the <c>versions</c> container, partitioned by model. The id is the lowercase label,
/// so Cosmos itself refuses a second version with a label (409). Without transactional batches the
/// "never delete the last version" rule rests on a head document per model (<c>_head</c>) that
/// counts the versions: a delete first takes one off the count under the head's ETag (refused at
/// one), then deletes; a create adds the version, then counts it. A crash between the two steps
/// leaves the count low, which can only refuse a delete too early, never allow the last one.
/// </summary>
public sealed class CosmosVersionStore : IVersionStore
{
    private const string HeadId = "_head";
    private const int MaxHeadAttempts = 50;

    private readonly CosmosDatabase _database;
    private readonly Container _container;

    public CosmosVersionStore(CosmosDatabase database)
    {
        _database = database;
        _container = database.Container(HubContainers.Versions);
    }

    public async Task<ModelVersion?> FindAsync(string modelName, string label, CancellationToken cancellationToken)
    {
        var (model, id) = (HubModel.IdFor(modelName), ModelVersion.IdFor(label));
        if (!CosmosOutcomes.IsValidId(model) || !CosmosOutcomes.IsValidId(id))
        {
            return null;
        }
        await _database.EnsureCreatedAsync(cancellationToken);
        using var response = await _container.ReadItemStreamAsync(id, new PartitionKey(model), cancellationToken: cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
        if (!response.IsSuccessStatusCode)
        {
            throw CosmosOutcomes.Unexpected(response, "read version");
        }
        var row = (await JsonSerializer.DeserializeAsync<Row>(response.Content, HubJson.Options, cancellationToken))!;
        return Read(row with { ETag = response.Headers.ETag ?? row.ETag });
    }

    public async Task<IReadOnlyList<ModelVersion>> ListAsync(string modelName, CancellationToken cancellationToken)
    {
        await _database.EnsureCreatedAsync(cancellationToken);
        var query = new QueryDefinition("SELECT c.text, c._etag FROM c WHERE c.kind = 'version' ORDER BY c.createdUs, c.id");
        var versions = new List<ModelVersion>();
        string? token = null;
        do
        {
            var page = await CosmosPaging.ReadPageAsync<Row, ModelVersion>(_container, query, "versions", token, Paging.MaxPageSize, Read,
                new PartitionKey(HubModel.IdFor(modelName)), cancellationToken);
            versions.AddRange(page.Items);
            token = page.ContinuationToken;
        }
        while (token is not null);
        return versions;
    }

    public async Task<ModelVersion> CreateAsync(ModelVersion version, CancellationToken cancellationToken)
    {
        if (!CosmosOutcomes.IsValidId(version.ModelId) || !CosmosOutcomes.IsValidId(version.Id))
        {
            throw new ValidationException("label", "Cannot be stored as a document id.");
        }
        await _database.EnsureCreatedAsync(cancellationToken);
        using var content = Write(version);
        using var response = await _container.CreateItemStreamAsync(content, new PartitionKey(version.ModelId), NoContentBack, cancellationToken);
        if (response.StatusCode == HttpStatusCode.Conflict)
        {
            throw new ConflictException($"Model '{version.Model}' already has a version '{version.Label}' (labels are unique ignoring case).", "label");
        }
        var stored = Stored(version, response, "create version");
        await ChangeCountAsync(version.ModelId, +1, null, cancellationToken);
        return stored;
    }

    public async Task<ModelVersion> ReplaceAsync(ModelVersion version, string ifMatch, CancellationToken cancellationToken)
    {
        await _database.EnsureCreatedAsync(cancellationToken);
        var name = $"{version.Model}/{version.Label}";
        if (!CosmosOutcomes.IsPlausibleETag(ifMatch))
        {
            throw await FindAsync(version.Model, version.Label, cancellationToken) is null ? new NotFoundException("Version", name) : new PreconditionFailedException("Version", name);
        }
        using var content = Write(version);
        var options = new ItemRequestOptions { IfMatchEtag = CosmosOutcomes.ToCosmosETag(ifMatch), EnableContentResponseOnWrite = false };
        using var response = await _container.ReplaceItemStreamAsync(content, version.Id, new PartitionKey(version.ModelId), options, cancellationToken);
        return response.StatusCode switch
        {
            HttpStatusCode.NotFound => throw new NotFoundException("Version", name),
            HttpStatusCode.PreconditionFailed => throw new PreconditionFailedException("Version", name),
            _ => Stored(version, response, "replace version"),
        };
    }

    public async Task DeleteAsync(string modelName, string label, string? ifMatch, CancellationToken cancellationToken)
    {
        var current = await FindAsync(modelName, label, cancellationToken);
        if (current is null)
        {
            return;
        }
        var name = $"{modelName}/{label}";
        if (ifMatch is not null && !string.Equals(ifMatch, current.ETag, StringComparison.Ordinal))
        {
            throw new PreconditionFailedException("Version", name);
        }
        await ChangeCountAsync(current.ModelId, -1, VersionRules.LastVersionMessage(modelName, label), cancellationToken);
        var options = new ItemRequestOptions { IfMatchEtag = CosmosOutcomes.ToCosmosETag(ifMatch ?? current.ETag!) };
        using var response = await _container.DeleteItemStreamAsync(current.Id, new PartitionKey(current.ModelId), options, cancellationToken);
        if (response.IsSuccessStatusCode || response.StatusCode == HttpStatusCode.NotFound)
        {
            return;
        }
        // Not deleted after all: give the count back (a failure here leaves it low, the safe side).
        await ChangeCountAsync(current.ModelId, +1, null, cancellationToken);
        throw response.StatusCode == HttpStatusCode.PreconditionFailed ? new PreconditionFailedException("Version", name) : CosmosOutcomes.Unexpected(response, "delete version");
    }

    public async Task DeleteAllAsync(string modelName, CancellationToken cancellationToken)
    {
        await _database.EnsureCreatedAsync(cancellationToken);
        var model = HubModel.IdFor(modelName);
        var query = new QueryDefinition("SELECT c.id FROM c");
        string? token = null;
        do
        {
            var page = await CosmosPaging.ReadPageAsync<IdRow, string>(_container, query, "all", token, Paging.MaxPageSize, r => r.Id,
                new PartitionKey(model), cancellationToken);
            foreach (var id in page.Items.OrderBy(id => id == HeadId))
            {
                using var response = await _container.DeleteItemStreamAsync(id, new PartitionKey(model), cancellationToken: cancellationToken);
                if (!response.IsSuccessStatusCode && response.StatusCode != HttpStatusCode.NotFound)
                {
                    throw CosmosOutcomes.Unexpected(response, "delete version");
                }
            }
            token = page.ContinuationToken;
        }
        while (token is not null);
    }

    public async Task<IReadOnlyList<string>> ListModelIdsAsync(CancellationToken cancellationToken)
    {
        await _database.EnsureCreatedAsync(cancellationToken);
        var query = new QueryDefinition("SELECT DISTINCT VALUE c.modelId FROM c WHERE c.kind = 'version'");
        var ids = new SortedSet<string>(StringComparer.Ordinal);
        using var iterator = _container.GetItemQueryIterator<string>(query);
        while (iterator.HasMoreResults)
        {
            foreach (var id in await iterator.ReadNextAsync(cancellationToken))
            {
                ids.Add(id);
            }
        }
        return [.. ids];
    }

    /// <summary>Adds <paramref name="delta"/> to the model's version count under the head's ETag; refuses to go below one when <paramref name="lastMessage"/> is given.</summary>
    private async Task ChangeCountAsync(string modelId, int delta, string? lastMessage, CancellationToken cancellationToken)
    {
        var partition = new PartitionKey(modelId);
        for (var attempt = 0; attempt < MaxHeadAttempts; attempt++)
        {
            using var read = await _container.ReadItemStreamAsync(HeadId, partition, cancellationToken: cancellationToken);
            ResponseMessage write;
            if (read.StatusCode == HttpStatusCode.NotFound)
            {
                // No head yet (the first version, or a crash before it was written): count what is there.
                var count = (int)await CosmosPaging.SumAsync(_container,
                    new QueryDefinition("SELECT VALUE COUNT(1) FROM c WHERE c.modelId = @m AND c.kind = 'version'").WithParameter("@m", modelId), cancellationToken);
                if (delta > 0)
                {
                    count = Math.Max(count, 1) - 1;
                }
                if (lastMessage is not null && count + delta < 1)
                {
                    throw new ConflictException(lastMessage);
                }
                using var head = Head(modelId, count + delta);
                write = await _container.CreateItemStreamAsync(head, partition, NoContentBack, cancellationToken);
            }
            else if (read.IsSuccessStatusCode)
            {
                var current = (await JsonSerializer.DeserializeAsync<HeadRow>(read.Content, HubJson.Options, cancellationToken))!.Count;
                if (lastMessage is not null && current + delta < 1)
                {
                    throw new ConflictException(lastMessage);
                }
                using var head = Head(modelId, Math.Max(0, current + delta));
                write = await _container.ReplaceItemStreamAsync(head, HeadId, partition,
                    new ItemRequestOptions { IfMatchEtag = read.Headers.ETag, EnableContentResponseOnWrite = false }, cancellationToken);
            }
            else
            {
                throw CosmosOutcomes.Unexpected(read, "read version count");
            }
            using (write)
            {
                if (write.IsSuccessStatusCode)
                {
                    return;
                }
                if (write.StatusCode is not (HttpStatusCode.PreconditionFailed or HttpStatusCode.Conflict))
                {
                    throw CosmosOutcomes.Unexpected(write, "write version count");
                }
            }
            // Someone else changed the count since we read it: read it again.
        }
        throw new ServiceBusyException($"The version count of model '{modelId}' kept changing; try again.", TimeSpan.FromSeconds(1));
    }

    private static readonly ItemRequestOptions NoContentBack = new() { EnableContentResponseOnWrite = false };

    private sealed record Row(string Text, [property: JsonPropertyName("_etag")] string? ETag);

    private sealed record IdRow(string Id);

    private sealed record HeadRow(int Count);

    private static ModelVersion Read(Row row)
    {
        var version = JsonSerializer.Deserialize<ModelVersion>(row.Text, HubJson.Options)!;
        version.ETag = CosmosOutcomes.FromCosmosETag(row.ETag);
        return version;
    }

    /// <summary>The version as its JSON text (metrics keep their order and digits) with the fields queries use beside it.</summary>
    private static MemoryStream Write(ModelVersion version) => CosmosWorkflowStore.ToStream(new JsonObject
    {
        ["id"] = version.Id,
        ["modelId"] = version.ModelId,
        ["kind"] = "version",
        ["createdUs"] = (version.CreatedAt.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / TimeSpan.TicksPerMicrosecond,
        ["text"] = JsonSerializer.Serialize(version, HubJson.Options),
    });

    private static MemoryStream Head(string modelId, int count) => CosmosWorkflowStore.ToStream(new JsonObject
    {
        ["id"] = HeadId,
        ["modelId"] = modelId,
        ["kind"] = "head",
        ["count"] = count,
    });

    private static ModelVersion Stored(ModelVersion version, ResponseMessage response, string operation)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw CosmosOutcomes.Unexpected(response, operation);
        }
        var stored = version.Clone();
        stored.ETag = CosmosOutcomes.FromCosmosETag(response.Headers.ETag);
        return stored;
    }
}
