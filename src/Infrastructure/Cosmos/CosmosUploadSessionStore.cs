using System.Text.Json.Nodes;
using ModelsHub.Core.Catalog;
using ModelsHub.Core.Uploads;
using ModelsHub.Infrastructure.Documents;

namespace ModelsHub.Infrastructure.Cosmos;

/// <summary>
/// Upload sessions in the <c>uploads</c> container, partitioned by model. The unique key on
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
            ["modelId"] = s.ModelId,
            ["activeKey"] = s.IsActive ? s.BlobKey.ToLowerInvariant() : "done:" + s.Id,
            ["createdUs"] = CosmosDocumentShape.Microseconds(s.CreatedAt),
            ["dueMs"] = s.DueAt.ToUnixTimeMilliseconds(),
        }),
        s => s.Id, s => s.ModelId);

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
            await _sessions.DeleteAsync(id, session.ModelId, id, null, cancellationToken);
        }
    }

    public async Task<IReadOnlyList<UploadSession>> ListForModelAsync(string modelName, CancellationToken cancellationToken) =>
        await _sessions.QueryAsync(_sessions.Select("ORDER BY c.createdUs, c.id"), HubModel.IdFor(modelName), cancellationToken);

    public async Task<IReadOnlyList<UploadSession>> ListDueAsync(DateTimeOffset now, int max, CancellationToken cancellationToken) =>
        await _sessions.QueryAsync(_sessions.Select("WHERE c.dueMs <= @now ORDER BY c.dueMs, c.id").WithParameter("@now", now.ToUnixTimeMilliseconds()),
            null, cancellationToken, max);
}
