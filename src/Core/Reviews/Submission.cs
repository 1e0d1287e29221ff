using System.Text.Json;
using System.Text.Json.Serialization;
using ModelsHub.Contracts.Models;
using ModelsHub.Contracts.Reviews;
using ModelsHub.Core.Catalog;
using ModelsHub.Core.Common;
using ModelsHub.Core.PullRequests;

namespace ModelsHub.Core.Reviews;

/// <summary>
/// A proposed change to a model, kept as a snapshot: the model as it was (<see cref="Before"/>),
/// the model as proposed (<see cref="Proposed"/>; null for a delete), and the field-by-field diff.
/// Submissions of one model are numbered by <see cref="Revision"/>; a newer one supersedes a pending one.
/// </summary>
public sealed class Submission : IStoredDocument<Submission>
{
    public required string Id { get; init; }

    public required string ModelName { get; init; }

    public ModelType ModelType { get; init; }

    public ChangeKind Kind { get; init; }

    /// <summary>1 for the model's first submission, then one more for each.</summary>
    public int Revision { get; init; }

    public SubmissionState State { get; set; } = SubmissionState.Pending;

    public required string Submitter { get; init; }

    public DateTimeOffset SubmittedAt { get; init; }

    /// <summary>The live model when the change was proposed (null for a registration).</summary>
    public HubModel? Before { get; init; }

    /// <summary>The model as it will be once approved (null for a delete).</summary>
    public HubModel? Proposed { get; init; }

    /// <summary>The live model's ETag the proposal is based on; approval applies only on top of it.</summary>
    public string? BaseETag { get; init; }

    public List<FieldChange> Changes { get; init; } = [];

    /// <summary>True when the submitter held the permission, so the change was applied at once.</summary>
    public bool AutoApproved { get; init; }

    public string? DecidedBy { get; set; }

    public DateTimeOffset? DecidedAt { get; set; }

    /// <summary>The reviewer's feedback: required when rejecting.</summary>
    public string? Feedback { get; set; }

    /// <summary>The newer submission that replaced this one before a decision.</summary>
    public string? SupersededBy { get; set; }

    /// <summary>The workflow that applies the approved change and opens the pull request.</summary>
    public string? WorkflowId { get; set; }

    public ModelPullRequest? PullRequest { get; set; }

    /// <summary>When the pull request carrying this change was seen merged: the change is published upstream.</summary>
    public DateTimeOffset? PublishedAt { get; set; }

    [JsonIgnore]
    public string? ETag { get; set; }

    public Submission Clone() => new()
    {
        Id = Id,
        ModelName = ModelName,
        ModelType = ModelType,
        Kind = Kind,
        Revision = Revision,
        State = State,
        Submitter = Submitter,
        SubmittedAt = SubmittedAt,
        Before = Before,
        Proposed = Proposed,
        BaseETag = BaseETag,
        Changes = Changes,
        AutoApproved = AutoApproved,
        DecidedBy = DecidedBy,
        DecidedAt = DecidedAt,
        Feedback = Feedback,
        SupersededBy = SupersededBy,
        WorkflowId = WorkflowId,
        PullRequest = PullRequest,
        PublishedAt = PublishedAt,
        ETag = ETag,
    };
}

/// <summary>One changed field: <c>description</c>, <c>readme</c>, <c>spec[0]</c>, ... with its old and new value.</summary>
public sealed record FieldChange(string Field, JsonElement? Before, JsonElement? After);

/// <summary>Filters of the reviewers' queue.</summary>
public sealed record SubmissionQuery
{
    public ModelType? Type { get; init; }

    public SubmissionState? State { get; init; }

    public string? Submitter { get; init; }

    public string? ModelName { get; init; }

    /// <summary>Only submissions made at or before this time (the queue's minimum age).</summary>
    public DateTimeOffset? SubmittedBefore { get; init; }

    /// <summary>Only submissions made at or after this time (the queue's maximum age).</summary>
    public DateTimeOffset? SubmittedAfter { get; init; }

    public int PageSize { get; init; } = Common.Paging.DefaultPageSize;

    public string? ContinuationToken { get; init; }
}
