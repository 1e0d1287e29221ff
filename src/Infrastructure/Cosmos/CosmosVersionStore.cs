using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Microsoft.Azure.Cosmos;
using ModelsHub.Core.Assets;
using ModelsHub.Core.Common;
using ModelsHub.Core.Versions;

namespace ModelsHub.Infrastructure.Cosmos;

/// <summary>
/// Versions in the <c>versions</c> container, partitioned by model. The id is the lowercase label,
/// so Cosmos itself refuses a second version with a label (409). Without transactional batches the
/// "never delete the last version" rule rests on a head document per model (<c>_head</c>) that
/// holds the set of version ids it vouches for: a delete first takes its id out of the set under
/// the head's ETag (refused when nothing else would be left), then deletes; a create adds the
/// version, then puts its id in the set. Adding an id is idempotent, so racing creators that both
/// build a missing head from a listing cannot count one version twice, and every id in the set is
/// a version that exists. A crash between the two steps leaves the set short, which can only
/// refuse a delete too early, never allow the last one.
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

    public async Task<AssetVersion?> FindAsync(AssetRef asset, string label, CancellationToken cancellationToken)
    {
        var (model, id) = (asset.Key, AssetVersion.IdFor(label));
        // A label no version can have (the head's "_head", "suggestion", a path) is simply not there.
        if (!CosmosOutcomes.IsValidId(asset.Id) || !VersionRules.IsValidLabel(label))
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
        if (row.Text is null)
        {
            return null;
        }
        return Read(row with { ETag = response.Headers.ETag ?? row.ETag });
    }

    public async Task<IReadOnlyList<AssetVersion>> ListAsync(AssetRef asset, CancellationToken cancellationToken)
    {
        await _database.EnsureCreatedAsync(cancellationToken);
        var query = new QueryDefinition("SELECT c.text, c._etag FROM c WHERE c.kind = 'version' ORDER BY c.createdUs, c.id");
        var versions = new List<AssetVersion>();
        string? token = null;
        do
        {
            var page = await CosmosPaging.ReadPageAsync<Row, AssetVersion>(_container, query, "versions", token, Paging.MaxPageSize, Read,
                new PartitionKey(asset.Key), cancellationToken);
            versions.AddRange(page.Items);
            token = page.ContinuationToken;
        }
        while (token is not null);
        return versions;
    }

    public async Task<AssetVersion> CreateAsync(AssetVersion version, CancellationToken cancellationToken)
    {
        if (!CosmosOutcomes.IsValidId(version.AssetRef.Id) || !VersionRules.IsValidLabel(version.Label) || version.Id != AssetVersion.IdFor(version.Label))
        {
            throw new ValidationException("label", "Is not a label a version can have.");
        }
        await _database.EnsureCreatedAsync(cancellationToken);
        using var content = Write(version);
        using var response = await _container.CreateItemStreamAsync(content, new PartitionKey(version.AssetKey), NoContentBack, cancellationToken);
        if (response.StatusCode == HttpStatusCode.Conflict)
        {
            throw new ConflictException($"{version.Kind.Title()} '{version.Asset}' already has a version '{version.Label}' (labels are unique ignoring case).", "label");
        }
        var stored = Stored(version, response, "create version");
        await ChangeHeadAsync(version.AssetKey, version.Id, add: true, null, cancellationToken);
        return stored;
    }

    public async Task<AssetVersion> ReplaceAsync(AssetVersion version, string ifMatch, CancellationToken cancellationToken)
    {
        await _database.EnsureCreatedAsync(cancellationToken);
        var name = $"{version.Asset}/{version.Label}";
        if (!VersionRules.IsValidLabel(version.Label))
        {
            throw new NotFoundException("Version", name);
        }
        if (!CosmosOutcomes.IsPlausibleETag(ifMatch))
        {
            throw await FindAsync(version.AssetRef, version.Label, cancellationToken) is null ? new NotFoundException("Version", name) : new PreconditionFailedException("Version", name);
        }
        using var content = Write(version);
        var options = new ItemRequestOptions { IfMatchEtag = CosmosOutcomes.ToCosmosETag(ifMatch), EnableContentResponseOnWrite = false };
        using var response = await _container.ReplaceItemStreamAsync(content, version.Id, new PartitionKey(version.AssetKey), options, cancellationToken);
        return response.StatusCode switch
        {
            HttpStatusCode.NotFound => throw new NotFoundException("Version", name),
            HttpStatusCode.PreconditionFailed => throw new PreconditionFailedException("Version", name),
            _ => Stored(version, response, "replace version"),
        };
    }

    public async Task DeleteAsync(AssetRef asset, string label, string? ifMatch, CancellationToken cancellationToken)
    {
        var current = await FindAsync(asset, label, cancellationToken);
        if (current is null)
        {
            return;
        }
        var name = $"{asset.Name}/{label}";
        if (ifMatch is not null && !string.Equals(ifMatch, current.ETag, StringComparison.Ordinal))
        {
            throw new PreconditionFailedException("Version", name);
        }
        await ChangeHeadAsync(current.AssetKey, current.Id, add: false, VersionRules.LastVersionMessage(asset, label), cancellationToken);
        var options = new ItemRequestOptions { IfMatchEtag = CosmosOutcomes.ToCosmosETag(ifMatch ?? current.ETag!) };
        using var response = await _container.DeleteItemStreamAsync(current.Id, new PartitionKey(current.AssetKey), options, cancellationToken);
        if (response.IsSuccessStatusCode || response.StatusCode == HttpStatusCode.NotFound)
        {
            return;
        }
        // Not deleted after all: vouch for it again (a failure here leaves the set short, the safe side).
        await ChangeHeadAsync(current.AssetKey, current.Id, add: true, null, cancellationToken);
        throw response.StatusCode == HttpStatusCode.PreconditionFailed ? new PreconditionFailedException("Version", name) : CosmosOutcomes.Unexpected(response, "delete version");
    }

    public async Task DeleteAllAsync(AssetRef asset, CancellationToken cancellationToken)
    {
        await _database.EnsureCreatedAsync(cancellationToken);
        var model = asset.Key;
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

    public async Task<IReadOnlyList<string>> ListAssetKeysAsync(CancellationToken cancellationToken)
    {
        await _database.EnsureCreatedAsync(cancellationToken);
        var query = new QueryDefinition("SELECT DISTINCT VALUE c.modelId FROM c WHERE c.kind = 'version'");
        var ids = new SortedSet<string>(await CosmosPaging.ReadAllAsync<string>(_container, query, null, cancellationToken), StringComparer.Ordinal);
        return [.. ids];
    }

    /// <summary>
    /// Puts <paramref name="versionId"/> into the head's set or takes it out, under the head's ETag;
    /// taking out refuses (<paramref name="lastMessage"/>) when no other version would be left.
    /// </summary>
    private async Task ChangeHeadAsync(string modelId, string versionId, bool add, string? lastMessage, CancellationToken cancellationToken)
    {
        var partition = new PartitionKey(modelId);
        for (var attempt = 0; attempt < MaxHeadAttempts; attempt++)
        {
            using var read = await _container.ReadItemStreamAsync(HeadId, partition, cancellationToken: cancellationToken);
            SortedSet<string> ids;
            string? etag = null;
            if (read.StatusCode == HttpStatusCode.NotFound)
            {
                // No head yet (the first version, or a crash before it was written): vouch for what is there.
                ids = await ListVersionIdsAsync(modelId, cancellationToken);
            }
            else if (read.IsSuccessStatusCode)
            {
                var head = (await JsonSerializer.DeserializeAsync<HeadRow>(read.Content, HubJson.Options, cancellationToken))!;
                // A head without ids predates the set: rebuild it from what is there.
                ids = head.Ids is null ? await ListVersionIdsAsync(modelId, cancellationToken) : new SortedSet<string>(head.Ids, StringComparer.Ordinal);
                etag = read.Headers.ETag;
            }
            else
            {
                throw CosmosOutcomes.Unexpected(read, "read version count");
            }

            var changed = add ? ids.Add(versionId) : ids.Remove(versionId);
            if (!add && lastMessage is not null && ids.Count == 0)
            {
                throw new ConflictException(lastMessage);
            }
            if (!changed && etag is not null)
            {
                return;
            }
            using var content = Head(modelId, ids);
            using var write = etag is null
                ? await _container.CreateItemStreamAsync(content, partition, NoContentBack, cancellationToken)
                : await _container.ReplaceItemStreamAsync(content, HeadId, partition,
                    new ItemRequestOptions { IfMatchEtag = etag, EnableContentResponseOnWrite = false }, cancellationToken);
            if (write.IsSuccessStatusCode)
            {
                return;
            }
            if (write.StatusCode is not (HttpStatusCode.PreconditionFailed or HttpStatusCode.Conflict))
            {
                throw CosmosOutcomes.Unexpected(write, "write version count");
            }
            // Someone else changed the head since we read it (or created it first): read it again.
        }
        throw new ServiceBusyException($"The version count of model '{modelId}' kept changing; try again.", TimeSpan.FromSeconds(1));
    }

    private async Task<SortedSet<string>> ListVersionIdsAsync(string modelId, CancellationToken cancellationToken)
    {
        var query = new QueryDefinition("SELECT c.id FROM c WHERE c.kind = 'version'");
        var ids = new SortedSet<string>(StringComparer.Ordinal);
        string? token = null;
        do
        {
            var page = await CosmosPaging.ReadPageAsync<IdRow, string>(_container, query, "ids", token, Paging.MaxPageSize, r => r.Id,
                new PartitionKey(modelId), cancellationToken);
            ids.UnionWith(page.Items);
            token = page.ContinuationToken;
        }
        while (token is not null);
        return ids;
    }

    private static readonly ItemRequestOptions NoContentBack = new() { EnableContentResponseOnWrite = false };

    private sealed record Row(string? Text, [property: JsonPropertyName("_etag")] string? ETag);

    private sealed record IdRow(string Id);

    private sealed record HeadRow(int Count, IReadOnlyList<string>? Ids);

    private static AssetVersion Read(Row row)
    {
        var version = JsonSerializer.Deserialize<AssetVersion>(row.Text!, HubJson.Options)!;
        version.ETag = CosmosOutcomes.FromCosmosETag(row.ETag);
        return version;
    }

    /// <summary>The version as its JSON text (metrics keep their order and digits) with the fields queries use beside it.</summary>
    private static MemoryStream Write(AssetVersion version) => CosmosWorkflowStore.ToStream(new JsonObject
    {
        ["id"] = version.Id,
        ["modelId"] = version.AssetKey,
        ["kind"] = "version",
        ["createdUs"] = (version.CreatedAt.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / TimeSpan.TicksPerMicrosecond,
        ["text"] = JsonSerializer.Serialize(version, HubJson.Options),
    });

    private static MemoryStream Head(string modelId, SortedSet<string> ids) => CosmosWorkflowStore.ToStream(new JsonObject
    {
        ["id"] = HeadId,
        ["modelId"] = modelId,
        ["kind"] = "head",
        ["count"] = ids.Count,
        ["ids"] = new JsonArray([.. ids.Select(id => JsonValue.Create(id))]),
    });

    private static AssetVersion Stored(AssetVersion version, ResponseMessage response, string operation)
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
