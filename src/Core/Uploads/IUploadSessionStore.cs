using ModelsHub.Core.Assets;

namespace ModelsHub.Core.Uploads;

/// <summary>Where upload sessions live (grouped by asset, <see cref="AssetRef.Key"/>; the Cosmos adapter partitions by it).</summary>
public interface IUploadSessionStore
{
    Task<UploadSession?> FindAsync(string id, CancellationToken cancellationToken);

    /// <summary>
    /// Stores a new session. <see cref="Common.ConflictException"/> when another active session
    /// (<see cref="UploadSession.IsActive"/>) targets the same <see cref="UploadSession.BlobKey"/>, ignoring case:
    /// one file is uploaded by one session at a time.
    /// </summary>
    Task<UploadSession> CreateAsync(UploadSession session, CancellationToken cancellationToken);

    /// <summary>Replaces the session if its ETag still matches; <see cref="Common.PreconditionFailedException"/> otherwise, <see cref="Common.NotFoundException"/> when gone.</summary>
    Task<UploadSession> ReplaceAsync(UploadSession session, string ifMatch, CancellationToken cancellationToken);

    /// <summary>Deletes the session; deleting a missing one is not an error.</summary>
    Task DeleteAsync(string id, CancellationToken cancellationToken);

    /// <summary>Every session of the asset, oldest first.</summary>
    Task<IReadOnlyList<UploadSession>> ListForAssetAsync(AssetRef asset, CancellationToken cancellationToken);

    /// <summary>
    /// Every active session (<see cref="UploadSession.IsActive"/>) that <paramref name="userId"/> created, across
    /// all models and assets, in no particular order: what the user's open-upload quota counts.
    /// </summary>
    Task<IReadOnlyList<UploadSession>> ListActiveByUserAsync(string userId, CancellationToken cancellationToken);

    /// <summary>Up to <paramref name="max"/> sessions whose <see cref="UploadSession.DueAt"/> is at or before <paramref name="now"/>, earliest first.</summary>
    Task<IReadOnlyList<UploadSession>> ListDueAsync(DateTimeOffset now, int max, CancellationToken cancellationToken);
}
