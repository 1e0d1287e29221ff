using ModelsHub.Core.Assets;

namespace ModelsHub.Core.Versions;

/// <summary>
/// Where version documents live, grouped by asset (<see cref="AssetRef.Key"/>; the Cosmos adapter
/// partitions by it). Labels are unique per asset ignoring case.
/// </summary>
public interface IVersionStore
{
    /// <summary>The version with that label (ignoring case), or null.</summary>
    Task<AssetVersion?> FindAsync(AssetRef asset, string label, CancellationToken cancellationToken);

    /// <summary>Every version of the asset, oldest first.</summary>
    Task<IReadOnlyList<AssetVersion>> ListAsync(AssetRef asset, CancellationToken cancellationToken);

    /// <summary>Stores a new version; <see cref="Common.ConflictException"/> (field <c>label</c>) when the asset already has that label.</summary>
    Task<AssetVersion> CreateAsync(AssetVersion version, CancellationToken cancellationToken);

    /// <summary>Replaces the version if its ETag still matches; <see cref="Common.PreconditionFailedException"/> otherwise, <see cref="Common.NotFoundException"/> when gone.</summary>
    Task<AssetVersion> ReplaceAsync(AssetVersion version, string ifMatch, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes one version, with an ETag only if it still matches. Atomically refuses to delete the
    /// asset's last version (<see cref="Common.ConflictException"/>, <see cref="VersionRules.LastVersionMessage"/>).
    /// Deleting a missing version is not an error.
    /// </summary>
    Task DeleteAsync(AssetRef asset, string label, string? ifMatch, CancellationToken cancellationToken);

    /// <summary>Deletes every version of the asset (the asset is gone).</summary>
    Task DeleteAllAsync(AssetRef asset, CancellationToken cancellationToken);

    /// <summary>The keys (<see cref="AssetRef.Key"/>) of the assets that have at least one version, for the orphan sweep.</summary>
    Task<IReadOnlyList<string>> ListAssetKeysAsync(CancellationToken cancellationToken);

    /// <summary>
    /// The bytes of every verified file <paramref name="userId"/> uploaded (<see cref="VersionFile.UploadedBy"/>;
    /// for files recorded before that was kept, the version's creator), across all versions of every asset:
    /// what the user's stored-bytes quota counts.
    /// </summary>
    Task<long> GetStoredBytesAsync(string userId, CancellationToken cancellationToken);
}
