namespace ModelsHub.Contracts.Webhooks;

/// <summary>
/// The events a webhook subscribes to, by the names a subscription lists. The CloudEvents <c>type</c>
/// of each is <see cref="CloudEventTypePrefix"/> + the name (<c>io.modelshub.model.created</c>).
/// A feature that raises a new kind of event adds its name here.
/// </summary>
public static class WebhookEventTypes
{
    public const string CloudEventTypePrefix = "io.modelshub.";

    /// <summary>In a subscription: every event, including kinds added later.</summary>
    public const string All = "*";

    public const string ModelCreated = "model.created";
    public const string ModelUpdated = "model.updated";
    public const string ModelDeleted = "model.deleted";
    /// <summary>The model became public on the hub (registered public, or changed or approved to public).</summary>
    public const string ModelPublished = "model.published";
    public const string VersionReady = "version.ready";
    public const string VersionFailed = "version.failed";
    public const string ReviewSubmitted = "review.submitted";
    public const string ReviewDecided = "review.decided";
    public const string PullRequestOpened = "pull_request.opened";
    public const string PullRequestMerged = "pull_request.merged";
    public const string PullRequestClosed = "pull_request.closed";
    /// <summary>A dataset version's file passed validation: training may use it.</summary>
    public const string DatasetVersionReady = "dataset.version.ready";
    /// <summary>A dataset version's file failed validation (with the error count and the first errors).</summary>
    public const string DatasetVersionInvalid = "dataset.version.invalid";
    /// <summary>A dataset version's file never arrived intact (with the reason).</summary>
    public const string DatasetVersionFailed = "dataset.version.failed";
    /// <summary>An import (Hugging Face) ended: its version is ready with every file verified.</summary>
    public const string ImportSucceeded = "import.succeeded";
    /// <summary>An import failed (with the reason); what it added was taken back.</summary>
    public const string ImportFailed = "import.failed";
    /// <summary>An import was cancelled; what it added was taken back.</summary>
    public const string ImportCancelled = "import.cancelled";
    /// <summary>A training job was started (it is queued for its compute).</summary>
    public const string TrainingJobCreated = "training_job.created";
    /// <summary>The job's trainer runs (its compute says so, or its first events arrived).</summary>
    public const string TrainingJobRunning = "training_job.running";
    /// <summary>The job's output is registered as a new version with its lineage.</summary>
    public const string TrainingJobSucceeded = "training_job.succeeded";
    /// <summary>The job failed (the reason and the trainer's last log lines); nothing of its output stays.</summary>
    public const string TrainingJobFailed = "training_job.failed";
    public const string TrainingJobCancelled = "training_job.cancelled";
    /// <summary>A deployment was created, or a stopped or failed one started again: it waits for its workflow.</summary>
    public const string DeploymentPending = "deployment.pending";
    /// <summary>The hub looks at the server's registrations and registers the model's entries where it lacks them.</summary>
    public const string DeploymentRegistering = "deployment.registering";
    /// <summary>The model is being launched on the server (<c>POST /v1/models</c>).</summary>
    public const string DeploymentLaunching = "deployment.launching";
    /// <summary>The model runs on the server and can be called (also when its server answers again after being unreachable).</summary>
    public const string DeploymentRunning = "deployment.running";
    /// <summary>The deployment failed, with the server's reason.</summary>
    public const string DeploymentFailed = "deployment.failed";
    public const string DeploymentStopping = "deployment.stopping";
    public const string DeploymentStopped = "deployment.stopped";
    /// <summary>The server of a running deployment stopped answering the monitor.</summary>
    public const string DeploymentUnreachable = "deployment.unreachable";
    /// <summary>The deployment was forgotten (after its model was stopped on the server, or at once when stopped already).</summary>
    public const string DeploymentDeleted = "deployment.deleted";

    /// <summary>Sent by <c>POST /api/webhooks/{id}/ping</c> to that webhook only; not subscribable.</summary>
    public const string Ping = "ping";

    /// <summary>Every name a subscription may list (besides <see cref="All"/>).</summary>
    public static IReadOnlyList<string> Subscribable { get; } =
    [
        ModelCreated, ModelUpdated, ModelDeleted, ModelPublished,
        VersionReady, VersionFailed,
        ReviewSubmitted, ReviewDecided,
        PullRequestOpened, PullRequestMerged, PullRequestClosed,
        DatasetVersionReady, DatasetVersionInvalid, DatasetVersionFailed,
        ImportSucceeded, ImportFailed, ImportCancelled,
        TrainingJobCreated, TrainingJobRunning, TrainingJobSucceeded, TrainingJobFailed, TrainingJobCancelled,
        DeploymentPending, DeploymentRegistering, DeploymentLaunching, DeploymentRunning, DeploymentFailed,
        DeploymentStopping, DeploymentStopped, DeploymentUnreachable, DeploymentDeleted,
    ];

    public static string CloudEventType(string name) => CloudEventTypePrefix + name;
}
