using ModelsHub.Contracts.Deployments;
using ModelsHub.Contracts.PullRequests;
using ModelsHub.Contracts.Webhooks;
using ModelsHub.Contracts.Imports;
using ModelsHub.Core.Catalog;
using ModelsHub.Core.Deployments;
using ModelsHub.Core.Imports;
using ModelsHub.Core.PullRequests;
using ModelsHub.Core.Reviews;
using ModelsHub.Core.Training;
using ModelsHub.Core.Versions;

namespace ModelsHub.Core.Events;

/// <summary>The events of models, versions, reviews, pull requests, training jobs and deployments: subjects and data from the hub's documents.</summary>
public static class EventPayloads
{
    public static string ModelSubject(string model) => $"models/{model}";

    public static EventModel Model(HubModel m) =>
        new(m.Name, m.Type, m.Visibility, m.Tier, m.Owner, m.Status, m.Description, m.Tags, m.DefaultVersion, m.UpdatedAt);

    public static EventFile File(VersionFile f) => new(f.Name, f.Size, f.Sha256);

    /// <summary>A model version's event (<paramref name="owner"/>: the model's owner, when known).</summary>
    public static HubEvent Version(string type, string? owner, AssetVersion version, VersionFile? file, DateTimeOffset now) =>
        HubEvent.Create(type, $"models/{version.Asset}/versions/{version.Label}", version.Asset, owner, version.CreatedBy,
            new VersionEventData(version.Asset, new EventVersion(version.Label, version.Status, version.FailureReason, version.Files.Select(File).ToList()),
                file is null ? null : File(file)), now);

    /// <summary>The first errors an event carries (the version itself has up to <see cref="Datasets.DatasetValidation.MaxErrors"/>).</summary>
    public const int DatasetErrorsInEvents = 10;

    /// <summary>
    /// A dataset version's event (<paramref name="owner"/>: the dataset's owner, when known). Its
    /// <see cref="HubEvent.Model"/> is null: a webhook narrowed to models does not receive it.
    /// </summary>
    public static HubEvent DatasetVersion(string type, string? owner, AssetVersion version, DateTimeOffset now) =>
        HubEvent.Create(type, $"datasets/{version.Asset}/versions/{version.Label}", null, owner, version.CreatedBy,
            new DatasetVersionEventData(version.Asset, new EventDatasetVersion(version.Label, version.Status, version.FailureReason, version.Files.Select(File).ToList(),
                version.Validation is { } v
                    ? new EventValidation(v.Format, v.File, v.RecordCount, v.Tokens?.Tokens, v.ErrorCount,
                        v.Errors.Take(DatasetErrorsInEvents).Select(e => new Contracts.Datasets.DatasetErrorDto(e.Line, e.Message)).ToList())
                    : null)), now);

    /// <summary>
    /// The webhook event a job's move into its state is (null for the states in between that only the job's
    /// own followers see: starting, uploading, registering). It concerns the base model and is the starter's:
    /// their webhooks receive it, as they alone (with administrators and the model's managers) see the job.
    /// </summary>
    public static HubEvent? TrainingJob(TrainingJob job, DateTimeOffset now)
    {
        var type = job.State switch
        {
            Contracts.Training.TrainingJobState.Queued => WebhookEventTypes.TrainingJobCreated,
            Contracts.Training.TrainingJobState.Running => WebhookEventTypes.TrainingJobRunning,
            Contracts.Training.TrainingJobState.Succeeded => WebhookEventTypes.TrainingJobSucceeded,
            Contracts.Training.TrainingJobState.Failed => WebhookEventTypes.TrainingJobFailed,
            Contracts.Training.TrainingJobState.Cancelled => WebhookEventTypes.TrainingJobCancelled,
            _ => null,
        };
        if (type is null)
        {
            return null;
        }
        var actor = job.State switch
        {
            Contracts.Training.TrainingJobState.Queued => job.CreatedBy,
            Contracts.Training.TrainingJobState.Cancelled => job.CancelRequestedBy,
            _ => null,
        };
        var failed = job.State == Contracts.Training.TrainingJobState.Failed;
        return HubEvent.Create(type, $"training-jobs/{job.Id}", job.Model, job.CreatedBy, actor,
            new TrainingJobEventData(
                new EventTrainingJob(job.Id, job.Name, job.Model, job.Version, job.Dataset, job.DatasetVersion, job.Trainer, job.Method, job.Compute, job.State,
                    job.CreatedBy, job.CreatedAt, job.EndedAt),
                job.Metrics.ToDictionary(m => m.Key, m => m.Value.Value, StringComparer.Ordinal),
                job.OutputModel,
                job.OutputRegistered ? job.OutputLabel : null,
                failed ? job.FailureReason : null,
                failed ? job.LastLogLines : null,
                actor), now);
    }

    /// <summary>
    /// A deployment's move into its state (<paramref name="previous"/>: the state it left, null for a new one), or its
    /// end (<paramref name="deleted"/>: <c>deployment.deleted</c>, with the state it was in). It concerns the deployed
    /// model and goes to that model's owner (<paramref name="owner"/>), as whoever sees the model sees its deployments.
    /// </summary>
    public static HubEvent Deployment(Deployment deployment, DeploymentState? previous, string? owner, string? actor, DateTimeOffset now, bool deleted = false)
    {
        var type = deleted ? WebhookEventTypes.DeploymentDeleted : deployment.State switch
        {
            DeploymentState.Pending => WebhookEventTypes.DeploymentPending,
            DeploymentState.Registering => WebhookEventTypes.DeploymentRegistering,
            DeploymentState.Launching => WebhookEventTypes.DeploymentLaunching,
            DeploymentState.Running => WebhookEventTypes.DeploymentRunning,
            DeploymentState.Failed => WebhookEventTypes.DeploymentFailed,
            DeploymentState.Stopping => WebhookEventTypes.DeploymentStopping,
            DeploymentState.Stopped => WebhookEventTypes.DeploymentStopped,
            DeploymentState.Unreachable => WebhookEventTypes.DeploymentUnreachable,
            _ => throw new ArgumentOutOfRangeException(nameof(deployment), deployment.State, "A deployment state without an event."),
        };
        var d = deployment;
        return HubEvent.Create(type, $"deployments/{d.Id}", d.Model, owner ?? d.CreatedBy, actor,
            new DeploymentEventData(
                new EventDeployment(d.Id, d.Model, d.Version, d.Server, d.ModelType, d.ModelUid, d.Engine, d.Format, d.Quantization, d.Replicas, d.State,
                    d.StateChangedAt, d.Error, d.CreatedBy, d.CreatedAt),
                previous, deleted ? null : d.History.LastOrDefault()?.Detail, actor), now);
    }

    public static HubEvent Review(string type, Submission s, string? owner, string? actor, DateTimeOffset now) =>
        HubEvent.Create(type, $"reviews/{s.Id}", s.ModelName, owner ?? s.Proposed?.Owner ?? s.Before?.Owner, actor,
            new ReviewEventData(s.ModelName, new EventReview(s.Id, s.Kind, s.Revision, s.State, s.Submitter, s.SubmittedAt, s.DecidedBy, s.DecidedAt, s.Feedback)), now);

    public static HubEvent PullRequest(string model, string? owner, ModelPullRequest pr, DateTimeOffset now) =>
        HubEvent.Create(pr.State switch
            {
                PullRequestState.Merged => WebhookEventTypes.PullRequestMerged,
                PullRequestState.Closed => WebhookEventTypes.PullRequestClosed,
                _ => WebhookEventTypes.PullRequestOpened,
            },
            $"models/{model}/pull-requests/{pr.Number}", model, owner, null,
            new PullRequestEventData(model, new ModelPullRequestDto(pr.Number, pr.Url, pr.State, pr.Repository, pr.Branch, pr.SubmissionId, pr.UpdatedAt, pr.PublishedAt)), now);

    /// <summary>
    /// An import that ended: <c>import.succeeded</c>, <c>.failed</c> or <c>.cancelled</c> by its state. The
    /// event id is the import's and its outcome's, so raising it again after a crash (the ending step runs
    /// again) gives receivers the same id. <paramref name="owner"/> is the model's owner (the importer when
    /// the model is gone with a failed import's take-back).
    /// </summary>
    public static HubEvent Import(ModelImport import, string? owner, DateTimeOffset now)
    {
        var type = import.State switch
        {
            ImportState.Succeeded => WebhookEventTypes.ImportSucceeded,
            ImportState.Cancelled => WebhookEventTypes.ImportCancelled,
            ImportState.Failed => WebhookEventTypes.ImportFailed,
            _ => throw new ArgumentException($"Import '{import.Id}' has not ended.", nameof(import)),
        };
        var files = import.State == ImportState.Succeeded
            ? import.Files.Select(f => new EventFile(f.Path, f.Size, f.VerifiedSha256 ?? f.Sha256 ?? "")).ToList()
            : [];
        var data = new ImportEventData(new EventImport(import.Id, import.Source, import.RepoId, import.Revision, import.Commit, import.State,
            import.Model, import.ModelCreated, import.Version, import.Files.Count, import.TotalBytes, files, import.Error, import.Notice,
            import.CreatedBy, import.FinishedAt));
        return HubEvent.Create(type, $"imports/{import.Id}", import.Model, owner ?? import.CreatedBy, import.CreatedBy, data, now) with
        {
            Id = $"evt_{import.Id}_{type[(type.IndexOf('.') + 1)..]}",
        };
    }

    /// <summary>
    /// What a committed model write means to subscribers: created, deleted, or updated (with the fields that
    /// changed; a change of only the pull request's state is a <c>pull_request.*</c> event instead), and
    /// published when it made the model public.
    /// </summary>
    public static IEnumerable<HubEvent> ForModelChange(ModelChange change, DateTimeOffset now)
    {
        var subject = ModelSubject(change.Name);
        if (change.After is null)
        {
            if (change.Before is { } gone)
            {
                yield return HubEvent.Create(WebhookEventTypes.ModelDeleted, subject, gone.Name, gone.Owner, change.Actor, new ModelEventData(Model(gone), null, change.Actor), now);
            }
            yield break;
        }
        var after = change.After;
        if (change.Before is not { } before)
        {
            yield return HubEvent.Create(WebhookEventTypes.ModelCreated, subject, after.Name, after.Owner, change.Actor, new ModelEventData(Model(after), null, change.Actor), now);
        }
        else
        {
            var changes = ChangedFields(before, after);
            if (changes.Count > 0)
            {
                yield return HubEvent.Create(WebhookEventTypes.ModelUpdated, subject, after.Name, after.Owner, change.Actor, new ModelEventData(Model(after), changes, change.Actor), now);
            }
        }
        if (after.Visibility == Contracts.Models.ModelVisibility.Public && change.Before?.Visibility != Contracts.Models.ModelVisibility.Public)
        {
            yield return HubEvent.Create(WebhookEventTypes.ModelPublished, subject, after.Name, after.Owner, change.Actor, new ModelEventData(Model(after), null, change.Actor), now);
        }
    }

    /// <summary>The wire names of the fields that differ, in the API's order.</summary>
    public static List<string> ChangedFields(HubModel a, HubModel b)
    {
        var changed = new List<string>();
        void Check(bool differs, string name)
        {
            if (differs) changed.Add(name);
        }
        Check(a.Type != b.Type, "type");
        Check(a.Description != b.Description, "description");
        Check(a.Readme != b.Readme, "readme");
        Check(!a.Tags.SequenceEqual(b.Tags, StringComparer.Ordinal), "tags");
        Check(a.Framework != b.Framework, "framework");
        Check(a.Source != b.Source, "source");
        Check(a.Visibility != b.Visibility, "visibility");
        Check(a.Tier != b.Tier, "tier");
        Check(a.Owner != b.Owner, "owner");
        Check(a.Status != b.Status, "status");
        Check(a.ExpiresAt != b.ExpiresAt, "expiresAt");
        Check(a.Featured != b.Featured, "featured");
        Check(!Specs.XinferenceSpec.SameJson(a.Spec, b.Spec), "spec");
        Check(a.DefaultVersion != b.DefaultVersion || a.DefaultVersionPinned != b.DefaultVersionPinned, "defaultVersion");
        Check(a.RemovedUpstreamAt != b.RemovedUpstreamAt, "removedUpstreamAt");
        return changed;
    }
}
