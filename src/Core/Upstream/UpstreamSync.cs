using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModelsHub.Contracts.Sync;
using ModelsHub.Contracts.Workflows;
using ModelsHub.Contracts;
using ModelsHub.Core.Common;
using ModelsHub.Core.GitHub;
using ModelsHub.Core.Workflows;

namespace ModelsHub.Core.Upstream;

/// <summary>What asking for a sync gave: the run that does it, and whether it was already under way.</summary>
public sealed record SyncStart(SyncRun Run, bool Joined);

/// <summary>A run and the workflow carrying it out (null once the run ended and its workflow is gone).</summary>
public sealed record SyncRunView(SyncRun Run, WorkflowInstance? Workflow);

/// <summary>
/// Starts and follows runs of the upstream sync. At most one run is under way at a time: a start
/// finds the latest run, and while it is running joins it; otherwise it creates run N+1, whose id
/// derives from N+1, so of two triggers starting at once one creates it and the other (its create
/// refused as a conflict) joins. The run is carried out by the <see cref="UpstreamSyncWorkflow"/>
/// on the workflow runner (persisted, retried, swept after a crash); the run document holds what
/// the run found. A run whose workflow failed is marked failed the next time anyone looks.
/// </summary>
public sealed partial class UpstreamSync(ISyncRunStore runs, IWorkflowStore workflows, WorkflowStarter starter, IOptions<GitHubOptions> gitHub,
    IOptions<SyncOptions> options, TimeProvider clock, ILogger<UpstreamSync> logger)
{
    public const int MaxListed = 100;

    /// <summary>Starts a run, or joins the one under way.</summary>
    public async Task<SyncStart> StartAsync(SyncTrigger trigger, string? requestedBy, CancellationToken cancellationToken)
    {
        var latest = (await runs.ListRecentAsync(1, cancellationToken)).FirstOrDefault();
        for (var attempt = 0; ; attempt++)
        {
            if (latest is { Status: SyncRunStatus.Running })
            {
                latest = await SettleAsync(latest, cancellationToken);
                if (latest.Status == SyncRunStatus.Running)
                {
                    LogJoined(logger, latest.Id, EnumNames<SyncTrigger>.NameOf(trigger));
                    return new SyncStart(latest, Joined: true);
                }
            }
            var sequence = (latest?.Sequence ?? 0) + 1;
            var run = new SyncRun
            {
                Id = SyncRun.IdFor(sequence),
                Sequence = sequence,
                Trigger = trigger,
                RequestedBy = requestedBy,
                Repository = gitHub.Value.Target.ToString(),
                Ref = options.Value.Ref,
                StartedAt = clock.GetUtcNow(),
            };
            try
            {
                run = await runs.CreateAsync(run, cancellationToken);
            }
            catch (ConflictException) when (attempt < 10)
            {
                // Another trigger started run N+1 at the same moment: look at it (and join it).
                latest = await runs.FindAsync(run.Id, cancellationToken) ?? (await runs.ListRecentAsync(1, cancellationToken)).FirstOrDefault();
                continue;
            }
            // The run exists before its workflow; a start that stops in between leaves a run that
            // the next look (a join, a GET) gives its workflow, since starting it is idempotent.
            await StartWorkflowAsync(run, cancellationToken);
            LogStarted(logger, run.Id, EnumNames<SyncTrigger>.NameOf(trigger), run.Repository, run.Ref);
            return new SyncStart(run, Joined: false);
        }
    }

    /// <summary>The run with its workflow; <see cref="NotFoundException"/> when there is no such run.</summary>
    public async Task<SyncRunView> GetAsync(string id, CancellationToken cancellationToken)
    {
        var run = await runs.FindAsync(id, cancellationToken) ?? throw new NotFoundException("Sync run", id);
        run = await SettleAsync(run, cancellationToken);
        return new SyncRunView(run, await workflows.FindAsync(run.WorkflowId, cancellationToken));
    }

    /// <summary>The latest runs, newest first.</summary>
    public async Task<IReadOnlyList<SyncRun>> ListAsync(int maxItems, CancellationToken cancellationToken)
    {
        var recent = await runs.ListRecentAsync(Math.Clamp(maxItems, 1, MaxListed), cancellationToken);
        var settled = new List<SyncRun>(recent.Count);
        foreach (var run in recent)
        {
            settled.Add(run.Status == SyncRunStatus.Running ? await SettleAsync(run, cancellationToken) : run);
        }
        return settled;
    }

    /// <summary>The run as stored, or null (for the workflow's steps).</summary>
    public Task<SyncRun?> FindAsync(string id, CancellationToken cancellationToken) => runs.FindAsync(id, cancellationToken);

    /// <summary>
    /// Applies <paramref name="change"/> (false: nothing to change) to the stored run, re-reading it
    /// when another writer came first. Returns the run as stored.
    /// </summary>
    public async Task<SyncRun> RecordAsync(string id, Func<SyncRun, bool> change, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var current = await runs.FindAsync(id, cancellationToken) ?? throw new NotFoundException("Sync run", id);
            var next = current.Clone();
            if (!change(next))
            {
                return current;
            }
            try
            {
                return await runs.ReplaceAsync(next, current.ETag!, cancellationToken);
            }
            catch (PreconditionFailedException) when (attempt < 10)
            {
            }
        }
    }

    /// <summary>Ends a running run as failed (a run that already ended stays as it is).</summary>
    public async Task<SyncRun> FailAsync(string id, string reason, CancellationToken cancellationToken)
    {
        var failed = false;
        var run = await RecordAsync(id, run =>
        {
            if (run.Status != SyncRunStatus.Running) return false;
            Finish(run, SyncRunStatus.Failed);
            run.LastError = reason;
            return failed = true;
        }, cancellationToken);
        if (failed)
        {
            LogFailed(logger, id, reason);
        }
        return run;
    }

    /// <summary>Sets the run's outcome, end time and duration.</summary>
    public void Finish(SyncRun run, SyncRunStatus status)
    {
        var now = clock.GetUtcNow();
        run.Status = status;
        run.FinishedAt = now;
        run.DurationMs = (long)Math.Round((now - run.StartedAt).TotalMilliseconds);
    }

    /// <summary>A running run as it really is: failed when its workflow failed or ended without finishing it; given its workflow when it has none yet.</summary>
    private async Task<SyncRun> SettleAsync(SyncRun run, CancellationToken cancellationToken)
    {
        if (run.Status != SyncRunStatus.Running)
        {
            return run;
        }
        var workflow = await workflows.FindAsync(run.WorkflowId, cancellationToken);
        return workflow?.Status switch
        {
            null => await StartWorkflowAsync(run, cancellationToken),
            WorkflowStatus.Failed => await FailAsync(run.Id, workflow.LastError ?? "The run's workflow failed.", cancellationToken),
            WorkflowStatus.Completed => await FailAsync(run.Id, "The run's workflow ended without recording an outcome.", cancellationToken),
            _ => run,
        };
    }

    private async Task<SyncRun> StartWorkflowAsync(SyncRun run, CancellationToken cancellationToken)
    {
        await starter.StartAsync(UpstreamSyncWorkflow.KindName, UpstreamSyncWorkflow.Steps.Resolve, run.WorkflowId,
            new Dictionary<string, string> { ["runId"] = run.Id }, run.RequestedBy, cancellationToken);
        return run;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Upstream sync {Run} started ({Trigger}) from {Repository}@{Ref}")]
    private static partial void LogStarted(ILogger logger, string run, string trigger, string repository, string @ref);

    [LoggerMessage(Level = LogLevel.Information, Message = "Upstream sync requested ({Trigger}) while {Run} is under way; joined it")]
    private static partial void LogJoined(ILogger logger, string run, string trigger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Upstream sync {Run} failed: {Reason}")]
    private static partial void LogFailed(ILogger logger, string run, string reason);
}
