using System.Text.Json.Serialization;
using ModelsHub.Contracts.Uploads;
using ModelsHub.Core.Assets;
using ModelsHub.Core.Common;
using ModelsHub.Core.Storage;
using ModelsHub.Core.Versions;

namespace ModelsHub.Core.Uploads;

/// <summary>
/// A server-side upload of one file into one version of a model or a dataset: the layout the client
/// follows, and the state that lets any client resume it or any worker finish it.
/// </summary>
public sealed class UploadSession : AssetDocument, IStoredDocument<UploadSession>
{
    public required string Id { get; init; }

    public required string VersionId { get; init; }

    public required string Version { get; init; }

    /// <summary>
    /// When the version this upload belongs to was created: labels can be reused (a version deleted
    /// and added again), so the label alone does not say which version a file is for. Null on
    /// sessions stored before it was recorded.
    /// </summary>
    public DateTimeOffset? VersionCreatedAt { get; init; }

    public required string FileName { get; init; }

    public long Size { get; init; }

    /// <summary>The SHA-256 (lowercase hex) the client declared, checked before the file is accepted.</summary>
    public string? DeclaredSha256 { get; init; }

    public string ContentType { get; init; } = UploadRules.DefaultContentType;

    public long ChunkSize { get; init; }

    public int ChunkCount { get; init; }

    /// <summary>Where the file is published: <c>{models|datasets}/{asset}/{version}/{file}</c> (<see cref="BlobKeys"/>).</summary>
    public required string BlobKey { get; init; }

    /// <summary>Where the chunks are staged: <c>uploads/{id}/{file}</c>.</summary>
    public required string StagingKey { get; init; }

    public UploadStatus Status { get; set; } = UploadStatus.Open;

    public string? FailureReason { get; set; }

    /// <summary>The SHA-256 (lowercase hex) the hub computed from the committed bytes.</summary>
    public string? Sha256 { get; set; }

    /// <summary>Until when the worker that moved the session to completing or verified owns it; after that another may take over.</summary>
    public DateTimeOffset? LeaseUntil { get; set; }

    public required string CreatedBy { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; set; }

    public DateTimeOffset ExpiresAt { get; init; }

    public DateTimeOffset? CompletedAt { get; set; }

    [JsonIgnore]
    public string? ETag { get; set; }

    /// <summary>Still in progress: the file's key is reserved for this session.</summary>
    [JsonIgnore]
    public bool IsActive => Status is UploadStatus.Open or UploadStatus.Completing or UploadStatus.Verified;

    [JsonIgnore]
    public StagedBlob Staged => new(StagingKey, Size, ChunkSize, ChunkCount);

    /// <summary>When the sweeper looks at it next: its lease's end while a worker holds it, else its expiry.</summary>
    [JsonIgnore]
    public DateTimeOffset DueAt => Status is UploadStatus.Completing or UploadStatus.Verified && LeaseUntil is { } lease && lease < ExpiresAt ? lease : ExpiresAt;

    /// <summary>Past its expiry and not being finished by a worker: as good as swept, whether or not the sweeper came yet.</summary>
    public bool IsExpiredAt(DateTimeOffset now) =>
        ExpiresAt <= now && !(Status is UploadStatus.Completing or UploadStatus.Verified && LeaseUntil > now);

    /// <summary>Whether <paramref name="version"/> is the version this upload was opened for, not a later one with the same label.</summary>
    public bool IsFor(AssetVersion version) =>
        version.Id == VersionId && version.AssetKey == AssetKey
        && (VersionCreatedAt is not { } created || (version.CreatedAt - created).Duration() < TimeSpan.FromMilliseconds(1));

    public UploadSession Clone() => (UploadSession)MemberwiseClone();
}

/// <summary>What a client declares to open an upload.</summary>
public sealed record UploadRequest(string? FileName, long Size, string? Sha256, string? ContentType)
{
    /// <summary>Who declares the file; an import's file keeps its repository path and format (<see cref="UploadOrigin.Import"/>).</summary>
    public UploadOrigin Origin { get; init; } = UploadOrigin.Client;
}

/// <summary>
/// Where a declared file comes from. <see cref="Client"/>: a person's upload, a plain file name of an
/// accepted format. <see cref="Import"/>: a copy of a file of an external repository (Hugging Face),
/// named by its path in that repository (folders separated by '/') and of whatever format the
/// repository holds; the hub never chooses these names, the source does.
/// </summary>
public enum UploadOrigin { Client, Import }
