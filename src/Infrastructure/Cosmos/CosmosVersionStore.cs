using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Microsoft.Azure.Cosmos;
using ModelsHub.Core.Assets;
using ModelsHub.Core.Common;
using ModelsHub.Core.Versions;
using ModelsHub.Infrastructure.Documents;

namespace ModelsHub.Infrastructure.Cosmos;

/// <summary>
/// Versions of models and datasets in the <c>versions</c> container, partitioned by asset
/// (<c>/modelId</c> holds the <see cref="AssetRef.Key"/>: a model's id, as before datasets existed, or
/// <c>dataset:{id}</c>; the path keeps its name because a container's partition key cannot change).
/// The id is the lowercase label, so Cosmos itself refuses a second version with a label (409).
/// Without transactional batches the "never delete the last version" rule rests on a head document
/// per asset (<c>_head</c>) that
/// holds the set of version ids it vouches for: a delete first takes its id out of the set under
/// the head's ETag (refused when nothing else would be left), then deletes; a create adds the
/// version, then puts its id in the set. Adding an id is idempotent, so racing creators that both
/// build a missing head from a listing cannot count one version twice, and every id in the set is
/// a version that exists. A crash between the two steps leaves the set short, which can only
/// refuse a delete too early, never allow the last one.
/// </summary>
public sealed class CosmosVersionStore(CosmosDatabase database) : IVersionStore
{
    private const string HeadId = "_head";
    private const int MaxHeadAttempts = 50;
    private static readonly ItemRequestOptions NoContentBack = new() { EnableContentResponseOnWrite = false };

    // The version as its JSON text (metrics keep their order and digits) with the fields queries use beside it.
    private readonly CosmosDocumentContainer<AssetVersion> _versions = new(database, HubContainers.Versions, StoredDocuments.Versions,
        CosmosDocumentShape<AssetVersion>.Text(v => new JsonObject
        {
            ["id"] = v.Id,
            ["modelId"] = v.AssetKey,
            ["kind"] = "version",
            ["createdUs"] = CosmosDocumentShape.Microseconds(v.CreatedAt),
            // Whose files the version holds: a user's stored-bytes quota reads only the versions that name them.
            ["uploaders"] = new JsonArray([.. v.Files.Select(f => f.OwnerIn(v)).Distinct(StringComparer.Ordinal).Select(u => JsonValue.Create(u))]),
        }),
        v => v.Id, v => v.AssetKey, "label");

    private Container Container => _versions.Container;

    public Task<AssetVersion?> FindAsync(AssetRef asset, string label, CancellationToken cancellationToken) =>
        // A label no version can have (the head's "_head", "suggestion", a path) is simply not there.
        VersionRules.IsValidLabel(label)
            ? _versions.FindAsync(AssetVersion.IdFor(label), asset.Key, cancellationToken)
            : Task.FromResult<AssetVersion?>(null);

    public async Task<IReadOnlyList<AssetVersion>> ListAsync(AssetRef asset, CancellationToken cancellationToken) =>
        await _versions.QueryAsync(_versions.Select("WHERE c.kind = 'version' ORDER BY c.createdUs, c.id"), asset.Key, cancellationToken);

    public async Task<AssetVersion> CreateAsync(AssetVersion version, CancellationToken cancellationToken)
    {
        if (!VersionRules.IsValidLabel(version.Label) || version.Id != AssetVersion.IdFor(version.Label))
        {
            throw new ValidationException("label", "Is not a label a version can have.");
        }
        var stored = await _versions.CreateAsync(version, cancellationToken);
        await ChangeHeadAsync(version.AssetKey, version.Id, add: true, null, cancellationToken);
        return stored;
    }

    public Task<AssetVersion> ReplaceAsync(AssetVersion version, string ifMatch, CancellationToken cancellationToken) =>
        VersionRules.IsValidLabel(version.Label)
            ? _versions.ReplaceAsync(version, ifMatch, cancellationToken)
            : throw StoredDocuments.Versions.NotFound($"{version.Asset}/{version.Label}");

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
        try
        {
            await _versions.DeleteAsync(current.Id, current.AssetKey, name, ifMatch ?? current.ETag!, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Not deleted after all: vouch for it again (a failure here leaves the set short, the safe side).
            await ChangeHeadAsync(current.AssetKey, current.Id, add: true, null, cancellationToken);
            throw;
        }
    }

    public async Task DeleteAllAsync(AssetRef asset, CancellationToken cancellationToken)
    {
        var ids = await _versions.QueryRowsAsync<IdRow, string>(new QueryDefinition("SELECT c.id FROM c"), r => r.Id, asset.Key, cancellationToken);
        foreach (var id in ids.OrderBy(id => id == HeadId))
        {
            await _versions.DeleteAsync(id, asset.Key, $"{asset.Name}/{id}", null, cancellationToken);
        }
    }

    public async Task<IReadOnlyList<string>> ListAssetKeysAsync(CancellationToken cancellationToken)
    {
        await _versions.EnsureCreatedAsync(cancellationToken);
        var query = new QueryDefinition("SELECT DISTINCT VALUE c.modelId FROM c WHERE c.kind = 'version'");
        var ids = new SortedSet<string>(await CosmosPaging.ReadAllAsync<string>(Container, query, null, cancellationToken), StringComparer.Ordinal);
        return [.. ids];
    }

    public async Task<long> GetStoredBytesAsync(string userId, CancellationToken cancellationToken)
    {
        // Cross-partition: a user's files span models; the sum is the hub's (a version may hold others' files too).
        var versions = await _versions.QueryAsync(
            _versions.Select("WHERE c.kind = 'version' AND ARRAY_CONTAINS(c.uploaders, @user)").WithParameter("@user", userId), null, cancellationToken);
        return versions.Sum(v => v.Files.Where(f => f.OwnerIn(v) == userId).Sum(f => f.Size));
    }

    /// <summary>
    /// Puts <paramref name="versionId"/> into the head's set or takes it out, under the head's ETag;
    /// taking out refuses (<paramref name="lastMessage"/>) when no other version would be left.
    /// </summary>
    private async Task ChangeHeadAsync(string assetKey, string versionId, bool add, string? lastMessage, CancellationToken cancellationToken)
    {
        var partition = new PartitionKey(assetKey);
        for (var attempt = 0; attempt < MaxHeadAttempts; attempt++)
        {
            using var read = await Container.ReadItemStreamAsync(HeadId, partition, cancellationToken: cancellationToken);
            SortedSet<string> ids;
            string? etag = null;
            if (read.StatusCode == HttpStatusCode.NotFound)
            {
                // No head yet (the first version, or a crash before it was written): vouch for what is there.
                ids = await ListVersionIdsAsync(assetKey, cancellationToken);
            }
            else if (read.IsSuccessStatusCode)
            {
                var head = (await JsonSerializer.DeserializeAsync<HeadRow>(read.Content, HubJson.Options, cancellationToken))!;
                // A head without ids predates the set: rebuild it from what is there.
                ids = head.Ids is null ? await ListVersionIdsAsync(assetKey, cancellationToken) : new SortedSet<string>(head.Ids, StringComparer.Ordinal);
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
            using var content = Head(assetKey, ids);
            using var write = etag is null
                ? await Container.CreateItemStreamAsync(content, partition, NoContentBack, cancellationToken)
                : await Container.ReplaceItemStreamAsync(content, HeadId, partition,
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
        throw new ServiceBusyException($"The version count of '{assetKey}' kept changing; try again.", TimeSpan.FromSeconds(1));
    }

    private async Task<SortedSet<string>> ListVersionIdsAsync(string assetKey, CancellationToken cancellationToken) =>
        new(await _versions.QueryRowsAsync<IdRow, string>(new QueryDefinition("SELECT c.id FROM c WHERE c.kind = 'version'"), r => r.Id, assetKey, cancellationToken),
            StringComparer.Ordinal);

    private sealed record IdRow(string Id);

    private sealed record HeadRow(int Count, IReadOnlyList<string>? Ids);

    private static MemoryStream Head(string assetKey, SortedSet<string> ids) => CosmosDocumentShape.ToStream(new JsonObject
    {
        ["id"] = HeadId,
        ["modelId"] = assetKey,
        ["kind"] = "head",
        ["count"] = ids.Count,
        ["ids"] = new JsonArray([.. ids.Select(id => JsonValue.Create(id))]),
    });
}
