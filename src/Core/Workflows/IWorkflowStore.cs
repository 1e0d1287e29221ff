using ModelsHub.Contracts.Workflows;
using ModelsHub.Core.Common;

namespace ModelsHub.Core.Workflows;

/// <summary>Where workflow instances live.</summary>
public interface IWorkflowStore
{
    /// <summary>Stores a new instance; <see cref="ConflictException"/> when the id is taken.</summary>
    Task<WorkflowInstance> CreateAsync(WorkflowInstance instance, CancellationToken cancellationToken);

    /// <summary>The instance, or null.</summary>
    Task<WorkflowInstance?> FindAsync(string id, CancellationToken cancellationToken);

    /// <summary>Replaces the instance if its ETag still matches; <see cref="PreconditionFailedException"/> otherwise, <see cref="NotFoundException"/> when gone.</summary>
    Task<WorkflowInstance> ReplaceAsync(WorkflowInstance instance, string ifMatch, CancellationToken cancellationToken);

    /// <summary>Ids of running instances whose <see cref="WorkflowInstance.NextAttemptAt"/> is at or before <paramref name="now"/>, oldest first.</summary>
    Task<IReadOnlyList<string>> ListDueAsync(DateTimeOffset now, int maxItems, CancellationToken cancellationToken);

    /// <summary>A page of the instances with <paramref name="status"/>, in id order (administrators' list of failed workflows).</summary>
    Task<Page<WorkflowInstance>> ListAsync(WorkflowStatus status, int pageSize, string? continuationToken, CancellationToken cancellationToken);

    /// <summary>How many instances have each status (for health and tests).</summary>
    Task<IReadOnlyDictionary<WorkflowStatus, int>> CountAsync(CancellationToken cancellationToken);
}
