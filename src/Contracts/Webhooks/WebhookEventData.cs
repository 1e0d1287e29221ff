using ModelsHub.Contracts.Datasets;
using ModelsHub.Contracts.Deployments;
using ModelsHub.Contracts.Imports;
using ModelsHub.Contracts.Models;
using ModelsHub.Contracts.PullRequests;
using ModelsHub.Contracts.Reviews;
using ModelsHub.Contracts.Training;
using ModelsHub.Contracts.Versions;

namespace ModelsHub.Contracts.Webhooks;

// The CloudEvents "data" of each event, so receivers written in C# read them as records.

/// <summary>What an event says about a model.</summary>
public sealed record EventModel(
    string Name,
    ModelType Type,
    ModelVisibility Visibility,
    ModelTier Tier,
    string Owner,
    ModelStatus Status,
    string Description,
    IReadOnlyList<string> Tags,
    string? DefaultVersion,
    DateTimeOffset UpdatedAt);

/// <summary><c>model.*</c>: the model after the change (before it, for <c>model.deleted</c>); <see cref="Changes"/> names the fields an update changed.</summary>
public sealed record ModelEventData(EventModel Model, IReadOnlyList<string>? Changes, string? Actor);

public sealed record EventFile(string Name, long Size, string Sha256);

public sealed record EventVersion(string Label, VersionStatus Status, string? FailureReason, IReadOnlyList<EventFile> Files);

/// <summary><c>version.ready</c> (with the file just verified) and <c>version.failed</c> (with the reason).</summary>
public sealed record VersionEventData(string Model, EventVersion Version, EventFile? File);

/// <summary>What validating a dataset version's file found: records, token estimate, and the error count with the first errors.</summary>
public sealed record EventValidation(DatasetFormat Format, string File, long RecordCount, long? TokenEstimate, long ErrorCount, IReadOnlyList<DatasetErrorDto> Errors);

public sealed record EventDatasetVersion(string Label, VersionStatus Status, string? FailureReason, IReadOnlyList<EventFile> Files, EventValidation? Validation);

/// <summary>
/// <c>dataset.version.ready</c> and <c>.invalid</c> (when its validation ends, with what it found) and
/// <c>dataset.version.failed</c> (its file never arrived intact, with the reason).
/// </summary>
public sealed record DatasetVersionEventData(string Dataset, EventDatasetVersion Version);

public sealed record EventReview(
    string Id,
    ChangeKind Kind,
    int Revision,
    SubmissionState State,
    string Submitter,
    DateTimeOffset SubmittedAt,
    string? DecidedBy,
    DateTimeOffset? DecidedAt,
    string? Feedback);

/// <summary><c>review.submitted</c> and <c>review.decided</c>.</summary>
public sealed record ReviewEventData(string Model, EventReview Review);

/// <summary><c>pull_request.opened</c>, <c>.merged</c> (the change is published upstream) and <c>.closed</c>.</summary>
public sealed record PullRequestEventData(string Model, ModelPullRequestDto PullRequest);

/// <summary>
/// What an event says about an import: where the files came from (the repository and the commit they
/// were read at), the model and version they became, and how it ended. <see cref="Files"/> are the
/// verified files of a succeeded import (their SHA-256 as the hub computed it), empty otherwise.
/// </summary>
public sealed record EventImport(
    string Id,
    string Source,
    string RepoId,
    string Revision,
    string Commit,
    ImportState State,
    string Model,
    bool ModelCreated,
    string? Version,
    int FileCount,
    long TotalBytes,
    IReadOnlyList<EventFile> Files,
    string? Error,
    string? Notice,
    string CreatedBy,
    DateTimeOffset? FinishedAt);

/// <summary><c>import.succeeded</c>, <c>import.failed</c> and <c>import.cancelled</c>.</summary>
public sealed record ImportEventData(EventImport Import);
/// <summary>What an event says about a training job: what it trains, how, and where it stands.</summary>
public sealed record EventTrainingJob(
    string Id,
    string Name,
    string Model,
    string Version,
    string Dataset,
    string DatasetVersion,
    string Trainer,
    string Method,
    string Compute,
    TrainingJobState State,
    string CreatedBy,
    DateTimeOffset CreatedAt,
    DateTimeOffset? EndedAt);

/// <summary>
/// <c>training_job.*</c>: the job after the change, its latest metrics, the model its output goes to and,
/// once it succeeded, the version it became; when it failed, the reason and the trainer's last log lines;
/// <see cref="Actor"/> is who started it (created) or cancelled it (cancelled).
/// </summary>
public sealed record TrainingJobEventData(
    EventTrainingJob Job,
    IReadOnlyDictionary<string, double> Metrics,
    string OutputModel,
    string? OutputVersion,
    string? Reason,
    IReadOnlyList<string>? LastLogLines,
    string? Actor);

/// <summary>What an event says about a deployment: what it serves, where, with which settings, and where it stands.</summary>
public sealed record EventDeployment(
    string Id,
    string Model,
    string? Version,
    string Server,
    ModelType ModelType,
    string ModelUid,
    string? Engine,
    string? Format,
    string? Quantization,
    int Replicas,
    DeploymentState State,
    DateTimeOffset StateChangedAt,
    string? Error,
    string CreatedBy,
    DateTimeOffset CreatedAt);

/// <summary>
/// <c>deployment.*</c>: one event per change of a deployment's state, named after the state it entered
/// (<c>deployment.deleted</c> when it was forgotten: <see cref="EventDeployment.State"/> is then the state
/// it was in). <see cref="PreviousState"/> is null for a new deployment; <see cref="Detail"/> is why
/// (the server's reason for a failure); <see cref="Actor"/> is the user whose request made the change
/// (a deploy, start, stop or delete), null for what the workflow and the monitor did.
/// </summary>
public sealed record DeploymentEventData(EventDeployment Deployment, DeploymentState? PreviousState, string? Detail, string? Actor);

/// <summary><c>ping</c>: sent on request to check that a receiver is reachable and verifies signatures.</summary>
public sealed record PingEventData(string WebhookId, string Message);
