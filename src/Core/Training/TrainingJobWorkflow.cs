using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using ModelsHub.Contracts;
using ModelsHub.Contracts.Training;
using ModelsHub.Core.Common;
using ModelsHub.Core.Workflows;

namespace ModelsHub.Core.Training;

/// <summary>
/// Carries a training job out on the workflow runner: <c>validate</c> (the inputs still exist and are
/// ready) → <c>stage</c> (the job's token) → <c>submit</c> (signed read links, then the trainer on its
/// compute; queued while the compute has no room) → <c>monitor</c> (the trainer's process or pod, the
/// cancel request, the timeout) → <c>collect</c> (every event arrived; the output's upload committed
/// and verified) → <c>register</c> (final metrics on the output version: succeeded). Every step reads
/// the job as stored and may run again after a crash: the compute finds the trainer a first run
/// started instead of starting another, the output version is the one the job reserved, and a job
/// that ended (failed, cancelled) is not worked on again. A job fails readably, and what it put into
/// the output model is taken back.
/// </summary>
public sealed partial class TrainingJobWorkflow(
    TrainingJobs jobs,
    TrainingJobUpdates updates,
    ITrainingEventStore events,
    ITrainingAssets assets,
    JobTokens tokens,
    Microsoft.Extensions.Options.IOptions<TrainingOptions> options,
    HubAddresses addresses,
    ILogger<TrainingJobWorkflow> logger) : IWorkflowDefinition
{
    public const string KindName = "training-job";

    public static class Steps
    {
        public const string Validate = "validate-inputs";
        public const string Stage = "stage";
        public const string Submit = "submit";
        public const string Monitor = "monitor";
        public const string Collect = "collect";
        public const string Register = "register";
    }

    /// <summary>How often a queued job asks its compute for room again.</summary>
    private static readonly TimeSpan QueuedRetry = TimeSpan.FromSeconds(2);

    private TrainingOptions Options => options.Value;

    public string Kind => KindName;

    public string FirstStep => Steps.Validate;

    public async Task<StepOutcome> RunStepAsync(WorkflowInstance instance, CancellationToken cancellationToken)
    {
        var id = instance.Get("jobId") ?? throw new PermanentStepException("The workflow lost its job id.");
        var job = await updates.GetAsync(id, cancellationToken).ContinueWith(t => t.IsCompletedSuccessfully ? t.Result : null, TaskScheduler.Default);
        if (job is null)
        {
            // Created just before a crash that came before the job: nothing to do.
            return StepOutcome.Complete(note: $"Training job {id} does not exist.");
        }
        if (job.IsEnded)
        {
            // Ended elsewhere (its events were refused, it was settled as failed): its trainer must not run on.
            if (job.State != TrainingJobState.Succeeded)
            {
                if (job.ComputeHandle is { } handle && jobs.Computes.Contains(job.Compute))
                {
                    await jobs.Compute(job.Compute).StopAsync(job.Id, handle, cancellationToken);
                }
                await assets.DiscardOutputAsync(job, cancellationToken);
            }
            await ReleaseAsync(job, cancellationToken);
            return StepOutcome.Complete(note: $"The job has ended ({EnumNames<TrainingJobState>.NameOf(job.State)}).");
        }
        if (job.CancelRequested)
        {
            return await CancelAsync(job, cancellationToken);
        }
        try
        {
            return instance.Step switch
            {
                Steps.Validate => await ValidateAsync(job, cancellationToken),
                Steps.Stage => await StageAsync(job, cancellationToken),
                Steps.Submit => await SubmitAsync(job, cancellationToken),
                Steps.Monitor => await MonitorAsync(job, cancellationToken),
                Steps.Collect => await CollectAsync(job, cancellationToken),
                Steps.Register => await RegisterAsync(job, cancellationToken),
                _ => throw new PermanentStepException($"Unknown step '{instance.Step}'."),
            };
        }
        catch (PermanentStepException ex)
        {
            return await FailAsync(job, ex.Message, cancellationToken);
        }
    }

    private async Task<StepOutcome> ValidateAsync(TrainingJob job, CancellationToken cancellationToken)
    {
        if (await assets.RecheckAsync(job, cancellationToken) is { } problem)
        {
            return await FailAsync(job, problem, cancellationToken);
        }
        return StepOutcome.Continue(Steps.Stage, note: "The base version and the dataset version are ready.");
    }

    private async Task<StepOutcome> StageAsync(TrainingJob job, CancellationToken cancellationToken)
    {
        if (job.TokenHash is null || tokens.Read(job) is null)
        {
            await updates.ChangeAsync(job.Id, j =>
            {
                if (j.TokenHash is not null && tokens.Read(j) is not null)
                {
                    return false;
                }
                tokens.Issue(j);
                return true;
            }, cancellationToken);
        }
        return StepOutcome.Continue(Steps.Submit, note: "The job's token is issued.");
    }

    private async Task<StepOutcome> SubmitAsync(TrainingJob job, CancellationToken cancellationToken)
    {
        if (job.ComputeHandle is not null)
        {
            return StepOutcome.Continue(Steps.Monitor, note: $"The trainer was started before ({job.ComputeHandle}).");
        }
        var trainer = jobs.Trainers.Find(job.Trainer) ?? throw new PermanentStepException($"The trainer '{job.Trainer}' is no longer configured.");
        var compute = jobs.Compute(job.Compute);
        var token = tokens.Read(job) ?? throw new PermanentStepException("The job's token can no longer be read (the key ring changed).");
        var hub = addresses.TrainerHub;
        var (baseFiles, dataset) = await assets.GetInputLinksAsync(job, hub, Options.InputLinkLifetime, cancellationToken);
        var deadline = updates.Clock.GetUtcNow() + Options.Timeout;
        var jobUrl = new Uri(hub, $"api/training-jobs/{Uri.EscapeDataString(job.Id)}/");
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [TrainerEnvironment.JobId] = job.Id,
            [TrainerEnvironment.Trainer] = job.Trainer,
            [TrainerEnvironment.Method] = job.Method,
            [TrainerEnvironment.Hyperparameters] = JsonSerializer.Serialize(job.Hyperparameters, ContractJson.RequestOptions),
            [TrainerEnvironment.BaseFiles] = JsonSerializer.Serialize(baseFiles, ContractJson.RequestOptions),
            [TrainerEnvironment.Dataset] = JsonSerializer.Serialize(dataset, ContractJson.RequestOptions),
            [TrainerEnvironment.EventsUrl] = new Uri(jobUrl, "events?token=" + Uri.EscapeDataString(token)).ToString(),
            [TrainerEnvironment.OutputUrl] = new Uri(jobUrl, "output?token=" + Uri.EscapeDataString(token)).ToString(),
            [TrainerEnvironment.Deadline] = deadline.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        };
        var launch = await compute.StartAsync(new TrainerLaunch(job.Id, trainer, environment), cancellationToken);
        if (launch is null)
        {
            return StepOutcome.After(QueuedRetry, Steps.Submit, note: $"Waiting for room on the {job.Compute} compute.");
        }
        var now = updates.Clock.GetUtcNow();
        await updates.ChangeAsync(job.Id, j =>
        {
            if (j.IsEnded || j.ComputeHandle is not null)
            {
                return false;
            }
            j.ComputeHandle = launch.Handle;
            j.Launches = Math.Max(j.Launches, 1);
            j.StartedAt ??= now;
            if (j.State == TrainingJobState.Queued)
            {
                j.MoveTo(TrainingJobState.Starting, now, $"{job.Compute}: {launch.Handle}");
            }
            return true;
        }, cancellationToken);
        LogSubmitted(logger, job.Id, job.Compute, launch.Handle, launch.Started);
        return StepOutcome.Continue(Steps.Monitor, note: $"Trainer {(launch.Started ? "started" : "found running")} on {job.Compute}: {launch.Handle}.");
    }

    private async Task<StepOutcome> MonitorAsync(TrainingJob job, CancellationToken cancellationToken)
    {
        if (job.Output is not null)
        {
            return StepOutcome.Continue(Steps.Collect, note: "The trainer posted its output.");
        }
        var compute = jobs.Compute(job.Compute);
        var handle = job.ComputeHandle ?? throw new PermanentStepException("The job has no trainer to follow.");
        var now = updates.Clock.GetUtcNow();
        if (job.StartedAt is { } started && now - started > Options.Timeout)
        {
            await compute.StopAsync(job.Id, handle, cancellationToken);
            return await FailAsync(job, $"The trainer ran longer than Training:Timeout ({Options.Timeout}) without posting its output; it was stopped.", cancellationToken);
        }
        var status = await compute.GetStatusAsync(job.Id, handle, cancellationToken);
        if (status.Phase == ComputePhase.Running && job.State == TrainingJobState.Starting)
        {
            await updates.ChangeAsync(job.Id, j => j.State == TrainingJobState.Starting && j.MoveTo(TrainingJobState.Running, now, $"{job.Compute} reports it running"), cancellationToken);
        }
        if (!status.HasEnded)
        {
            return StepOutcome.After(Options.MonitorInterval, Steps.Monitor);
        }
        // It ended: an output that arrived meanwhile still counts (the summary may have been written after this step read the job).
        var latest = await updates.GetAsync(job.Id, cancellationToken);
        if (latest.Output is not null)
        {
            return StepOutcome.Continue(Steps.Collect, note: "The trainer posted its output and ended.");
        }
        var tail = await compute.GetLogTailAsync(job.Id, handle, TrainingJob.MaxLogLines, cancellationToken);
        var said = latest.LastLogLines.LastOrDefault(l => l.StartsWith("error: ", StringComparison.Ordinal))?["error: ".Length..];
        var reason = status.Phase == ComputePhase.Succeeded
            ? "The trainer ended (exit code 0) without posting its output event."
            : $"{status.Reason ?? "The trainer failed."}{(said is null ? "" : " The trainer said: " + said)}";
        return await FailAsync(job, reason, cancellationToken, tail);
    }

    private async Task<StepOutcome> CollectAsync(TrainingJob job, CancellationToken cancellationToken)
    {
        var output = job.Output ?? throw new PermanentStepException("The job has no output to collect.");
        var now = updates.Clock.GetUtcNow();
        var held = await events.CountAsync(job.Id, output.Seq, cancellationToken);
        if (held < output.Seq)
        {
            var since = job.States.LastOrDefault()?.At ?? now;
            if (now - since < Options.MissingEventsGrace)
            {
                return StepOutcome.After(TimeSpan.FromSeconds(1), Steps.Collect, note: $"Waiting for {output.Seq - held} events sent before the output.");
            }
            return await FailAsync(job, $"{output.Seq - held} of the trainer's events before its output (seq {output.Seq}) never arrived.", cancellationToken);
        }
        await updates.ChangeAsync(job.Id, j => !j.IsEnded && j.MoveTo(TrainingJobState.Registering, now, $"output {output.FileName} ({output.Size} bytes)"), cancellationToken);
        var completion = await assets.CompleteOutputAsync(job, cancellationToken);
        switch (completion.Status)
        {
            case OutputCompletionStatus.Verifying:
                return StepOutcome.After(TimeSpan.FromSeconds(1), Steps.Collect, note: "The output is being verified.");
            case OutputCompletionStatus.Failed:
                return await FailAsync(job, "The output was not accepted: " + completion.Reason, cancellationToken);
        }
        if (!string.Equals(completion.Sha256, output.Sha256, StringComparison.Ordinal) || completion.Size != output.Size)
        {
            return await FailAsync(job,
                $"The output's SHA-256 is {completion.Sha256} ({completion.Size} bytes) but the trainer's output event declared {output.Sha256} ({output.Size} bytes).",
                cancellationToken);
        }
        return StepOutcome.Continue(Steps.Register, note: $"Output verified: SHA-256 {completion.Sha256}.");
    }

    private async Task<StepOutcome> RegisterAsync(TrainingJob job, CancellationToken cancellationToken)
    {
        await assets.RegisterAsync(job, cancellationToken);
        var now = updates.Clock.GetUtcNow();
        var done = await updates.ChangeAsync(job.Id, j =>
        {
            if (j.IsEnded)
            {
                return false;
            }
            j.OutputRegistered = true;
            j.MoveTo(TrainingJobState.Succeeded, now, $"version {j.OutputLabel} of {j.OutputModel}");
            return true;
        }, cancellationToken);
        await ReleaseAsync(done, cancellationToken);
        LogSucceeded(logger, job.Id, job.OutputModel, done.OutputLabel);
        return StepOutcome.Complete(note: $"Registered as version {done.OutputLabel} of {done.OutputModel}.");
    }

    private async Task<StepOutcome> CancelAsync(TrainingJob job, CancellationToken cancellationToken)
    {
        if (job.ComputeHandle is { } handle)
        {
            await jobs.Compute(job.Compute).StopAsync(job.Id, handle, cancellationToken);
        }
        await assets.DiscardOutputAsync(job, cancellationToken);
        var ended = await updates.EndAsync(job.Id, TrainingJobState.Cancelled, $"cancelled by {job.CancelRequestedBy}", cancellationToken);
        await ReleaseAsync(ended, cancellationToken);
        return StepOutcome.Complete(note: $"Cancelled by {job.CancelRequestedBy}.");
    }

    private async Task<StepOutcome> FailAsync(TrainingJob job, string reason, CancellationToken cancellationToken, IReadOnlyList<string>? logTail = null)
    {
        if (job.ComputeHandle is { } handle)
        {
            await jobs.Compute(job.Compute).StopAsync(job.Id, handle, cancellationToken);
        }
        await assets.DiscardOutputAsync(job, cancellationToken);
        var now = updates.Clock.GetUtcNow();
        var ended = await updates.ChangeAsync(job.Id, j =>
        {
            if (j.IsEnded)
            {
                return false;
            }
            j.MoveTo(TrainingJobState.Failed, now, reason);
            j.FailureReason = reason;
            foreach (var line in logTail ?? [])
            {
                j.AddLogLine("output: " + line);
            }
            return true;
        }, cancellationToken);
        await ReleaseAsync(ended, cancellationToken);
        LogFailed(logger, job.Id, reason);
        return StepOutcome.Complete(note: "Failed: " + reason);
    }

    private async Task ReleaseAsync(TrainingJob job, CancellationToken cancellationToken)
    {
        if (job.ComputeHandle is { } handle && jobs.Computes.Contains(job.Compute))
        {
            await jobs.Compute(job.Compute).ReleaseAsync(job.Id, handle, cancellationToken);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Training job {Job}: trainer on {Compute} ({Handle}, newly started: {Started})")]
    private static partial void LogSubmitted(ILogger logger, string job, string compute, string handle, bool started);

    [LoggerMessage(Level = LogLevel.Information, Message = "Training job {Job} succeeded: version {Label} of {Model}")]
    private static partial void LogSucceeded(ILogger logger, string job, string model, string? label);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Training job {Job} failed: {Reason}")]
    private static partial void LogFailed(ILogger logger, string job, string reason);
}

/// <summary>
/// The hub's address as trainers reach it: <c>Training:HubUrl</c>, else <c>Hub:PublicBaseUrl</c>, else the
/// address this server listens on (asked of the server the first time it is needed).
/// </summary>
public sealed class HubAddresses(Func<Uri> resolve)
{
    private readonly Lazy<Uri> _trainerHub = new(() =>
    {
        var uri = resolve();
        return uri.AbsoluteUri.EndsWith('/') ? uri : new Uri(uri.AbsoluteUri + "/");
    });

    public Uri TrainerHub => _trainerHub.Value;
}
