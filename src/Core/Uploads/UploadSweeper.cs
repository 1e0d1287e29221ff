using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModelsHub.Contracts.Uploads;
using ModelsHub.Core.Assets;
using ModelsHub.Core.Common;
using ModelsHub.Core.Storage;
using ModelsHub.Core.Versions;

namespace ModelsHub.Core.Uploads;

/// <summary>What one sweep did.</summary>
public sealed record SweepReport(int ExpiredUploads, int ResumedUploads, int OrphanAssets, int OrphanBlobs, int StaleVersions);

/// <summary>
/// The upload expiry timer's work, for models and datasets alike: deletes expired uploads and their
/// chunks, finishes uploads whose worker died, and removes whatever no document references any more
/// (versions and blobs of deleted assets, files of deleted versions, chunks of vanished uploads) so
/// nothing is left behind.
/// </summary>
public sealed partial class UploadSweeper(
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
        var (orphanAssets, stale) = await SweepVersionsAsync(now, cancellationToken);
        var orphanBlobs = await SweepBlobsAsync(now - options.Value.OrphanGracePeriod, cancellationToken);
        var report = new SweepReport(expired, resumed, orphanAssets, orphanBlobs, stale);
        LogSwept(logger, report.ExpiredUploads, report.ResumedUploads, report.OrphanAssets, report.OrphanBlobs, report.StaleVersions);
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

    private async Task<(int OrphanAssets, int Stale)> SweepVersionsAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        int orphans = 0, stale = 0;
        foreach (var key in await versions.ListAssetKeysAsync(cancellationToken))
        {
            try
            {
                if (!AssetRef.TryParseKey(key, out var asset))
                {
                    LogUnknownKey(logger, key);
                    continue;
                }
                var found = await catalog.Assets(asset.Kind).FindAsync(asset.Name, cancellationToken);
                if (found is null)
                {
                    await purger.PurgeAssetAsync(asset, cancellationToken);
                    orphans++;
                    continue;
                }
                var assetSessions = await sessions.ListForAssetAsync(found.Ref, cancellationToken);
                stale += await catalog.SettleAsync(found, assetSessions, now - options.Value.SessionLifetime, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                LogCleanupFailed(logger, ex, key, ex.Message);
            }
        }
        return (orphans, stale);
    }

    private async Task<int> SweepBlobsAsync(DateTimeOffset olderThan, CancellationToken cancellationToken)
    {
        var doomed = new List<string>();
        foreach (var prefix in BlobKeys.PublishedPrefixes)
        {
            string? assetKey = null;
            IReadOnlyList<UploadSession> assetSessions = [];
            Dictionary<string, AssetVersion> assetVersions = [];
            await foreach (var blob in blobs.ListAsync(prefix, cancellationToken))
            {
                if (blob.LastModified > olderThan)
                {
                    continue;
                }
                if (!BlobKeys.TryParseFile(blob.Key, out var asset, out var v, out var file))
                {
                    doomed.Add(blob.Key);
                    continue;
                }
                if (asset.Key != assetKey)
                {
                    // Sessions before versions: an upload publishes its file before its session finishes,
                    // so a file no finished version lists yet is still reserved by an active session.
                    assetKey = asset.Key;
                    assetSessions = await sessions.ListForAssetAsync(asset, cancellationToken);
                    assetVersions = (await versions.ListAsync(asset, cancellationToken)).ToDictionary(x => x.Id, StringComparer.Ordinal);
                }
                var reserved = assetSessions.Any(s => s.IsActive && string.Equals(s.BlobKey, blob.Key, StringComparison.Ordinal));
                var listed = assetVersions.TryGetValue(v, out var version) && version.Files.Any(f => f.Name == file);
                if (!reserved && !listed)
                {
                    doomed.Add(blob.Key);
                }
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Upload sweep: {Expired} expired uploads removed, {Resumed} stalled uploads finished, {OrphanAssets} deleted models' or datasets' versions removed, {OrphanBlobs} unreferenced blobs removed, {Stale} versions that never got a file failed")]
    private static partial void LogSwept(ILogger logger, int expired, int resumed, int orphanAssets, int orphanBlobs, int stale);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Versions stored under {Key}, which names no kind of asset this hub knows, are left alone")]
    private static partial void LogUnknownKey(ILogger logger, string key);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Upload {Upload} could not be swept this time: {Reason}")]
    private static partial void LogSessionFailed(ILogger logger, Exception exception, string upload, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cleanup of {Item} failed this time and is retried on the next sweep: {Reason}")]
    private static partial void LogCleanupFailed(ILogger logger, Exception exception, string item, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Unreferenced blob {Key} removed")]
    private static partial void LogOrphanBlob(ILogger logger, string key);
}
