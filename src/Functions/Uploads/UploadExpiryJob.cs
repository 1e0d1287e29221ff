using ModelsHub.Core.Uploads;
using ModelsHub.Functions.Triggers;

namespace ModelsHub.Functions.Uploads;

/// <summary>
/// The <c>UploadExpiry</c> timer: removes expired uploads and their chunks, finishes stalled ones,
/// and sweeps away versions and blobs nothing references any more (daily at 03:30 UTC by default).
/// </summary>
public sealed class UploadExpiryJob(IServiceProvider services) : IScheduledJob
{
    public string Name => "UploadExpiry";

    public string ScheduleSetting => "Uploads:ExpirySchedule";

    public string DefaultSchedule => "0 30 3 * * *";

    // Resolved when it runs: jobs are built at start, and the sweeper's graph (every store) need not slow the start down.
    public Task RunAsync(CancellationToken cancellationToken) => services.GetRequiredService<UploadSweeper>().SweepAsync(cancellationToken);
}
