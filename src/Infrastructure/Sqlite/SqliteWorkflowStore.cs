using System.Text.Json;
using Microsoft.Data.Sqlite;
using ModelsHub.Contracts.Workflows;
using ModelsHub.Contracts;
using ModelsHub.Core.Common;
using ModelsHub.Core.Workflows;

namespace ModelsHub.Infrastructure.Sqlite;

/// <summary>Workflow instances in the <c>workflows</c> table, with the due time indexed for the sweeper.</summary>
public sealed class SqliteWorkflowStore(SqliteDatabase database) : IWorkflowStore
{
    public Task<WorkflowInstance> CreateAsync(WorkflowInstance instance, CancellationToken cancellationToken) =>
        database.WriteAsync((c, tx) =>
        {
            var stored = WithNewETag(instance);
            using var command = c.CreateCommand();
            command.Transaction = tx;
            command.CommandText = "INSERT INTO workflows (id, kind, status, next_attempt_at, etag, doc) VALUES ($id, $kind, $status, $next, $etag, $doc);";
            Bind(command, stored);
            try
            {
                command.ExecuteNonQuery();
            }
            catch (SqliteException ex) when (SqliteDatabase.IsUniqueViolation(ex))
            {
                throw new ConflictException($"Workflow '{instance.Id}' already exists.");
            }
            return stored;
        }, cancellationToken);

    public Task<WorkflowInstance?> FindAsync(string id, CancellationToken cancellationToken) =>
        database.ReadAsync(c =>
        {
            using var command = c.CreateCommand();
            command.CommandText = "SELECT doc, etag FROM workflows WHERE id = $id;";
            command.Parameters.AddWithValue("$id", id);
            using var reader = command.ExecuteReader();
            if (!reader.Read())
            {
                return null;
            }
            var instance = JsonSerializer.Deserialize<WorkflowInstance>(reader.GetString(0), HubJson.Options)!;
            instance.ETag = reader.GetString(1);
            return instance;
        }, cancellationToken);

    public Task<WorkflowInstance> ReplaceAsync(WorkflowInstance instance, string ifMatch, CancellationToken cancellationToken) =>
        database.WriteAsync((c, tx) =>
        {
            var stored = WithNewETag(instance);
            using var command = c.CreateCommand();
            command.Transaction = tx;
            command.CommandText = "UPDATE workflows SET kind = $kind, status = $status, next_attempt_at = $next, etag = $etag, doc = $doc WHERE id = $id AND etag = $if_match;";
            Bind(command, stored);
            command.Parameters.AddWithValue("$if_match", ifMatch);
            if (command.ExecuteNonQuery() == 0)
            {
                using var exists = c.CreateCommand();
                exists.Transaction = tx;
                exists.CommandText = "SELECT 1 FROM workflows WHERE id = $id;";
                exists.Parameters.AddWithValue("$id", instance.Id);
                throw exists.ExecuteScalar() is null ? new NotFoundException("Workflow", instance.Id) : new PreconditionFailedException("Workflow", instance.Id);
            }
            return stored;
        }, cancellationToken);

    public Task<IReadOnlyList<string>> ListDueAsync(DateTimeOffset now, int maxItems, CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlyList<string>>(c =>
        {
            using var command = c.CreateCommand();
            command.CommandText = "SELECT id FROM workflows WHERE status = 'running' AND next_attempt_at <= $now ORDER BY next_attempt_at, id LIMIT $max;";
            command.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
            command.Parameters.AddWithValue("$max", maxItems);
            var ids = new List<string>();
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                ids.Add(reader.GetString(0));
            }
            return ids;
        }, cancellationToken);

    public Task<IReadOnlyDictionary<WorkflowStatus, int>> CountAsync(CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlyDictionary<WorkflowStatus, int>>(c =>
        {
            var counts = Enum.GetValues<WorkflowStatus>().ToDictionary(s => s, _ => 0);
            using var command = c.CreateCommand();
            command.CommandText = "SELECT status, count(*) FROM workflows GROUP BY status;";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                if (EnumNames<WorkflowStatus>.TryParse(reader.GetString(0), out var status))
                {
                    counts[status] = reader.GetInt32(1);
                }
            }
            return counts;
        }, cancellationToken);

    private static WorkflowInstance WithNewETag(WorkflowInstance instance)
    {
        var stored = instance.Clone();
        stored.ETag = Guid.NewGuid().ToString("N");
        return stored;
    }

    private static void Bind(SqliteCommand command, WorkflowInstance instance)
    {
        var p = command.Parameters;
        p.AddWithValue("$id", instance.Id);
        p.AddWithValue("$kind", instance.Kind);
        p.AddWithValue("$status", EnumNames<WorkflowStatus>.NameOf(instance.Status));
        p.AddWithValue("$next", (object?)instance.NextAttemptAt?.ToUnixTimeMilliseconds() ?? DBNull.Value);
        p.AddWithValue("$etag", instance.ETag);
        p.AddWithValue("$doc", JsonSerializer.Serialize(instance, HubJson.Options));
    }
}
