using ModelsHub.Contracts;
using ModelsHub.Contracts.Workflows;
using ModelsHub.Core.Common;
using ModelsHub.Core.Workflows;
using ModelsHub.Infrastructure.Documents;

namespace ModelsHub.Infrastructure.Sqlite;

/// <summary>Workflow instances in the <c>workflows</c> table, with the due time indexed for the sweeper.</summary>
public sealed class SqliteWorkflowStore(SqliteDatabase database) : IWorkflowStore
{
    private readonly SqliteDocumentTable<WorkflowInstance> _workflows = new SqliteDocumentTable<WorkflowInstance>(database, "workflows", StoredDocuments.Workflows)
        .Key("id", w => w.Id)
        .Column("kind", w => w.Kind)
        .Column("status", w => EnumNames<WorkflowStatus>.NameOf(w.Status))
        .Column("next_attempt_at", w => w.NextAttemptAt?.ToUnixTimeMilliseconds());

    public Task<WorkflowInstance> CreateAsync(WorkflowInstance instance, CancellationToken cancellationToken) => _workflows.CreateAsync(instance, cancellationToken);

    public Task<WorkflowInstance?> FindAsync(string id, CancellationToken cancellationToken) => _workflows.FindAsync(cancellationToken, id);

    public Task<WorkflowInstance> ReplaceAsync(WorkflowInstance instance, string ifMatch, CancellationToken cancellationToken) =>
        _workflows.ReplaceAsync(instance, ifMatch, cancellationToken);

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

    /// <summary>Through the (status, next_attempt_at) index; the token belongs to one status's listing.</summary>
    public Task<Page<WorkflowInstance>> ListAsync(WorkflowStatus status, int pageSize, string? continuationToken, CancellationToken cancellationToken)
    {
        var name = EnumNames<WorkflowStatus>.NameOf(status);
        return _workflows.QueryPageAsync(new SqliteKeyset("workflows:" + name), continuationToken, pageSize, (command, where) =>
        {
            where.Add("status = $status");
            command.Parameters.AddWithValue("$status", name);
        }, cancellationToken);
    }

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
}
