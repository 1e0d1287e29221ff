using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModelsHub.Contracts.Uploads;
using ModelsHub.Core.Catalog;
using ModelsHub.Core.Common;
using ModelsHub.Core.Storage;
using ModelsHub.Core.Versions;

namespace ModelsHub.Core.Uploads;

/// <summary>What one sweep did.</summary>
public sealed record SweepReport(int ExpiredUploads, int ResumedUploads, int OrphanModels, int OrphanBlobs, int StaleVersions);

/// <summary>
/// The upload expiry timer's work: deletes expired uploads and their chunks, finishes uploads whose
/// worker died, and removes whatever no document references any more (versions and blobs of deleted
/// models, files of deleted versions, chunks of vanished uploads) so nothing is left behind.
/// </summary>
public sealed partial class UploadSweeper(
    IModelStore models,
    IVersionStore versions,
    IUploadSessionStore sessions,
    IBlobStore blobs,
    UploadService uploads,
    VersionCatalog catalog,
    VersionPurger purger,
    IOptions<UploadOptions> options,
    TimeProvider clock,
    ILogger<UploadSweeper> logger)
{
    private const int PageSize = 100;

    public async Task<SweepReport> SweepAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var (expired, resumed) = await SweepSessionsAsync(now, cancellationToken);
        var (orphanModels, stale) = await SweepVersionsAsync(now, cancellationToken);
        var orphanBlobs = await SweepBlobsAsync(now - options.Value.OrphanGracePeriod, cancellationToken);
        var report = new SweepReport(expired, resumed, orphanModels, orphanBlobs, stale);
        LogSwept(logger, report.ExpiredUploads, report.ResumedUploads, report.OrphanModels, report.OrphanBlobs, report.StaleVersions);
        return report;
    }

    private async Task<(int Expired, int Resumed)> SweepSessionsAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        int expired = 0, resumed = 0;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        // Sessions this sweep looked at that stay due (they failed, or a worker holds them): they keep
        // their place at the head of the list, so each page asks for that many more to reach the rest.
        var left = 0;
        while (true)
        {
            var due = (await sessions.ListDueAsync(now, PageSize + left, cancellationToken)).Where(s => seen.Add(s.Id)).ToList();
            if (due.Count == 0)
            {
                return (expired, resumed);
            }
            foreach (var session in due)
            {
                var leaseHeld = session.Status is UploadStatus.Completing or UploadStatus.Verified && session.LeaseUntil > now;
                try
                {
                    if (session.ExpiresAt <= now && !leaseHeld)
                    {
                        if (session.IsActive)
                        {
                            await blobs.DeleteAsync(session.StagingKey, cancellationToken);
                        }
                        await sessions.DeleteAsync(session.Id, cancellationToken);
                        expired++;
                    }
                    else if (!leaseHeld && session.Status is UploadStatus.Completing or UploadStatus.Verified)
                    {
                        var outcome = await uploads.ResumeAsync(session.Id).WaitAsync(cancellationToken);
                        resumed++;
                        if (outcome.Status is UploadStatus.Completing or UploadStatus.Verified)
                        {
                            left++;
                        }
                    }
                    else
                    {
                        left++;
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    // One upload's trouble (a storage error, a vanished blob) is its own: the others and the orphan cleanup still run.
                    left++;
                    LogSessionFailed(logger, ex, session.Id, ex.Message);
                }
            }
        }
    }

    private async Task<(int OrphanModels, int Stale)> SweepVersionsAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        int orphans = 0, stale = 0;
        foreach (var modelId in await versions.ListModelIdsAsync(cancellationToken))
        {
            try
            {
                var model = await models.FindAsync(modelId, cancellationToken);
                if (model is null)
                {
                    await purger.PurgeModelAsync(modelId, cancellationToken);
                    orphans++;
                    continue;
                }
                var modelSessions = await sessions.ListForModelAsync(model.Name, cancellationToken);
                stale += await catalog.SettleAsync(model, modelSessions, now - options.Value.SessionLifetime, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                LogCleanupFailed(logger, ex, modelId, ex.Message);
            }
        }
        return (orphans, stale);
    }

    private async Task<int> SweepBlobsAsync(DateTimeOffset olderThan, CancellationToken cancellationToken)
    {
        var doomed = new List<string>();
        string? modelId = null;
        IReadOnlyList<UploadSession> modelSessions = [];
        Dictionary<string, ModelVersion> modelVersions = [];
        await foreach (var blob in blobs.ListAsync(BlobKeys.ModelsPrefix, cancellationToken))
        {
            if (blob.LastModified > olderThan)
            {
                continue;
            }
            if (!BlobKeys.TryParseFile(blob.Key, out var m, out var v, out var file))
            {
                doomed.Add(blob.Key);
                continue;
            }
            if (m != modelId)
            {
                // Sessions before versions: an upload publishes its file before its session finishes,
                // so a file no finished version lists yet is still reserved by an active session.
                modelId = m;
                modelSessions = await sessions.ListForModelAsync(m, cancellationToken);
                modelVersions = (await versions.ListAsync(m, cancellationToken)).ToDictionary(x => x.Id, StringComparer.Ordinal);
            }
            var reserved = modelSessions.Any(s => s.IsActive && string.Equals(s.BlobKey, blob.Key, StringComparison.Ordinal));
            var listed = modelVersions.TryGetValue(v, out var version) && version.Files.Any(f => f.Name == file);
            if (!reserved && !listed)
            {
                doomed.Add(blob.Key);
            }
        }
        await foreach (var blob in blobs.ListAsync(BlobKeys.UploadsPrefix, cancellationToken))
        {
            if (blob.LastModified > olderThan)
            {
                continue;
            }
            if (BlobKeys.TryParseUpload(blob.Key, out var id) && await sessions.FindAsync(id, cancellationToken) is { IsActive: true } session
                && session.StagingKey == blob.Key)
            {
                continue;
            }
            doomed.Add(blob.Key);
        }
        var removed = 0;
        foreach (var key in doomed)
        {
            try
            {
                await blobs.DeleteAsync(key, cancellationToken);
                removed++;
                LogOrphanBlob(logger, key);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                LogCleanupFailed(logger, ex, key, ex.Message);
            }
        }
        return removed;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Upload sweep: {Expired} expired uploads removed, {Resumed} stalled uploads finished, {OrphanModels} deleted models' versions removed, {OrphanBlobs} unreferenced blobs removed, {Stale} versions that never got a file failed")]
    private static partial void LogSwept(ILogger logger, int expired, int resumed, int orphanModels, int orphanBlobs, int stale);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Upload {Upload} could not be swept this time: {Reason}")]
    private static partial void LogSessionFailed(ILogger logger, Exception exception, string upload, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cleanup of {Item} failed this time and is retried on the next sweep: {Reason}")]
    private static partial void LogCleanupFailed(ILogger logger, Exception exception, string item, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Unreferenced blob {Key} removed")]
    private static partial void LogOrphanBlob(ILogger logger, string key);
}
