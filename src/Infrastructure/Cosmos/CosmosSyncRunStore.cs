using System.Net;
using System.Text.Json;
using Microsoft.Azure.Cosmos;
using ModelsHub.Core.Common;
using ModelsHub.Core.Upstream;

namespace ModelsHub.Infrastructure.Cosmos;

/// <summary>
/// Upstream sync runs in the <c>syncRuns</c> container, partitioned by id: a run is created once
/// (409 when another trigger started the same run), advanced with ETag-conditioned replaces and
/// shown by id; the recent runs are a small cross-partition query on <c>sequence</c>.
/// </summary>
public sealed class CosmosSyncRunStore : ISyncRunStore
{
    private static readonly ItemRequestOptions NoContentBack = new() { EnableContentResponseOnWrite = false };

    private readonly CosmosDatabase _database;
    private readonly Container _container;

    public CosmosSyncRunStore(CosmosDatabase database)
    {
        _database = database;
        _container = database.Container(HubContainers.SyncRuns);
    }

    public async Task<SyncRun> CreateAsync(SyncRun run, CancellationToken cancellationToken)
    {
        if (!CosmosOutcomes.IsValidId(run.Id))
        {
            throw new ValidationException("id", "Cannot be stored as a document id.");
        }
        await _database.EnsureCreatedAsync(cancellationToken);
        using var content = Write(run);
        using var response = await _container.CreateItemStreamAsync(content, new PartitionKey(run.Id), NoContentBack, cancellationToken);
        if (response.StatusCode == HttpStatusCode.Conflict)
        {
            throw new ConflictException($"Sync run '{run.Id}' already exists.");
        }
        return Stored(run, response, "create sync run");
    }

    public async Task<SyncRun?> FindAsync(string id, CancellationToken cancellationToken)
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
            throw CosmosOutcomes.Unexpected(response, "read sync run");
        }
        var run = (await JsonSerializer.DeserializeAsync<SyncRun>(response.Content, HubJson.Options, cancellationToken))!;
        run.ETag = CosmosOutcomes.FromCosmosETag(response.Headers.ETag);
        return run;
    }

    public async Task<SyncRun> ReplaceAsync(SyncRun run, string ifMatch, CancellationToken cancellationToken)
    {
        await _database.EnsureCreatedAsync(cancellationToken);
        if (!CosmosOutcomes.IsValidId(run.Id) || !CosmosOutcomes.IsPlausibleETag(ifMatch))
        {
            throw await FindAsync(run.Id, cancellationToken) is null ? new NotFoundException("Sync run", run.Id) : new PreconditionFailedException("Sync run", run.Id);
        }
        using var content = Write(run);
        var options = new ItemRequestOptions { IfMatchEtag = CosmosOutcomes.ToCosmosETag(ifMatch), EnableContentResponseOnWrite = false };
        using var response = await _container.ReplaceItemStreamAsync(content, run.Id, new PartitionKey(run.Id), options, cancellationToken);
        return response.StatusCode switch
        {
            HttpStatusCode.NotFound => throw new NotFoundException("Sync run", run.Id),
            HttpStatusCode.PreconditionFailed => throw new PreconditionFailedException("Sync run", run.Id),
            _ => Stored(run, response, "replace sync run"),
        };
    }

    public async Task<IReadOnlyList<SyncRun>> ListRecentAsync(int maxItems, CancellationToken cancellationToken)
    {
        if (maxItems < 1)
        {
            return [];
        }
        await _database.EnsureCreatedAsync(cancellationToken);
        var page = await CosmosPaging.ReadPageAsync<JsonElement, SyncRun>(_container, new QueryDefinition("SELECT * FROM c ORDER BY c.sequence DESC"),
            "recent", null, Math.Min(maxItems, Paging.MaxPageSize), Read, null, cancellationToken);
        return page.Items;
    }

    private static SyncRun Read(JsonElement document)
    {
        var run = document.Deserialize<SyncRun>(HubJson.Options)!;
        run.ETag = CosmosOutcomes.FromCosmosETag(document.GetProperty("_etag").GetString());
        return run;
    }

    private static MemoryStream Write(SyncRun run)
    {
        var stream = new MemoryStream();
        JsonSerializer.Serialize(stream, run, HubJson.Options);
        stream.Position = 0;
        return stream;
    }

    private static SyncRun Stored(SyncRun run, ResponseMessage response, string operation)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw CosmosOutcomes.Unexpected(response, operation);
        }
        var stored = run.Clone();
        stored.ETag = CosmosOutcomes.FromCosmosETag(response.Headers.ETag);
        return stored;
    }
}
