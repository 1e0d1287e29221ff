using Microsoft.Azure.Cosmos;
using ModelsHub.Contracts;
using ModelsHub.Contracts.Workflows;
using ModelsHub.Core.Common;
using ModelsHub.Core.Workflows;
using ModelsHub.Infrastructure.Documents;

namespace ModelsHub.Infrastructure.Cosmos;

/// <summary>
/// Workflow instances in the <c>workflows</c> container, partitioned by id: the runner's read and
/// ETag-conditioned write per step are point operations; the sweeper's due query and the counts
/// are bounded cross-partition queries.
/// </summary>
public sealed class CosmosWorkflowStore(CosmosDatabase database) : IWorkflowStore
{
    // The sweeper's sort key beside the instance: a running instance without a due time is never due.
    private readonly CosmosDocumentContainer<WorkflowInstance> _workflows = new(database, HubContainers.Workflows, StoredDocuments.Workflows,
        CosmosDocumentShape<WorkflowInstance>.Inline((w, d) => d["nextAttemptMs"] = w.NextAttemptAt?.ToUnixTimeMilliseconds() ?? ModelDocuments.NeverMs),
        w => w.Id);

    public Task<WorkflowInstance> CreateAsync(WorkflowInstance instance, CancellationToken cancellationToken) =>
        _workflows.CreateAsync(instance, cancellationToken);

    public Task<WorkflowInstance?> FindAsync(string id, CancellationToken cancellationToken) => _workflows.FindAsync(id, id, cancellationToken);

    public Task<WorkflowInstance> ReplaceAsync(WorkflowInstance instance, string ifMatch, CancellationToken cancellationToken) =>
        _workflows.ReplaceAsync(instance, ifMatch, cancellationToken);

    /// <summary>A bounded batch: what is left is due again on the sweeper's next run.</summary>
    public async Task<IReadOnlyList<string>> ListDueAsync(DateTimeOffset now, int maxItems, CancellationToken cancellationToken) =>
        await _workflows.QueryRowsAsync<IdRow, string>(
            new QueryDefinition("SELECT c.id FROM c WHERE c.status = 'running' AND c.nextAttemptMs <= @now ORDER BY c.nextAttemptMs, c.id")
                .WithParameter("@now", now.ToUnixTimeMilliseconds()),
            row => row.Id, null, cancellationToken, maxItems);

    /// <summary>A cross-partition query by status; the token belongs to one status's listing.</summary>
    public Task<Page<WorkflowInstance>> ListAsync(WorkflowStatus status, int pageSize, string? continuationToken, CancellationToken cancellationToken)
    {
        var name = EnumNames<WorkflowStatus>.NameOf(status);
        return _workflows.QueryPageAsync(_workflows.Select("WHERE c.status = @status ORDER BY c.id").WithParameter("@status", name),
            "workflows:" + name, continuationToken, pageSize, null, cancellationToken);
    }

    /// <summary>One COUNT per status: the Cosmos stand-in has no GROUP BY.</summary>
    public async Task<IReadOnlyDictionary<WorkflowStatus, int>> CountAsync(CancellationToken cancellationToken)
    {
        var statuses = Enum.GetValues<WorkflowStatus>();
        var counts = await Task.WhenAll(statuses.Select(status => _workflows.CountAsync(
            new QueryDefinition("SELECT VALUE COUNT(1) FROM c WHERE c.status = @status").WithParameter("@status", EnumNames<WorkflowStatus>.NameOf(status)),
            cancellationToken)));
        return statuses.Select((s, i) => (s, (int)counts[i])).ToDictionary(p => p.s, p => p.Item2);
    }

    private sealed record IdRow(string Id);
}
