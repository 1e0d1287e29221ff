using ModelsHub.Core.Catalog;
using ModelsHub.Core.Uploads;
using ModelsHub.Infrastructure.Documents;

namespace ModelsHub.Infrastructure.Sqlite;

/// <summary>
/// Upload sessions in the <c>upload_sessions</c> table. A unique <c>active_key</c> (the target
/// blob key while the upload is unfinished) keeps one upload per file.
/// </summary>
public sealed class SqliteUploadSessionStore(SqliteDatabase database) : IUploadSessionStore
{
    private readonly SqliteDocumentTable<UploadSession> _sessions = new SqliteDocumentTable<UploadSession>(database, "upload_sessions", StoredDocuments.Uploads)
        .Key("id", s => s.Id)
        .Column("model_id", s => s.ModelId)
        .Column("active_key", s => s.IsActive ? s.BlobKey.ToLowerInvariant() : null)
        .Column("due_at", s => s.DueAt.ToUnixTimeMilliseconds());

    public Task<UploadSession?> FindAsync(string id, CancellationToken cancellationToken) => _sessions.FindAsync(cancellationToken, id);

    public Task<UploadSession> CreateAsync(UploadSession session, CancellationToken cancellationToken) => _sessions.CreateAsync(session, cancellationToken);

    public Task<UploadSession> ReplaceAsync(UploadSession session, string ifMatch, CancellationToken cancellationToken) =>
        _sessions.ReplaceAsync(session, ifMatch, cancellationToken);

    public Task DeleteAsync(string id, CancellationToken cancellationToken) => _sessions.DeleteAsync(id, null, cancellationToken, id);

    public async Task<IReadOnlyList<UploadSession>> ListForModelAsync(string modelName, CancellationToken cancellationToken) =>
        (await _sessions.QueryAsync("WHERE model_id = $model", p => p.AddWithValue("$model", HubModel.IdFor(modelName)), cancellationToken))
            .OrderBy(s => s.CreatedAt).ThenBy(s => s.Id, StringComparer.Ordinal).ToList();

    public async Task<IReadOnlyList<UploadSession>> ListDueAsync(DateTimeOffset now, int max, CancellationToken cancellationToken) =>
        await _sessions.QueryAsync("WHERE due_at <= $now ORDER BY due_at, id LIMIT $max", p =>
        {
            p.AddWithValue("$now", now.ToUnixTimeMilliseconds());
            p.AddWithValue("$max", max);
        }, cancellationToken);
}
