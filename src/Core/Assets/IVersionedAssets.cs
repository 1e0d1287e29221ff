using ModelsHub.Contracts.Versions;
using ModelsHub.Core.Events;
using ModelsHub.Core.Identity;
using ModelsHub.Core.Versions;

namespace ModelsHub.Core.Assets;

/// <summary>
/// The kind-specific side of the one version, upload and download machinery: one implementation per
/// <see cref="AssetKind"/>. It answers which asset a caller may see or change, which files its
/// versions take, where the asset keeps what it shows of its versions (the default version), and
/// what a verified file leads to. Everything else (labels, files, uploads, blob keys, downloads,
/// delete protection, sweeping) is shared.
/// </summary>
public interface IVersionedAssets
{
    AssetKind Kind { get; }

    /// <summary>The status a version takes once a file is verified into it: ready, or validating for a kind that validates first.</summary>
    VersionStatus StatusOnceVerified { get; }

    /// <summary>The asset, or <see cref="Common.NotFoundException"/> when it is missing or the caller may not see it.</summary>
    Task<VersionedAsset> GetAsync(Caller caller, string name, CancellationToken cancellationToken);

    /// <summary>The asset when the caller may change its versions: 404 when hidden, 401 or 403 otherwise.</summary>
    Task<VersionedAsset> GetForChangeAsync(Caller caller, string name, string what, CancellationToken cancellationToken);

    /// <summary>The asset whoever asks (the sweeper, a workflow), or null when it does not exist.</summary>
    Task<VersionedAsset?> FindAsync(string name, CancellationToken cancellationToken);

    /// <summary>
    /// Stores what the asset shows of its versions, based on the asset as read: its default version,
    /// and whatever else the kind derives from <paramref name="versions"/>. Returns the asset unchanged
    /// when nothing differs; <see cref="Common.PreconditionFailedException"/> when the asset changed since
    /// it was read, <see cref="Common.NotFoundException"/> when it is gone.
    /// </summary>
    Task<VersionedAsset> SaveVersionSummaryAsync(VersionedAsset asset, DefaultVersion defaultVersion, IReadOnlyList<AssetVersion> versions, CancellationToken cancellationToken);

    /// <summary>
    /// Runs after a verified file was recorded on a version (and again for a version the sweeper finds
    /// still <see cref="VersionStatus.Validating"/>): must be idempotent.
    /// </summary>
    Task OnFileVerifiedAsync(AssetVersion version, CancellationToken cancellationToken);

    /// <summary>
    /// The event a version of this kind raises on reaching its current status (<c>version.ready</c>,
    /// <c>dataset.version.invalid</c>, ...), or null when that status is not announced. <paramref name="owner"/>
    /// is the asset's owner when known; <paramref name="file"/> the file just verified, if that is the change.
    /// </summary>
    HubEvent? StatusEvent(string? owner, AssetVersion version, VersionFile? file, DateTimeOffset now);
}

/// <summary>What the version machinery knows of the asset a version belongs to; each kind adds its document.</summary>
public abstract record VersionedAsset(AssetRef Ref, string Owner, DefaultVersion Default, string? ETag, VersionFilePolicy Files);

/// <summary>The version clients get by default: the newest ready one, unless the owner pinned a ready one.</summary>
public sealed record DefaultVersion(string? Label, bool Pinned)
{
    public static DefaultVersion None { get; } = new(null, false);
}

/// <summary>
/// Which files a version takes: <see cref="AcceptedExtensions"/>; with <see cref="SingleFile"/> one file
/// that never changes once verified (a dataset version is the content its validation, and any training
/// that used it, describe); with <see cref="EmptyFiles"/> also an empty one (a dataset's validation,
/// not the upload, then says what is wrong with it).
/// </summary>
public sealed record VersionFilePolicy(IReadOnlyList<string> AcceptedExtensions, bool SingleFile, bool EmptyFiles = false);
