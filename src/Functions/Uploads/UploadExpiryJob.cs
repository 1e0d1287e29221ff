using ModelsHub.Core.Uploads;
using ModelsHub.Functions.Triggers;

namespace ModelsHub.Functions.Uploads;

/// <summary>
/// The <c>UploadExpiry</c> timer: removes expired uploads and their chunks, finishes stalled ones,
/// and sweeps away versions and blobs nothing references any more (daily at 03:30 UTC by default).
/// </summary>
public sealed class UploadExpiryJob(UploadSweeper sweeper) : IScheduledJob
{
    public string Name => "UploadExpiry";

    public string ScheduleSetting => "Uploads:ExpirySchedule";

    public string DefaultSchedule => "0 30 3 * * *";

    public Task RunAsync(CancellationToken cancellationToken) => sweeper.SweepAsync(cancellationToken);
}
