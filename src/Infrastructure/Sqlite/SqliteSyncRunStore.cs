using System.Text.Json;
using Microsoft.Data.Sqlite;
using ModelsHub.Contracts.Sync;
using ModelsHub.Contracts;
using ModelsHub.Core.Common;
using ModelsHub.Core.Upstream;

namespace ModelsHub.Infrastructure.Sqlite;

/// <summary>Upstream sync runs in the <c>sync_runs</c> table, with the sequence indexed for "the latest runs".</summary>
public sealed class SqliteSyncRunStore(SqliteDatabase database) : ISyncRunStore
{
    public Task<SyncRun> CreateAsync(SyncRun run, CancellationToken cancellationToken) =>
        database.WriteAsync((c, tx) =>
        {
            var stored = WithNewETag(run);
            using var command = c.CreateCommand();
            command.Transaction = tx;
            command.CommandText = "INSERT INTO sync_runs (id, sequence, status, etag, doc) VALUES ($id, $sequence, $status, $etag, $doc);";
            Bind(command, stored);
            try
            {
                command.ExecuteNonQuery();
            }
            catch (SqliteException ex) when (SqliteDatabase.IsUniqueViolation(ex))
            {
                throw new ConflictException($"Sync run '{run.Id}' already exists.");
            }
            return stored;
        }, cancellationToken);

    public Task<SyncRun?> FindAsync(string id, CancellationToken cancellationToken) =>
        database.ReadAsync(c =>
        {
            using var command = c.CreateCommand();
            command.CommandText = "SELECT doc, etag FROM sync_runs WHERE id = $id;";
            command.Parameters.AddWithValue("$id", id);
            using var reader = command.ExecuteReader();
            return reader.Read() ? Read(reader) : null;
        }, cancellationToken);

    public Task<SyncRun> ReplaceAsync(SyncRun run, string ifMatch, CancellationToken cancellationToken) =>
        database.WriteAsync((c, tx) =>
        {
            var stored = WithNewETag(run);
            using var command = c.CreateCommand();
            command.Transaction = tx;
            command.CommandText = "UPDATE sync_runs SET sequence = $sequence, status = $status, etag = $etag, doc = $doc WHERE id = $id AND etag = $if_match;";
            Bind(command, stored);
            command.Parameters.AddWithValue("$if_match", ifMatch);
            if (command.ExecuteNonQuery() == 0)
            {
                using var exists = c.CreateCommand();
                exists.Transaction = tx;
                exists.CommandText = "SELECT 1 FROM sync_runs WHERE id = $id;";
                exists.Parameters.AddWithValue("$id", run.Id);
                throw exists.ExecuteScalar() is null ? new NotFoundException("Sync run", run.Id) : new PreconditionFailedException("Sync run", run.Id);
            }
            return stored;
        }, cancellationToken);

    public Task<IReadOnlyList<SyncRun>> ListRecentAsync(int maxItems, CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlyList<SyncRun>>(c =>
        {
            using var command = c.CreateCommand();
            command.CommandText = "SELECT doc, etag FROM sync_runs ORDER BY sequence DESC, id DESC LIMIT $max;";
            command.Parameters.AddWithValue("$max", maxItems);
            var runs = new List<SyncRun>();
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                runs.Add(Read(reader));
            }
            return runs;
        }, cancellationToken);

    private static SyncRun Read(SqliteDataReader reader)
    {
        var run = JsonSerializer.Deserialize<SyncRun>(reader.GetString(0), HubJson.Options)!;
        run.ETag = reader.GetString(1);
        return run;
    }

    private static SyncRun WithNewETag(SyncRun run)
    {
        var stored = run.Clone();
        stored.ETag = Guid.NewGuid().ToString("N");
        return stored;
    }

    private static void Bind(SqliteCommand command, SyncRun run)
    {
        var p = command.Parameters;
        p.AddWithValue("$id", run.Id);
        p.AddWithValue("$sequence", run.Sequence);
        p.AddWithValue("$status", EnumNames<SyncRunStatus>.NameOf(run.Status));
        p.AddWithValue("$etag", run.ETag);
        p.AddWithValue("$doc", JsonSerializer.Serialize(run, HubJson.Options));
    }
}
