using ModelsHub.Core.Assets;
using ModelsHub.Core.Uploads;
using ModelsHub.Infrastructure.Documents;

namespace ModelsHub.Infrastructure.Sqlite;

/// <summary>
/// Upload sessions of models' and datasets' versions in the <c>upload_sessions</c> table, grouped by
/// <c>asset_key</c> (<see cref="AssetRef.Key"/>). A unique <c>active_key</c> (the target blob key
/// while the upload is unfinished) keeps one upload per file.
/// </summary>
public sealed class SqliteUploadSessionStore(SqliteDatabase database) : IUploadSessionStore
{
    private readonly SqliteDocumentTable<UploadSession> _sessions = new SqliteDocumentTable<UploadSession>(database, "upload_sessions", StoredDocuments.Uploads)
        .Key("id", s => s.Id)
        .Column("asset_key", s => s.AssetKey)
        .Column("active_key", s => s.IsActive ? s.BlobKey.ToLowerInvariant() : null)
        .Column("due_at", s => s.DueAt.ToUnixTimeMilliseconds());

    public Task<UploadSession?> FindAsync(string id, CancellationToken cancellationToken) => _sessions.FindAsync(cancellationToken, id);

    public Task<UploadSession> CreateAsync(UploadSession session, CancellationToken cancellationToken) => _sessions.CreateAsync(session, cancellationToken);

    public Task<UploadSession> ReplaceAsync(UploadSession session, string ifMatch, CancellationToken cancellationToken) =>
        _sessions.ReplaceAsync(session, ifMatch, cancellationToken);

    public Task DeleteAsync(string id, CancellationToken cancellationToken) => _sessions.DeleteAsync(id, null, cancellationToken, id);

    public async Task<IReadOnlyList<UploadSession>> ListForAssetAsync(AssetRef asset, CancellationToken cancellationToken) =>
        (await _sessions.QueryAsync("WHERE asset_key = $asset", p => p.AddWithValue("$asset", asset.Key), cancellationToken))
            .OrderBy(s => s.CreatedAt).ThenBy(s => s.Id, StringComparer.Ordinal).ToList();

    public async Task<IReadOnlyList<UploadSession>> ListActiveByUserAsync(string userId, CancellationToken cancellationToken) =>
        // Only active sessions hold an active_key; the creator is read from the document.
        await _sessions.QueryAsync("WHERE active_key IS NOT NULL AND json_extract(doc, '$.createdBy') = $user", p => p.AddWithValue("$user", userId), cancellationToken);

    public async Task<IReadOnlyList<UploadSession>> ListDueAsync(DateTimeOffset now, int max, CancellationToken cancellationToken) =>
        await _sessions.QueryAsync("WHERE due_at <= $now ORDER BY due_at, id LIMIT $max", p =>
        {
            p.AddWithValue("$now", now.ToUnixTimeMilliseconds());
            p.AddWithValue("$max", max);
        }, cancellationToken);
}
