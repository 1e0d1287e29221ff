namespace ModelsHub.Core.Training;

/// <summary>
/// Where trainers run (DESIGN.md "Compute is a port"): <c>local</c> processes on the hub's machine,
/// or one Kubernetes Job per training job. Every adapter gives a trainer exactly the contract's
/// environment (<see cref="TrainerLaunch.Environment"/>) and arguments; the hub learns what the
/// trainer does from its events, and from the adapter only whether it still runs.
/// </summary>
public interface ITrainingCompute
{
    /// <summary>The name jobs and configuration use (<c>local</c>, <c>kubernetes</c>).</summary>
    string Name { get; }

    /// <summary>Whether <paramref name="trainer"/> can run here (a command for local processes, an image for Kubernetes).</summary>
    bool CanRun(TrainerDefinition trainer);

    /// <summary>
    /// Starts the trainer for a job, or finds the one already started for it: never a second one while
    /// the first may be alive. Returns the handle that finds it again (after a restart too), or null
    /// when the compute has no room now (local: <c>MaxConcurrent</c> trainers run): the job stays queued.
    /// </summary>
    Task<ComputeLaunch?> StartAsync(TrainerLaunch launch, CancellationToken cancellationToken);

    /// <summary>What the trainer is doing now, by the handle <see cref="StartAsync"/> returned.</summary>
    Task<ComputeStatus> GetStatusAsync(string jobId, string handle, CancellationToken cancellationToken);

    /// <summary>Stops the trainer and everything it started (local: the process tree; Kubernetes: the Job, foreground). Stopping what is gone is not an error.</summary>
    Task StopAsync(string jobId, string handle, CancellationToken cancellationToken);

    /// <summary>Lets go of what the compute keeps for an ended job (local: its folder; Kubernetes: nothing, the Job's TTL removes it).</summary>
    Task ReleaseAsync(string jobId, string handle, CancellationToken cancellationToken);

    /// <summary>The trainer's last output lines (its standard output and error; the pod's log), for a failure's reason.</summary>
    Task<IReadOnlyList<string>> GetLogTailAsync(string jobId, string handle, int lines, CancellationToken cancellationToken);
}

/// <summary>What a trainer is started with: the contract's environment and the trainer's registered command or image.</summary>
public sealed record TrainerLaunch(string JobId, TrainerDefinition Trainer, IReadOnlyDictionary<string, string> Environment);

/// <summary>A started trainer: its handle, and whether this call started it (false: it was running already).</summary>
public sealed record ComputeLaunch(string Handle, bool Started);

public enum ComputePhase
{
    /// <summary>Accepted but not running yet (a pod being scheduled, an image being pulled).</summary>
    Pending,
    Running,
    /// <summary>Ended with exit code 0.</summary>
    Succeeded,
    /// <summary>Ended otherwise (<see cref="ComputeStatus.Reason"/> says how).</summary>
    Failed,
    /// <summary>The compute knows nothing of it (deleted, or lost with its machine).</summary>
    Missing,
}

public sealed record ComputeStatus(ComputePhase Phase, string? Reason = null, int? ExitCode = null)
{
    public bool HasEnded => Phase is ComputePhase.Succeeded or ComputePhase.Failed or ComputePhase.Missing;
}
