using System.Text.Json.Nodes;
using ModelsHub.Core.Assets;
using ModelsHub.Core.Uploads;
using ModelsHub.Infrastructure.Documents;

namespace ModelsHub.Infrastructure.Cosmos;

/// <summary>
/// Upload sessions of models' and datasets' versions in the <c>uploads</c> container, partitioned by
/// asset (<c>/modelId</c> holds the <see cref="AssetRef.Key"/>: a model's id, <c>dataset:{id}</c> for a
/// dataset; the path keeps its name because a container's partition key cannot change). The unique key on
/// <c>/activeKey</c> (the lowercase blob key while the session is active, <c>done:{id}</c> after)
/// lets one active session per file exist, enforced by Cosmos. By id alone (the blob-created event
/// knows only <c>uploads/{id}/…</c>) a session is one cross-partition lookup.
/// </summary>
public sealed class CosmosUploadSessionStore(CosmosDatabase database) : IUploadSessionStore
{
    private readonly CosmosDocumentContainer<UploadSession> _sessions = new(database, HubContainers.Uploads, StoredDocuments.Uploads,
        CosmosDocumentShape<UploadSession>.Text(s => new JsonObject
        {
            ["id"] = s.Id,
            ["modelId"] = s.AssetKey,
            ["activeKey"] = s.IsActive ? s.BlobKey.ToLowerInvariant() : "done:" + s.Id,
            ["createdUs"] = CosmosDocumentShape.Microseconds(s.CreatedAt),
            ["dueMs"] = s.DueAt.ToUnixTimeMilliseconds(),
            // The creator while the session is active: a user's open-upload quota reads only these.
            ["activeBy"] = s.IsActive ? s.CreatedBy : null,
        }),
        s => s.Id, s => s.AssetKey);

    public async Task<UploadSession?> FindAsync(string id, CancellationToken cancellationToken) =>
        !CosmosOutcomes.IsValidId(id) ? null
            : await _sessions.FindOneAsync(_sessions.Select("WHERE c.id = @id").WithParameter("@id", id), cancellationToken);

    public Task<UploadSession> CreateAsync(UploadSession session, CancellationToken cancellationToken) => _sessions.CreateAsync(session, cancellationToken);

    public Task<UploadSession> ReplaceAsync(UploadSession session, string ifMatch, CancellationToken cancellationToken) =>
        _sessions.ReplaceAsync(session, ifMatch, cancellationToken);

    public async Task DeleteAsync(string id, CancellationToken cancellationToken)
    {
        if (await FindAsync(id, cancellationToken) is { } session)
        {
            await _sessions.DeleteAsync(id, session.AssetKey, id, null, cancellationToken);
        }
    }

    public async Task<IReadOnlyList<UploadSession>> ListForAssetAsync(AssetRef asset, CancellationToken cancellationToken) =>
        await _sessions.QueryAsync(_sessions.Select("ORDER BY c.createdUs, c.id"), asset.Key, cancellationToken);

    public async Task<IReadOnlyList<UploadSession>> ListActiveByUserAsync(string userId, CancellationToken cancellationToken) =>
        // Cross-partition: a user's uploads span models.
        await _sessions.QueryAsync(_sessions.Select("WHERE c.activeBy = @user").WithParameter("@user", userId), null, cancellationToken);

    public async Task<IReadOnlyList<UploadSession>> ListDueAsync(DateTimeOffset now, int max, CancellationToken cancellationToken) =>
        await _sessions.QueryAsync(_sessions.Select("WHERE c.dueMs <= @now ORDER BY c.dueMs, c.id").WithParameter("@now", now.ToUnixTimeMilliseconds()),
            null, cancellationToken, max);
}
