using System.Text.Json;
using Microsoft.Data.Sqlite;
using ModelsHub.Core.Assets;
using ModelsHub.Core.Common;
using ModelsHub.Core.Uploads;

namespace ModelsHub.Infrastructure.Sqlite;

/// <summary>
/// Upload sessions in the <c>upload_sessions</c> table. A unique <c>active_key</c> (the target
/// blob key while the upload is unfinished) keeps one upload per file.
/// </summary>
public sealed class SqliteUploadSessionStore(SqliteDatabase database) : IUploadSessionStore
{
    public Task<UploadSession?> FindAsync(string id, CancellationToken cancellationToken) =>
        database.ReadAsync(c =>
        {
            using var command = c.CreateCommand();
            command.CommandText = "SELECT doc, etag FROM upload_sessions WHERE id = $id;";
            command.Parameters.AddWithValue("$id", id);
            using var reader = command.ExecuteReader();
            return reader.Read() ? Read(reader) : null;
        }, cancellationToken);

    public Task<UploadSession> CreateAsync(UploadSession session, CancellationToken cancellationToken) =>
        database.WriteAsync((c, tx) =>
        {
            var stored = WithNewETag(session);
            using var command = c.CreateCommand();
            command.Transaction = tx;
            command.CommandText = "INSERT INTO upload_sessions (id, model_id, active_key, due_at, etag, doc) VALUES ($id, $model, $active_key, $due_at, $etag, $doc);";
            Bind(command, stored);
            try
            {
                command.ExecuteNonQuery();
            }
            catch (SqliteException ex) when (SqliteDatabase.IsUniqueViolation(ex))
            {
                throw new ConflictException($"Another upload of '{session.FileName}' into version '{session.Version}' is in progress.", "fileName");
            }
            return stored;
        }, cancellationToken);

    public Task<UploadSession> ReplaceAsync(UploadSession session, string ifMatch, CancellationToken cancellationToken) =>
        database.WriteAsync((c, tx) =>
        {
            var stored = WithNewETag(session);
            using var command = c.CreateCommand();
            command.Transaction = tx;
            command.CommandText = "UPDATE upload_sessions SET active_key = $active_key, due_at = $due_at, etag = $etag, doc = $doc WHERE id = $id AND etag = $if_match;";
            Bind(command, stored);
            command.Parameters.AddWithValue("$if_match", ifMatch);
            if (command.ExecuteNonQuery() == 0)
            {
                using var exists = c.CreateCommand();
                exists.Transaction = tx;
                exists.CommandText = "SELECT 1 FROM upload_sessions WHERE id = $id;";
                exists.Parameters.AddWithValue("$id", session.Id);
                throw exists.ExecuteScalar() is null ? new NotFoundException("Upload", session.Id) : new PreconditionFailedException("Upload", session.Id);
            }
            return stored;
        }, cancellationToken);

    public Task DeleteAsync(string id, CancellationToken cancellationToken) =>
        database.WriteAsync((c, tx) =>
        {
            using var command = c.CreateCommand();
            command.Transaction = tx;
            command.CommandText = "DELETE FROM upload_sessions WHERE id = $id;";
            command.Parameters.AddWithValue("$id", id);
            return command.ExecuteNonQuery();
        }, cancellationToken);

    public Task<IReadOnlyList<UploadSession>> ListForAssetAsync(AssetRef asset, CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlyList<UploadSession>>(c =>
        {
            using var command = c.CreateCommand();
            command.CommandText = "SELECT doc, etag FROM upload_sessions WHERE model_id = $model;";
            command.Parameters.AddWithValue("$model", asset.Key);
            return ReadAll(command).OrderBy(s => s.CreatedAt).ThenBy(s => s.Id, StringComparer.Ordinal).ToList();
        }, cancellationToken);

    public Task<IReadOnlyList<UploadSession>> ListDueAsync(DateTimeOffset now, int max, CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlyList<UploadSession>>(c =>
        {
            using var command = c.CreateCommand();
            command.CommandText = "SELECT doc, etag FROM upload_sessions WHERE due_at <= $now ORDER BY due_at, id LIMIT $max;";
            command.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
            command.Parameters.AddWithValue("$max", max);
            return ReadAll(command);
        }, cancellationToken);

    private static List<UploadSession> ReadAll(SqliteCommand command)
    {
        using var reader = command.ExecuteReader();
        var sessions = new List<UploadSession>();
        while (reader.Read())
        {
            sessions.Add(Read(reader));
        }
        return sessions;
    }

    private static UploadSession Read(SqliteDataReader reader)
    {
        var session = JsonSerializer.Deserialize<UploadSession>(reader.GetString(0), HubJson.Options)!;
        session.ETag = reader.GetString(1);
        return session;
    }

    private static UploadSession WithNewETag(UploadSession session)
    {
        var stored = session.Clone();
        stored.ETag = Guid.NewGuid().ToString("N");
        return stored;
    }

    private static void Bind(SqliteCommand command, UploadSession session)
    {
        command.Parameters.AddWithValue("$id", session.Id);
        command.Parameters.AddWithValue("$model", session.AssetKey);
        command.Parameters.AddWithValue("$active_key", session.IsActive ? session.BlobKey.ToLowerInvariant() : DBNull.Value);
        command.Parameters.AddWithValue("$due_at", session.DueAt.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$etag", session.ETag);
        command.Parameters.AddWithValue("$doc", JsonSerializer.Serialize(session, HubJson.Options));
    }
}
