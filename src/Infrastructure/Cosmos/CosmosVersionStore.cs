using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Microsoft.Azure.Cosmos;
using ModelsHub.Core.Catalog;
using ModelsHub.Core.Common;
using ModelsHub.Core.Versions;
using ModelsHub.Infrastructure.Documents;

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
public sealed class CosmosVersionStore(CosmosDatabase database) : IVersionStore
{
    private const string HeadId = "_head";
    private const int MaxHeadAttempts = 50;
    private static readonly ItemRequestOptions NoContentBack = new() { EnableContentResponseOnWrite = false };

    // The version as its JSON text (metrics keep their order and digits) with the fields queries use beside it.
    private readonly CosmosDocumentContainer<ModelVersion> _versions = new(database, HubContainers.Versions, StoredDocuments.Versions,
        CosmosDocumentShape<ModelVersion>.Text(v => new JsonObject
        {
            ["id"] = v.Id,
            ["modelId"] = v.ModelId,
            ["kind"] = "version",
            ["createdUs"] = CosmosDocumentShape.Microseconds(v.CreatedAt),
        }),
        v => v.Id, v => v.ModelId, "label");

    private Container Container => _versions.Container;

    public Task<ModelVersion?> FindAsync(string modelName, string label, CancellationToken cancellationToken) =>
        // A label no version can have (the head's "_head", "suggestion", a path) is simply not there.
        VersionRules.IsValidLabel(label)
            ? _versions.FindAsync(ModelVersion.IdFor(label), HubModel.IdFor(modelName), cancellationToken)
            : Task.FromResult<ModelVersion?>(null);

    public async Task<IReadOnlyList<ModelVersion>> ListAsync(string modelName, CancellationToken cancellationToken) =>
        await _versions.QueryAsync(_versions.Select("WHERE c.kind = 'version' ORDER BY c.createdUs, c.id"), HubModel.IdFor(modelName), cancellationToken);

    public async Task<ModelVersion> CreateAsync(ModelVersion version, CancellationToken cancellationToken)
    {
        if (!VersionRules.IsValidLabel(version.Label) || version.Id != ModelVersion.IdFor(version.Label))
        {
            throw new ValidationException("label", "Is not a label a version can have.");
        }
        var stored = await _versions.CreateAsync(version, cancellationToken);
        await ChangeHeadAsync(version.ModelId, version.Id, add: true, null, cancellationToken);
        return stored;
    }

    public Task<ModelVersion> ReplaceAsync(ModelVersion version, string ifMatch, CancellationToken cancellationToken) =>
        VersionRules.IsValidLabel(version.Label)
            ? _versions.ReplaceAsync(version, ifMatch, cancellationToken)
            : throw StoredDocuments.Versions.NotFound($"{version.Model}/{version.Label}");

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
        await ChangeHeadAsync(current.ModelId, current.Id, add: false, VersionRules.LastVersionMessage(modelName, label), cancellationToken);
        try
        {
            await _versions.DeleteAsync(current.Id, current.ModelId, name, ifMatch ?? current.ETag!, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Not deleted after all: vouch for it again (a failure here leaves the set short, the safe side).
            await ChangeHeadAsync(current.ModelId, current.Id, add: true, null, cancellationToken);
            throw;
        }
    }

    public async Task DeleteAllAsync(string modelName, CancellationToken cancellationToken)
    {
        var model = HubModel.IdFor(modelName);
        var ids = await _versions.QueryRowsAsync<IdRow, string>(new QueryDefinition("SELECT c.id FROM c"), r => r.Id, model, cancellationToken);
        foreach (var id in ids.OrderBy(id => id == HeadId))
        {
            await _versions.DeleteAsync(id, model, $"{modelName}/{id}", null, cancellationToken);
        }
    }

    public async Task<IReadOnlyList<string>> ListModelIdsAsync(CancellationToken cancellationToken)
    {
        await _versions.EnsureCreatedAsync(cancellationToken);
        var query = new QueryDefinition("SELECT DISTINCT VALUE c.modelId FROM c WHERE c.kind = 'version'");
        var ids = new SortedSet<string>(await CosmosPaging.ReadAllAsync<string>(Container, query, null, cancellationToken), StringComparer.Ordinal);
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
            using var read = await Container.ReadItemStreamAsync(HeadId, partition, cancellationToken: cancellationToken);
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
        throw new ServiceBusyException($"The version count of model '{modelId}' kept changing; try again.", TimeSpan.FromSeconds(1));
    }

    private async Task<SortedSet<string>> ListVersionIdsAsync(string modelId, CancellationToken cancellationToken) =>
        new(await _versions.QueryRowsAsync<IdRow, string>(new QueryDefinition("SELECT c.id FROM c WHERE c.kind = 'version'"), r => r.Id, modelId, cancellationToken),
            StringComparer.Ordinal);

    private sealed record IdRow(string Id);

    private sealed record HeadRow(int Count, IReadOnlyList<string>? Ids);

    private static MemoryStream Head(string modelId, SortedSet<string> ids) => CosmosDocumentShape.ToStream(new JsonObject
    {
        ["id"] = HeadId,
        ["modelId"] = modelId,
        ["kind"] = "head",
        ["count"] = ids.Count,
        ["ids"] = new JsonArray([.. ids.Select(id => JsonValue.Create(id))]),
    });
}
