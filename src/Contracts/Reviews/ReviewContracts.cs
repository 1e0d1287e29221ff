using System.Text.Json;
using ModelsHub.Contracts.Models;
using ModelsHub.Contracts.PullRequests;

namespace ModelsHub.Contracts.Reviews;

/// <summary>A submission as reviewers and its submitter see it: what is proposed, the diff, and the decision.</summary>
public sealed record SubmissionDto(
    string Id,
    string ModelName,
    ModelType ModelType,
    ChangeKind Kind,
    int Revision,
    SubmissionState State,
    string Submitter,
    DateTimeOffset SubmittedAt,
    IReadOnlyList<FieldChangeDto> Changes,
    ModelDto? Proposed,
    bool AutoApproved,
    string? DecidedBy,
    DateTimeOffset? DecidedAt,
    string? Feedback,
    string? SupersededBy,
    string? WorkflowId,
    ModelPullRequestDto? PullRequest,
    DateTimeOffset? PublishedAt = null);

/// <summary>One field of the diff: its value before and as proposed (null where absent).</summary>
public sealed record FieldChangeDto(string Field, JsonElement? Before, JsonElement? After);

public sealed record SubmissionListResponse(IReadOnlyList<SubmissionDto> Items, string? ContinuationToken);

/// <summary>The model page's "review status" tab: the latest submission, its feedback, and the pull request.</summary>
public sealed record ReviewStatusResponse(string ModelName, SubmissionDto? Latest, ModelPullRequestDto? PullRequest, IReadOnlyList<SubmissionDto> Submissions);

/// <summary>One line of a model's audit history: who did what, when, and why.</summary>
public sealed record ModelHistoryEntry(DateTimeOffset At, string Action, string? By, int Revision, ChangeKind Kind, string SubmissionId, string? Detail);

public sealed record ModelHistoryResponse(string ModelName, IReadOnlyList<ModelHistoryEntry> Entries);

/// <summary>A reviewer's decision: <c>approve</c> or <c>reject</c> (feedback required when rejecting).</summary>
public sealed record DecisionRequest(string Decision, string? Feedback);
