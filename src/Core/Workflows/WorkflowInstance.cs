using System.Text.Json.Serialization;
using ModelsHub.Contracts.Workflows;
using ModelsHub.Core.Common;

namespace ModelsHub.Core.Workflows;

/// <summary>
/// One durable process as a persisted state machine: the step it is at, its data, and when it
/// should be advanced next. The runner writes it only with the ETag it read.
/// </summary>
public sealed class WorkflowInstance : IStoredDocument<WorkflowInstance>
{
    public required string Id { get; init; }

    /// <summary>Which <see cref="IWorkflowDefinition"/> advances it.</summary>
    public required string Kind { get; init; }

    public WorkflowStatus Status { get; set; } = WorkflowStatus.Running;

    /// <summary>The step to run next (or the last one run, once completed or failed).</summary>
    public required string Step { get; set; }

    /// <summary>What the steps carry between them (names, numbers, URLs: never secrets).</summary>
    public Dictionary<string, string> Data { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Failed tries of the current step.</summary>
    public int Attempt { get; set; }

    /// <summary>When the instance is due; a running instance past it is re-enqueued by the sweeper.</summary>
    public DateTimeOffset? NextAttemptAt { get; set; }

    public string? LastError { get; set; }

    /// <summary>Who started it (a user id), so they may follow it.</summary>
    public string? StartedBy { get; init; }

    public List<WorkflowEvent> History { get; set; } = [];

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; set; }

    [JsonIgnore]
    public string? ETag { get; set; }

    public bool IsFinished => Status != WorkflowStatus.Running;

    public string? Get(string key) => Data.TryGetValue(key, out var value) ? value : null;

    public WorkflowInstance Clone() => new()
    {
        Id = Id,
        Kind = Kind,
        Status = Status,
        Step = Step,
        Data = new Dictionary<string, string>(Data, StringComparer.Ordinal),
        Attempt = Attempt,
        NextAttemptAt = NextAttemptAt,
        LastError = LastError,
        StartedBy = StartedBy,
        History = [.. History],
        CreatedAt = CreatedAt,
        UpdatedAt = UpdatedAt,
        ETag = ETag,
    };
}

/// <summary>One line of an instance's history: a step finished, failed, or the instance was retried.</summary>
public sealed record WorkflowEvent(DateTimeOffset At, string Step, string Outcome, string? Detail = null);

/// <summary>The message that asks the runner to advance an instance.</summary>
public sealed record WorkflowMessage(string WorkflowId);
