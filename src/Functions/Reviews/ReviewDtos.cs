using ModelsHub.Contracts.Models;
using ModelsHub.Contracts.Reviews;
using ModelsHub.Core.Catalog;
using ModelsHub.Core.PullRequests;
using ModelsHub.Core.Reviews;
using ModelsHub.Functions.Models;

namespace ModelsHub.Functions.Reviews;

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
    IReadOnlyList<FieldChange> Changes,
    ModelDto? Proposed,
    bool AutoApproved,
    string? DecidedBy,
    DateTimeOffset? DecidedAt,
    string? Feedback,
    string? SupersededBy,
    string? WorkflowId,
    ModelPullRequest? PullRequest,
    DateTimeOffset? PublishedAt = null);

public sealed record SubmissionListResponse(IReadOnlyList<SubmissionDto> Items, string? ContinuationToken);

/// <summary>The model page's "review status" tab: the latest submission, its feedback, and the pull request.</summary>
public sealed record ReviewStatusResponse(string ModelName, SubmissionDto? Latest, ModelPullRequest? PullRequest, IReadOnlyList<SubmissionDto> Submissions);

/// <summary>One line of a model's audit history: who did what, when, and why.</summary>
public sealed record ModelHistoryEntry(DateTimeOffset At, string Action, string? By, int Revision, ChangeKind Kind, string SubmissionId, string? Detail);

public sealed record ModelHistoryResponse(string ModelName, IReadOnlyList<ModelHistoryEntry> Entries);

public sealed record DecisionRequest(string Decision, string? Feedback);

public static class ReviewMappings
{
    public static SubmissionDto ToDto(this Submission s) => new(
        s.Id, s.ModelName, s.ModelType, s.Kind, s.Revision, s.State, s.Submitter, s.SubmittedAt, s.Changes, s.Proposed?.ToDto(),
        s.AutoApproved, s.DecidedBy, s.DecidedAt, s.Feedback, s.SupersededBy, s.WorkflowId, s.PullRequest, s.PublishedAt);

    /// <summary>The decisions kept on the model's submissions, as a timeline.</summary>
    public static IEnumerable<ModelHistoryEntry> ToHistory(this Submission s)
    {
        yield return new(s.SubmittedAt, s.AutoApproved ? "changed" : "submitted", s.Submitter, s.Revision, s.Kind, s.Id,
            string.Join(", ", s.Changes.Select(c => c.Field)));
        if (s.DecidedAt is { } at && !s.AutoApproved)
        {
            yield return new(at, s.State == SubmissionState.Approved ? "approved" : "rejected", s.DecidedBy, s.Revision, s.Kind, s.Id, s.Feedback);
        }
        if (s.State == SubmissionState.Superseded)
        {
            yield return new(s.SubmittedAt, "superseded", null, s.Revision, s.Kind, s.Id, $"replaced by {s.SupersededBy}");
        }
        if (s.PullRequest is { } pr)
        {
            yield return new(pr.UpdatedAt, "pull-request", null, s.Revision, s.Kind, s.Id, $"#{pr.Number} {pr.Url}");
        }
        if (s.PublishedAt is { } published)
        {
            yield return new(published, "published", null, s.Revision, s.Kind, s.Id, $"#{s.PullRequest?.Number} merged into {s.PullRequest?.Repository}");
        }
    }
}
