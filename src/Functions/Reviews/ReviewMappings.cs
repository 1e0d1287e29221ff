using ModelsHub.Contracts.Models;
using ModelsHub.Contracts.Reviews;
using ModelsHub.Core.Reviews;
using ModelsHub.Functions.Models;

namespace ModelsHub.Functions.Reviews;

public static class ReviewMappings
{
    public static SubmissionDto ToDto(this Submission s) => new(
        s.Id, s.ModelName, s.ModelType, s.Kind, s.Revision, s.State, s.Submitter, s.SubmittedAt,
        s.Changes.Select(c => new FieldChangeDto(c.Field, c.Before, c.After)).ToList(), s.Proposed?.ToDto(),
        s.AutoApproved, s.DecidedBy, s.DecidedAt, s.Feedback, s.SupersededBy, s.WorkflowId, s.PullRequest?.ToDto(), s.PublishedAt);

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
