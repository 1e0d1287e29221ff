namespace ModelsHub.Contracts.Workflows;

/// <summary>A durable process as the API shows it: where it is, its data, and its history.</summary>
public sealed record WorkflowDto(
    string Id,
    string Kind,
    WorkflowStatus Status,
    string Step,
    IReadOnlyDictionary<string, string> Data,
    int Attempt,
    DateTimeOffset? NextAttemptAt,
    string? LastError,
    string? StartedBy,
    IReadOnlyList<WorkflowEventDto> History,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>One step's outcome in a workflow's history.</summary>
public sealed record WorkflowEventDto(DateTimeOffset At, string Step, string Outcome, string? Detail = null);

/// <summary><c>GET /api/workflows</c>: workflows with one status (administrators), most recently changed first.</summary>
public sealed record WorkflowListResponse(IReadOnlyList<WorkflowDto> Items, string? ContinuationToken);
