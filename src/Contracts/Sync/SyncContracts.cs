using ModelsHub.Contracts.Workflows;

namespace ModelsHub.Contracts.Sync;

/// <summary>A sync run as the API shows it: what it read, what it found, and the workflow carrying it out.</summary>
public sealed record SyncRunDto(
    string Id,
    long Sequence,
    SyncRunStatus Status,
    SyncTrigger Trigger,
    string? RequestedBy,
    string Repository,
    string Ref,
    string? Commit,
    DateTimeOffset StartedAt,
    DateTimeOffset? FinishedAt,
    long? DurationMs,
    int Entries,
    SyncCountsDto Counts,
    PullRequestCountsDto PullRequests,
    IReadOnlyList<SyncErrorDto> Errors,
    string? LastError,
    SyncWorkflowDto? Workflow);

/// <summary>What a run did to the catalog.</summary>
public sealed record SyncCountsDto(int Added = 0, int Updated = 0, int Unchanged = 0, int Removed = 0, int UnderReview = 0, int Errors = 0);

/// <summary>The open pull requests a run checked, and what it found them to be.</summary>
public sealed record PullRequestCountsDto(int Checked = 0, int Merged = 0, int Closed = 0, int Errors = 0);

/// <summary>An entry (or a pull request) the run could not take, and why.</summary>
public sealed record SyncErrorDto(string? Type, string? Model, string Reason);

/// <summary>Where the run's workflow is: its step, tries and last error while GitHub is retried.</summary>
public sealed record SyncWorkflowDto(string Id, WorkflowStatus Status, string Step, int Attempt, DateTimeOffset? NextAttemptAt, string? LastError);

/// <summary>The answer to <c>POST /api/sync</c>: the run's id, and whether the request joined a run already under way.</summary>
public sealed record SyncStartResponse(string RunId, bool Joined, SyncRunDto Run);

public sealed record SyncRunListResponse(IReadOnlyList<SyncRunDto> Items);
