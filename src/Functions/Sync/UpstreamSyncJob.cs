using ModelsHub.Contracts.Sync;
using ModelsHub.Core.Upstream;
using ModelsHub.Functions.Triggers;

namespace ModelsHub.Functions.Sync;

/// <summary>
/// The <c>UpstreamSync</c> timer function: starts a sync run (or joins the one under way) and
/// returns; the workflow runner carries the run out, so the timer never waits on GitHub.
/// </summary>
public sealed class UpstreamSyncJob(UpstreamSync sync) : IScheduledJob
{
    public string Name => "UpstreamSync";

    public string ScheduleSetting => $"{SyncOptions.Section}:Schedule";

    public string DefaultSchedule => new SyncOptions().Schedule;

    public Task RunAsync(CancellationToken cancellationToken) => sync.StartAsync(SyncTrigger.Schedule, null, cancellationToken);
}
