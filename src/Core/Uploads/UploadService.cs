using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModelsHub.Contracts;
using ModelsHub.Contracts.Uploads;
using ModelsHub.Core.Assets;
using ModelsHub.Core.Common;
using ModelsHub.Core.Identity;
using ModelsHub.Core.Storage;
using ModelsHub.Core.Versions;

namespace ModelsHub.Core.Uploads;

/// <summary>Which chunks of an upload arrived.</summary>
public sealed record UploadProgress(int ChunksReceived, long BytesReceived, IReadOnlyList<int> ReceivedChunks, bool Committed);

/// <summary>An upload as a client sees it: the session, where to send chunks (while open), and what arrived.</summary>
public sealed record UploadState(UploadSession Session, UploadTarget? Target, UploadProgress Progress, bool Created = false);

/// <summary>What <c>complete</c> achieved: finished (the file is the version's), or still being verified in the background.</summary>
public sealed record UploadCompletion(UploadSession Session, AssetVersion? Version, bool Finished);

/// <summary>What handling a blob-created event did.</summary>
public enum BlobEventOutcome { Ignored, Completed, Failed, AlreadyFinished, InProgress }

/// <summary>
/// The upload protocol (DESIGN.md "Blob uploads") for the versions of every asset kind: open a
/// session, let the client stage chunks where the target says, then commit them in order, hash the
/// whole file server-side, compare it with the declared hash, and only then publish the file and
/// record it on the version (<see cref="VersionCatalog.RecordFileAsync"/>). Every step
/// after the claim is idempotent, so a complete call, a blob-created event and the sweeper can each
/// finish an upload that another started.
/// </summary>
public sealed partial class UploadService(
    VersionCatalog versions,
    IVersionStore versionStore,
    IUploadSessionStore sessions,
    IBlobStore blobs,
    UploadQuotas quotas,
    IOptions<UploadOptions> options,
    TimeProvider clock,
    ILogger<UploadService> logger)
{
    private readonly Dictionary<string, Task<UploadSession>> _running = new(StringComparer.Ordinal);

    private UploadOptions Options => options.Value;

    /// <summary>Checks a declaration for a version of <paramref name="asset"/> before anything is created (400, then 415, then 413).</summary>
    public UploadRequest Validate(UploadRequest request, VersionedAsset asset, string fieldPrefix = "") =>
        UploadRules.Validate(request, Options, fieldPrefix, asset.Files.AcceptedExtensions, asset.Files.EmptyFiles);

    /// <summary>
    /// Opens an upload of one file into a version of a model or a dataset. Declaring the same file
    /// (name, size, hash) while its upload is open returns that upload, so a client that lost the id resumes it.
    /// </summary>
    public async Task<UploadState> StartAsync(Caller caller, AssetRef asset, string label, UploadRequest request, CancellationToken cancellationToken)
    {
        var owner = await versions.GetForChangeAsync(caller, asset, $"upload files to this {asset.Kind.Noun()}", cancellationToken);
        return await StartForAsync(owner, label, request, caller, cancellationToken);
    }

    /// <summary>
    /// Opens an upload into a version of <paramref name="owner"/> on behalf of <paramref name="uploader"/>, whose
    /// quotas it counts against: the caller, or for a client authorized otherwise (a trainer with its job-scoped
    /// URL) the user it acts for (the job's starter).
    /// </summary>
    public async Task<UploadState> StartForAsync(VersionedAsset owner, string label, UploadRequest request, Caller uploader, CancellationToken cancellationToken)
    {
        var createdBy = uploader.UserId ?? throw new AuthenticationRequiredException();
        var declared = Validate(request, owner);
        var version = await versionStore.FindAsync(owner.Ref, label, cancellationToken) ?? throw new NotFoundException("Version", $"{owner.Ref.Name}/{label}");
        var fileName = declared.FileName!;
        if (owner.Files.SingleFile)
        {
            await RefuseSecondFileAsync(owner.Ref, version, fileName, cancellationToken);
        }
        var (chunkSize, chunkCount) = UploadRules.Layout(declared.Size, Options.ChunkSizeBytes);
        var now = clock.GetUtcNow();
        var id = Guid.NewGuid().ToString("N");
        var session = new UploadSession
        {
            Id = id,
            Kind = owner.Ref.Kind,
            AssetKey = owner.Ref.Key,
            Asset = owner.Ref.Name,
            VersionId = version.Id,
            Version = version.Label,
            VersionCreatedAt = version.CreatedAt,
            FileName = fileName,
            Size = declared.Size,
            DeclaredSha256 = declared.Sha256,
            ContentType = declared.ContentType!,
            ChunkSize = chunkSize,
            ChunkCount = chunkCount,
            BlobKey = BlobKeys.ForFile(owner.Ref, version.Label, fileName),
            StagingKey = BlobKeys.ForUpload(id, fileName),
            CreatedBy = createdBy,
            CreatedAt = now,
            UpdatedAt = now,
            ExpiresAt = now + Options.SessionLifetime,
        };

        await quotas.EnsureRoomAsync(uploader, session, cancellationToken);

        UploadSession created;
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                created = await sessions.CreateAsync(session, cancellationToken);
                break;
            }
            catch (ConflictException)
            {
                var other = (await sessions.ListForAssetAsync(owner.Ref, cancellationToken))
                    .FirstOrDefault(s => s.IsActive && string.Equals(s.BlobKey, session.BlobKey, StringComparison.OrdinalIgnoreCase));
                if (other is not null && other.IsExpiredAt(clock.GetUtcNow()) && attempt < 2)
                {
                    // Its target has expired, so nobody can finish it: it is gone, the sweeper just has not come yet.
                    await ExpireAsync(other, cancellationToken);
                    continue;
                }
                if (other is { Status: UploadStatus.Open } && other.FileName == fileName && other.Size == session.Size && other.DeclaredSha256 == session.DeclaredSha256)
                {
                    return await StateAsync(other, cancellationToken);
                }
                throw new ConflictException(
                    $"An upload of '{other?.FileName ?? fileName}' to version '{version.Label}' is already in progress (upload {other?.Id ?? "unknown"}, {EnumNames<UploadStatus>.NameOf(other?.Status ?? UploadStatus.Open)}); resume it, or abort it before declaring a different file.",
                    "fileName");
            }
        }

        UploadTarget target;
        try
        {
            target = await blobs.PrepareUploadAsync(created.Staged, TargetExpiry(created), cancellationToken);
        }
        catch
        {
            await sessions.DeleteAsync(created.Id, CancellationToken.None);
            throw;
        }
        await versions.RecordRetryAsync(owner.Ref, version.Label, cancellationToken);
        LogStarted(logger, created.Id, owner.Ref.Kind, owner.Ref.Name, version.Label, fileName, created.Size, created.ChunkCount, createdBy);
        return new UploadState(created, target, new UploadProgress(0, 0, [], false), Created: true);
    }

    /// <summary>A version that keeps a single file takes no other: not once it has one, nor while another file's upload is open.</summary>
    private async Task RefuseSecondFileAsync(AssetRef asset, AssetVersion version, string fileName, CancellationToken cancellationToken)
    {
        var held = version.Files.FirstOrDefault()?.Name
            ?? (await sessions.ListForAssetAsync(asset, cancellationToken))
                .FirstOrDefault(s => s.IsActive && s.VersionId == version.Id && !string.Equals(s.FileName, fileName, StringComparison.OrdinalIgnoreCase)
                    && !s.IsExpiredAt(clock.GetUtcNow()))?.FileName;
        if (held is not null)
        {
            throw new ConflictException(
                $"Version '{version.Label}' of {asset.Kind.Noun()} '{asset.Name}' holds one file, '{held}', and keeps it once verified; add a new version for other content.",
                "fileName");
        }
    }

    public async Task<UploadState> GetAsync(Caller caller, AssetRef asset, string label, string uploadId, CancellationToken cancellationToken) =>
        await StateAsync(await GetOwnedAsync(caller, asset, label, uploadId, "see this upload", cancellationToken), cancellationToken);

    /// <summary>The asset's unfinished uploads with what arrived of each, so a client that lost an upload id finds it again.</summary>
    public async Task<IReadOnlyList<UploadState>> ListActiveAsync(Caller caller, AssetRef asset, CancellationToken cancellationToken)
    {
        var owner = await versions.GetForChangeAsync(caller, asset, $"see this {asset.Kind.Noun()}'s uploads", cancellationToken);
        var states = new List<UploadState>();
        var now = clock.GetUtcNow();
        foreach (var session in (await sessions.ListForAssetAsync(owner.Ref, cancellationToken)).Where(s => s.IsActive))
        {
            if (session.IsExpiredAt(now))
            {
                await ExpireAsync(session, cancellationToken);
                continue;
            }
            states.Add(new UploadState(session, null, Progress(session, await blobs.GetBlocksAsync(session.StagingKey, cancellationToken))));
        }
        return states;
    }

    /// <summary>
    /// Commits, verifies and publishes the upload. Waits up to <see cref="UploadOptions.CompleteWait"/>;
    /// after that the work goes on in the background and the answer says so. A failed verification
    /// is a <see cref="ConflictException"/> with the reason (the version is marked failed).
    /// </summary>
    public async Task<UploadCompletion> CompleteAsync(Caller caller, AssetRef asset, string label, string uploadId, CancellationToken cancellationToken)
    {
        var session = await GetOwnedAsync(caller, asset, label, uploadId, "complete this upload", cancellationToken);
        var deadline = clock.GetUtcNow() + Options.CompleteWait;
        UploadSession result;
        try
        {
            result = await RunOnceAsync(session.Id).WaitAsync(Options.CompleteWait, clock, cancellationToken);
        }
        catch (TimeoutException)
        {
            return new UploadCompletion(await sessions.FindAsync(session.Id, cancellationToken) ?? session, null, false);
        }
        // Another process may hold the lease (a blob-created event handled elsewhere): wait for it within the same deadline.
        while (result.Status is UploadStatus.Completing or UploadStatus.Verified && clock.GetUtcNow() < deadline)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(250), clock, cancellationToken);
            result = await sessions.FindAsync(session.Id, cancellationToken) ?? throw new NotFoundException("Upload", session.Id);
        }
        return result.Status switch
        {
            UploadStatus.Failed => throw new ConflictException(result.FailureReason ?? "The upload failed verification."),
            UploadStatus.Completed => new UploadCompletion(result, await versionStore.FindAsync(result.AssetRef, result.Version, cancellationToken), true),
            _ => new UploadCompletion(result, null, false),
        };
    }

    /// <summary>
    /// Aborts an unfinished upload and drops its chunks; a finished one's record is just removed. An upload
    /// that is not there (never was, or already aborted or expired) is a <see cref="NotFoundException"/>, as
    /// reading it is.
    /// </summary>
    public async Task AbortAsync(Caller caller, AssetRef asset, string label, string uploadId, CancellationToken cancellationToken)
    {
        var session = await GetOwnedAsync(caller, asset, label, uploadId, "abort this upload", cancellationToken);
        if (session.Status is UploadStatus.Completing or UploadStatus.Verified)
        {
            throw new ConflictException("The upload is being verified and published; wait for it to finish, then delete the version instead if you do not want it.");
        }
        if (session.IsActive)
        {
            await blobs.DeleteAsync(session.StagingKey, cancellationToken);
        }
        await sessions.DeleteAsync(session.Id, cancellationToken);
        LogAborted(logger, session.Id, session.Kind, session.Asset, session.Version, caller.UserId);
    }

    /// <summary>
    /// A blob was committed (Event Grid in Azure, in-process in the embedded profile). Completes the
    /// upload whose client committed its chunks itself; anything else is ignored. Handling the same
    /// event twice changes nothing.
    /// </summary>
    public async Task<BlobEventOutcome> HandleBlobCreatedAsync(BlobCreated created, CancellationToken cancellationToken)
    {
        if (!BlobKeys.TryParseUpload(created.Key, out var id))
        {
            return BlobEventOutcome.Ignored;
        }
        var session = await sessions.FindAsync(id, cancellationToken);
        // Event subjects name the blob as stored; a URL-escaped name (from data.url) means the same blob.
        if (session is null || (session.StagingKey != created.Key && session.StagingKey != Uri.UnescapeDataString(created.Key)))
        {
            return BlobEventOutcome.Ignored;
        }
        if (session.Status is UploadStatus.Completed or UploadStatus.Failed)
        {
            return BlobEventOutcome.AlreadyFinished;
        }
        if (session.Status == UploadStatus.Open)
        {
            var listing = await blobs.GetBlocksAsync(session.StagingKey, cancellationToken);
            if (!listing.Committed.Select(b => b.Id).SequenceEqual(BlockIds.Sequence(session.ChunkCount)))
            {
                LogCommitIgnored(logger, session.Id, listing.Committed.Count, session.ChunkCount);
                return BlobEventOutcome.Ignored;
            }
        }
        try
        {
            var result = await RunOnceAsync(session.Id).WaitAsync(cancellationToken);
            return result.Status switch
            {
                UploadStatus.Completed => BlobEventOutcome.Completed,
                UploadStatus.Failed => BlobEventOutcome.Failed,
                _ => BlobEventOutcome.InProgress,
            };
        }
        catch (HubException ex)
        {
            LogEventNotCompleted(logger, session.Id, ex.Message);
            return BlobEventOutcome.Ignored;
        }
    }

    /// <summary>Finishes an upload whose worker's lease lapsed (the sweeper), or that its owner's process finishes (a training job's output).</summary>
    public Task<UploadSession> ResumeAsync(string uploadId) => RunOnceAsync(uploadId);

    /// <summary>An upload's state by id alone, for a client authorized otherwise; null when it is gone or expired.</summary>
    public async Task<UploadState?> FindStateAsync(string uploadId, CancellationToken cancellationToken)
    {
        var session = await sessions.FindAsync(uploadId, cancellationToken);
        if (session is null || session.IsExpiredAt(clock.GetUtcNow()))
        {
            return null;
        }
        return await StateAsync(session, cancellationToken);
    }

    /// <summary>The stored session (for its outcome), or null.</summary>
    public Task<UploadSession?> FindSessionAsync(string uploadId, CancellationToken cancellationToken) => sessions.FindAsync(uploadId, cancellationToken);

    /// <summary>Drops an unfinished upload and its chunks whoever asks (its owner's job ended); a finished or missing one is left as it is.</summary>
    public async Task DiscardAsync(string uploadId, CancellationToken cancellationToken)
    {
        var session = await sessions.FindAsync(uploadId, cancellationToken);
        if (session is not { Status: UploadStatus.Open })
        {
            return;
        }
        await blobs.DeleteAsync(session.StagingKey, cancellationToken);
        await sessions.DeleteAsync(session.Id, cancellationToken);
    }

    private async Task<UploadSession> GetOwnedAsync(Caller caller, AssetRef asset, string label, string uploadId, string what, CancellationToken cancellationToken)
    {
        var owner = await versions.GetForChangeAsync(caller, asset, what, cancellationToken);
        var session = await sessions.FindAsync(uploadId, cancellationToken);
        if (session is null || session.AssetKey != owner.Ref.Key || session.VersionId != AssetVersion.IdFor(label))
        {
            throw new NotFoundException("Upload", uploadId);
        }
        if (session.IsExpiredAt(clock.GetUtcNow()))
        {
            // Answer as the sweeper would have left it: an expired upload is gone (404), not half-alive.
            await ExpireAsync(session, cancellationToken);
            throw new NotFoundException("Upload", uploadId);
        }
        return session;
    }

    /// <summary>Removes an expired upload and its chunks, as the sweeper does.</summary>
    private async Task ExpireAsync(UploadSession session, CancellationToken cancellationToken)
    {
        if (session.IsActive)
        {
            await blobs.DeleteAsync(session.StagingKey, cancellationToken);
        }
        await sessions.DeleteAsync(session.Id, cancellationToken);
        LogExpired(logger, session.Id, session.Kind, session.Asset, session.Version);
    }

    private async Task<UploadState> StateAsync(UploadSession session, CancellationToken cancellationToken)
    {
        if (session.Status == UploadStatus.Completed)
        {
            return new UploadState(session, null, new UploadProgress(session.ChunkCount, session.Size, Enumerable.Range(0, session.ChunkCount).ToList(), true));
        }
        if (!session.IsActive)
        {
            return new UploadState(session, null, new UploadProgress(0, 0, [], false));
        }
        var progress = Progress(session, await blobs.GetBlocksAsync(session.StagingKey, cancellationToken));
        var target = session.Status == UploadStatus.Open
            ? await blobs.PrepareUploadAsync(session.Staged, TargetExpiry(session), cancellationToken)
            : null;
        return new UploadState(session, target, progress);
    }

    private static UploadProgress Progress(UploadSession session, BlockListing listing)
    {
        var staged = session.Staged;
        var received = new SortedSet<int>();
        foreach (var block in listing.Committed.Concat(listing.Uncommitted))
        {
            if (BlockIds.TryParse(block.Id, out var index) && index < session.ChunkCount && block.Size == staged.LengthOf(index))
            {
                received.Add(index);
            }
        }
        var committed = listing.Committed.Select(b => b.Id).SequenceEqual(BlockIds.Sequence(session.ChunkCount));
        return new UploadProgress(received.Count, received.Sum(staged.LengthOf), received.ToList(), committed);
    }

    private DateTimeOffset TargetExpiry(UploadSession session)
    {
        var expiry = clock.GetUtcNow() + Options.TargetLifetime;
        return expiry < session.ExpiresAt ? expiry : session.ExpiresAt;
    }

    /// <summary>One completion per upload in this process: a complete call and an event for the same upload share it.</summary>
    private Task<UploadSession> RunOnceAsync(string uploadId)
    {
        lock (_running)
        {
            if (_running.TryGetValue(uploadId, out var running))
            {
                return running;
            }
            // Not the caller's token: a client that disconnects must not leave a half-finished verification behind.
            var task = Task.Run(() => CompleteCoreAsync(uploadId, CancellationToken.None));
            _running[uploadId] = task;
            _ = task.ContinueWith(_ => { lock (_running) _running.Remove(uploadId); }, CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            return task;
        }
    }

    private static TimeSpan LeaseFor(UploadSession session) =>
        TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(session.Size / (50.0 * UploadOptions.MiB));

    private async Task<UploadSession> CompleteCoreAsync(string uploadId, CancellationToken cancellationToken)
    {
        var session = await sessions.FindAsync(uploadId, cancellationToken) ?? throw new NotFoundException("Upload", uploadId);
        while (true)
        {
            var now = clock.GetUtcNow();
            if (session.Status is UploadStatus.Completed or UploadStatus.Failed)
            {
                return session;
            }
            if (session.Status is UploadStatus.Completing or UploadStatus.Verified && session.LeaseUntil > now)
            {
                return session;
            }
            var claim = session.Clone();
            claim.Status = session.Status == UploadStatus.Open ? UploadStatus.Completing : session.Status;
            claim.LeaseUntil = now + LeaseFor(session);
            claim.UpdatedAt = now;
            try
            {
                session = await sessions.ReplaceAsync(claim, session.ETag!, cancellationToken);
                break;
            }
            catch (PreconditionFailedException)
            {
                session = await sessions.FindAsync(uploadId, cancellationToken) ?? throw new NotFoundException("Upload", uploadId);
            }
        }

        try
        {
            if (session.Status == UploadStatus.Completing)
            {
                var outcome = await VerifyAsync(session, cancellationToken);
                if (outcome.Status != UploadStatus.Verified)
                {
                    return outcome;
                }
                session = outcome;
            }
            if (await versions.RefusalOfAsync(session, cancellationToken) is { } refusal)
            {
                // The version was deleted (and maybe added again under the same label) while this file was verified,
                // or it keeps the one file it already has: publishing would overwrite or attach to content this upload was never for.
                await blobs.DeleteAsync(session.StagingKey, cancellationToken);
                return await FinishAsync(session, UploadStatus.Failed, refusal, cancellationToken);
            }
            // The published blob carries the type it may be served with (Blob Storage serves its own type through a read link).
            await blobs.PromoteAsync(session.StagingKey, session.BlobKey, UploadRules.ServedContentType(session.ContentType), cancellationToken);
            try
            {
                await versions.RecordFileAsync(session, cancellationToken);
            }
            catch (Exception ex) when (ex is NotFoundException or ConflictException)
            {
                // The version was deleted, or took another file, while this one was verified: the file must not outlive that.
                await blobs.DeleteAsync(session.BlobKey, cancellationToken);
                var reason = ex is ConflictException ? ex.Message : "The version was deleted while this file was being verified.";
                return await FinishAsync(session, UploadStatus.Failed, reason, cancellationToken);
            }
            var done = await FinishAsync(session, UploadStatus.Completed, null, cancellationToken);
            LogCompleted(logger, done.Id, done.Kind, done.Asset, done.Version, done.FileName, done.Sha256);
            return done;
        }
        catch (PreconditionFailedException)
        {
            // Our lease lapsed and another worker took the upload over: its outcome is the answer.
            return await sessions.FindAsync(uploadId, CancellationToken.None) ?? session;
        }
        catch (Exception ex) when (ex is not HubException)
        {
            // Hand the upload back at once so a retry need not wait for the lease to lapse.
            await ReleaseAsync(session, CancellationToken.None);
            throw;
        }
    }

    /// <summary>Commits the chunks in order (unless the client did), checks the size and the SHA-256.</summary>
    private async Task<UploadSession> VerifyAsync(UploadSession session, CancellationToken cancellationToken)
    {
        var expected = BlockIds.Sequence(session.ChunkCount);
        var listing = await blobs.GetBlocksAsync(session.StagingKey, cancellationToken);
        long size;
        // An empty file has no chunks: committing its empty list is what makes the blob exist.
        if (session.ChunkCount > 0 && listing.Committed.Select(b => b.Id).SequenceEqual(expected))
        {
            size = listing.Committed.Sum(b => b.Size);
        }
        else
        {
            var progress = Progress(session, listing);
            if (progress.ChunksReceived < session.ChunkCount)
            {
                await ReleaseAsync(session, cancellationToken);
                var missing = Enumerable.Range(0, session.ChunkCount).Except(progress.ReceivedChunks);
                throw new ConflictException(
                    $"Chunks {ChunkRanges.Describe(missing)} of 0-{session.ChunkCount - 1} have not arrived; upload them, then complete again.", "chunks");
            }
            size = await blobs.CommitBlocksAsync(session.StagingKey, expected, session.ContentType, cancellationToken);
        }
        if (size != session.Size)
        {
            return await FailAsync(session, $"size: the committed file is {size} bytes but {session.Size} were declared; nothing was published.", cancellationToken);
        }
        var sha = Convert.ToHexStringLower(await blobs.ComputeSha256Async(session.StagingKey, cancellationToken));
        if (session.DeclaredSha256 is { } declared && declared != sha)
        {
            return await FailAsync(session,
                $"sha256: the uploaded file's SHA-256 is {sha} but {declared} was declared; the file was corrupted or is not the one declared. Nothing was published; start a new upload.",
                cancellationToken);
        }
        var verified = session.Clone();
        verified.Sha256 = sha;
        verified.Status = UploadStatus.Verified;
        verified.UpdatedAt = clock.GetUtcNow();
        return await sessions.ReplaceAsync(verified, session.ETag!, cancellationToken);
    }

    private async Task<UploadSession> FailAsync(UploadSession session, string reason, CancellationToken cancellationToken)
    {
        await blobs.DeleteAsync(session.StagingKey, cancellationToken);
        var failed = await FinishAsync(session, UploadStatus.Failed, reason, cancellationToken);
        await versions.RecordFailureAsync(failed, reason, cancellationToken);
        LogFailed(logger, session.Id, session.Kind, session.Asset, session.Version, reason);
        return failed;
    }

    private async Task<UploadSession> FinishAsync(UploadSession session, UploadStatus status, string? reason, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var next = session.Clone();
        next.Status = status;
        next.FailureReason = reason;
        next.LeaseUntil = null;
        next.CompletedAt = now;
        next.UpdatedAt = now;
        return await sessions.ReplaceAsync(next, session.ETag!, cancellationToken);
    }

    private async Task ReleaseAsync(UploadSession session, CancellationToken cancellationToken)
    {
        var next = session.Clone();
        next.Status = session.Status == UploadStatus.Completing ? UploadStatus.Open : session.Status;
        next.LeaseUntil = null;
        next.UpdatedAt = clock.GetUtcNow();
        try
        {
            await sessions.ReplaceAsync(next, session.ETag!, cancellationToken);
        }
        catch (HubException ex) when (ex is PreconditionFailedException or NotFoundException)
        {
            // Someone else moved it on, or it was aborted: nothing to hand back.
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Upload {Upload} opened: {File} ({Size} bytes, {Chunks} chunks) into version {Label} of {Kind} {Asset} by {User}")]
    private static partial void LogStarted(ILogger logger, string upload, AssetKind kind, string asset, string label, string file, long size, int chunks, string? user);

    [LoggerMessage(Level = LogLevel.Information, Message = "Upload {Upload} completed: {File} into version {Label} of {Kind} {Asset}, SHA-256 {Sha256}")]
    private static partial void LogCompleted(ILogger logger, string upload, AssetKind kind, string asset, string label, string file, string? sha256);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Upload {Upload} into version {Label} of {Kind} {Asset} failed: {Reason}")]
    private static partial void LogFailed(ILogger logger, string upload, AssetKind kind, string asset, string label, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Upload {Upload} into version {Label} of {Kind} {Asset} expired and was removed on access")]
    private static partial void LogExpired(ILogger logger, string upload, AssetKind kind, string asset, string label);

    [LoggerMessage(Level = LogLevel.Information, Message = "Upload {Upload} into version {Label} of {Kind} {Asset} aborted by {User}")]
    private static partial void LogAborted(ILogger logger, string upload, AssetKind kind, string asset, string label, string? user);

    [LoggerMessage(Level = LogLevel.Information, Message = "Blob-created event for upload {Upload} ignored: the blob's {Committed} committed blocks are not the upload's {Chunks} chunks in order")]
    private static partial void LogCommitIgnored(ILogger logger, string upload, int committed, int chunks);

    [LoggerMessage(Level = LogLevel.Information, Message = "Blob-created event for upload {Upload} did not complete it: {Reason}")]
    private static partial void LogEventNotCompleted(ILogger logger, string upload, string reason);
}
