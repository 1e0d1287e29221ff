using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using ModelsHub.Contracts;
using ModelsHub.Contracts.Training;
using ModelsHub.Contracts.Workflows;
using ModelsHub.Core.Catalog;
using ModelsHub.Core.Common;
using ModelsHub.Core.Identity;
using ModelsHub.Core.Workflows;

namespace ModelsHub.Core.Training;

/// <summary>A new job as the API read it (every field named when wrong).</summary>
public sealed record TrainingJobInput(
    string? Name,
    string Model,
    string Version,
    string Dataset,
    string DatasetVersion,
    string? Trainer,
    string? Method,
    IReadOnlyDictionary<string, JsonElement>? Hyperparameters,
    string? Compute,
    string? OutputModel,
    string? OutputLabel);

/// <summary>A job and its workflow (null when it is gone or was never created).</summary>
public sealed record TrainingJobView(TrainingJob Job, WorkflowInstance? Workflow);

/// <summary>
/// Training jobs as callers see them (DESIGN.md "Training jobs"): start one (<c>training.run</c>, the
/// inputs visible and ready, the output model changeable, the trainer's checks passed), read and list
/// them (their starter, administrators, and whoever manages the base model), cancel one, read its
/// events, metrics and checkpoints. The <see cref="TrainingJobWorkflow"/> carries each job out.
/// </summary>
public sealed partial class TrainingJobs(
    ITrainingJobStore store,
    ITrainingEventStore events,
    TrainingJobUpdates updates,
    TrainerCatalog trainers,
    IEnumerable<ITrainingCompute> computes,
    ITrainingAssets assets,
    IModelStore models,
    IWorkflowStore workflows,
    WorkflowStarter starter,
    ILogger<TrainingJobs> logger)
{
    public const int MaxNameLength = 120;

    private readonly Dictionary<string, ITrainingCompute> _computes = computes.ToDictionary(c => c.Name, StringComparer.Ordinal);

    public IReadOnlyCollection<string> Computes => _computes.Keys;

    public TrainerCatalog Trainers => trainers;

    public ITrainingCompute Compute(string name) =>
        _computes.TryGetValue(name, out var compute) ? compute : throw new PermanentStepException($"The compute '{name}' is not configured on this hub.");

    public async Task<TrainingJob> CreateAsync(Caller caller, TrainingJobInput input, CancellationToken cancellationToken)
    {
        if (!caller.IsAuthenticated)
        {
            throw new AuthenticationRequiredException("Sign in to start a training job.");
        }
        if (!caller.Has(Permissions.RunTraining))
        {
            throw new ForbiddenException($"To start a training job you need the '{Permissions.RunTraining}' permission.");
        }
        var inputs = await assets.CheckAsync(caller, input.Model, input.Version, input.Dataset, input.DatasetVersion, input.OutputModel, input.OutputLabel, cancellationToken);
        var errors = new ValidationErrors();
        var choice = trainers.Choose(input.Trainer, input.Method, input.Hyperparameters, inputs.DatasetFormat, errors);
        var computeName = input.Compute ?? trainers.Options.DefaultCompute;
        if (!_computes.TryGetValue(computeName, out var compute))
        {
            errors.Add("compute", $"There is no compute '{computeName}' on this hub; it has: {string.Join(", ", _computes.Keys)}.");
        }
        else if (choice is not null && !compute.CanRun(choice.Trainer))
        {
            errors.Add("compute", $"The trainer '{choice.Trainer.Name}' cannot run on '{computeName}' ({(computeName == "local" ? "it has no Local:Command" : "it has no Container:Image")}).");
        }
        var now = updates.Clock.GetUtcNow();
        var name = input.Name ?? $"{inputs.Model}-{inputs.Version}-ft-{now:yyyyMMdd-HHmm}";
        if (name.Length is 0 or > MaxNameLength || name.Any(char.IsControl))
        {
            errors.Add("name", $"A job's name is 1 to {MaxNameLength} characters without control characters.");
        }
        errors.ThrowIfAny();

        var job = new TrainingJob
        {
            Id = NewId(now),
            Name = name,
            Model = inputs.Model,
            Version = inputs.Version,
            Dataset = inputs.Dataset,
            DatasetVersion = inputs.DatasetVersion,
            DatasetFormat = inputs.DatasetFormat,
            DatasetRecords = inputs.DatasetRecords,
            Trainer = choice!.Trainer.Name,
            Method = choice.Method,
            Hyperparameters = choice.Hyperparameters,
            Compute = computeName,
            OutputModel = inputs.OutputModel,
            RequestedLabel = input.OutputLabel,
            States = [new TrainingStateChange(TrainingJobState.Queued, now)],
            CreatedBy = caller.UserId!,
            CreatedAt = now,
            UpdatedAt = now,
        };
        // The workflow first (unsent): a crash before the job exists leaves a workflow that ends at once;
        // one after leaves a job whose workflow the sweeper sends.
        await starter.StartAsync(TrainingJobWorkflow.KindName, TrainingJobWorkflow.Steps.Validate, job.WorkflowId,
            new Dictionary<string, string> { ["jobId"] = job.Id }, caller.UserId, cancellationToken, send: false);
        var created = await store.CreateAsync(job, cancellationToken);
        await starter.SendAsync(job.WorkflowId, cancellationToken);
        await updates.RaiseAsync(created, CancellationToken.None);
        LogCreated(logger, created.Id, created.Model, created.Version, created.Dataset, created.DatasetVersion, created.Trainer, created.Compute, caller.UserId);
        return created;
    }

    /// <summary>The job, when the caller may see it (404 otherwise), settled against its workflow.</summary>
    public async Task<TrainingJobView> GetAsync(Caller caller, string id, CancellationToken cancellationToken)
    {
        var job = await FindVisibleAsync(caller, id, cancellationToken) ?? throw new NotFoundException("Training job", id);
        var workflow = await workflows.FindAsync(job.WorkflowId, cancellationToken);
        return new TrainingJobView(await SettleAsync(job, workflow, cancellationToken), workflow);
    }

    /// <summary>
    /// Jobs the caller may see, newest first: administrators see all; whoever manages <paramref name="query"/>'s
    /// model sees that model's jobs; everyone else (and <paramref name="mine"/>) their own.
    /// </summary>
    public async Task<Page<TrainingJob>> ListAsync(Caller caller, TrainingJobQuery query, bool mine, int pageSize, string? continuationToken, CancellationToken cancellationToken)
    {
        if (!caller.IsAuthenticated)
        {
            throw new AuthenticationRequiredException("Sign in to see training jobs.");
        }
        var everyone = !mine && (caller.IsAdmin || (query.Model is { } model && await ManagesAsync(caller, model, cancellationToken)));
        return await store.ListAsync(everyone ? query : query with { CreatedBy = caller.UserId }, pageSize, continuationToken, cancellationToken);
    }

    /// <summary>Asks the job to stop: a queued job is cancelled at once, a running one when its workflow has stopped its trainer.</summary>
    public async Task<TrainingJob> CancelAsync(Caller caller, string id, CancellationToken cancellationToken)
    {
        var job = await FindVisibleAsync(caller, id, cancellationToken) ?? throw new NotFoundException("Training job", id);
        if (job.IsEnded)
        {
            throw new ConflictException($"Training job '{id}' has already ended ({EnumNames<TrainingJobState>.NameOf(job.State)}).");
        }
        var now = updates.Clock.GetUtcNow();
        var saved = await updates.ChangeAsync(id, j =>
        {
            if (j.IsEnded || j.CancelRequested)
            {
                return false;
            }
            j.CancelRequested = true;
            j.CancelRequestedBy = caller.UserId;
            if (j.State == TrainingJobState.Queued && j.ComputeHandle is null)
            {
                j.MoveTo(TrainingJobState.Cancelled, now, $"cancelled by {caller.UserId} before it started");
            }
            return true;
        }, cancellationToken);
        await starter.WakeAsync(saved.WorkflowId, cancellationToken);
        LogCancelRequested(logger, id, caller.UserId);
        return saved;
    }

    /// <summary>The job's events after <paramref name="afterSeq"/> (of <paramref name="types"/> when given), when the caller may see the job.</summary>
    public async Task<(TrainingJob Job, IReadOnlyList<TrainingEvent> Events)> ReadEventsAsync(Caller caller, string id, long afterSeq, int maxItems,
        IReadOnlyCollection<TrainerEventType>? types, CancellationToken cancellationToken)
    {
        var job = await FindVisibleAsync(caller, id, cancellationToken) ?? throw new NotFoundException("Training job", id);
        return (job, await events.ListAsync(id, afterSeq, maxItems, types, cancellationToken));
    }

    /// <summary>The events after <paramref name="afterSeq"/> and the job as stored now (what a live reader polls; access was checked when it started).</summary>
    public async Task<(TrainingJob Job, IReadOnlyList<TrainingEvent> Events)> PollAsync(string id, long afterSeq, int maxItems, CancellationToken cancellationToken) =>
        (await updates.GetAsync(id, cancellationToken), await events.ListAsync(id, afterSeq, maxItems, null, cancellationToken));

    /// <summary>Administrators, the job's starter, and whoever manages its base model see it; null for anyone else.</summary>
    public async Task<TrainingJob?> FindVisibleAsync(Caller caller, string id, CancellationToken cancellationToken)
    {
        if (!caller.IsAuthenticated)
        {
            throw new AuthenticationRequiredException("Sign in to see training jobs.");
        }
        var job = await store.FindAsync(id, cancellationToken);
        if (job is null)
        {
            return null;
        }
        return caller.IsAdmin || caller.IsUser(job.CreatedBy) || await ManagesAsync(caller, job.Model, cancellationToken) ? job : null;
    }

    /// <summary>A job whose workflow failed (its retries spent) or vanished has failed too; a job is never left running without one.</summary>
    private async Task<TrainingJob> SettleAsync(TrainingJob job, WorkflowInstance? workflow, CancellationToken cancellationToken)
    {
        if (job.IsEnded)
        {
            return job;
        }
        if (workflow is null)
        {
            await starter.StartAsync(TrainingJobWorkflow.KindName, TrainingJobWorkflow.Steps.Validate, job.WorkflowId,
                new Dictionary<string, string> { ["jobId"] = job.Id }, job.CreatedBy, cancellationToken);
            return job;
        }
        if (workflow.Status == WorkflowStatus.Running)
        {
            return job;
        }
        var reason = workflow.Status == WorkflowStatus.Failed
            ? $"The job's workflow failed at step {workflow.Step}: {workflow.LastError}"
            : "The job's workflow ended without an outcome.";
        if (job.ComputeHandle is { } handle && _computes.TryGetValue(job.Compute, out var compute))
        {
            await compute.StopAsync(job.Id, handle, cancellationToken);
        }
        await assets.DiscardOutputAsync(job, cancellationToken);
        return await updates.EndAsync(job.Id, TrainingJobState.Failed, reason, cancellationToken);
    }

    private async Task<bool> ManagesAsync(Caller caller, string modelName, CancellationToken cancellationToken) =>
        await models.FindAsync(modelName, cancellationToken) is { } model && ModelAccess.CanSee(caller, model, updates.Clock.GetUtcNow())
        && ModelAccess.Missing(caller, model, ModelAction.Update) is null;

    /// <summary>Ids sort by creation time and fit a Kubernetes name: <c>tj-20261205-041300-a1b2c3</c>.</summary>
    private static string NewId(DateTimeOffset now) =>
        "tj-" + now.UtcDateTime.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture) + "-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));

    [LoggerMessage(Level = LogLevel.Information, Message = "Training job {Job} created: {Model} {Version} on {Dataset} {DatasetVersion} with {Trainer} on {Compute} by {User}")]
    private static partial void LogCreated(ILogger logger, string job, string model, string version, string dataset, string datasetVersion, string trainer, string compute, string? user);

    [LoggerMessage(Level = LogLevel.Information, Message = "Training job {Job}: cancel requested by {User}")]
    private static partial void LogCancelRequested(ILogger logger, string job, string? user);
}
