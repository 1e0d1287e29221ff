using System.Text.Json.Serialization;
using ModelsHub.Contracts.Versions;
using ModelsHub.Core.Assets;
using ModelsHub.Core.Common;
using ModelsHub.Core.Datasets;

namespace ModelsHub.Core.Versions;

/// <summary>
/// One version of a model or a dataset (seed 003 "版本"): a free label, notes, metrics and the files
/// uploaded for it. What one kind learns about a version beyond that hangs off it as an optional
/// section (<see cref="Validation"/> for datasets; a model version's training lineage is the next),
/// so a kind gains fields without a document of its own.
/// </summary>
public sealed class AssetVersion : AssetDocument, IStoredDocument<AssetVersion>
{
    /// <summary>The label in lowercase: labels are unique per asset ignoring case.</summary>
    public required string Id { get; init; }

    public required string Label { get; init; }

    public string Notes { get; set; } = "";

    public VersionStatus Status { get; set; } = VersionStatus.Uploading;

    /// <summary>Why the version failed or is invalid; null otherwise.</summary>
    public string? FailureReason { get; set; }

    /// <summary>The verified files, by name.</summary>
    public List<VersionFile> Files { get; set; } = [];

    /// <summary>
    /// Files declared up front that have not been verified yet (an import's files): while any is
    /// awaited the version stays uploading, so nobody uses half of it.
    /// </summary>
    public List<string> AwaitedFiles { get; set; } = [];

    /// <summary>Numbers the team tracks for this version (loss, accuracy, ...), in the order they were added.</summary>
    public Dictionary<string, double> Metrics { get; set; } = [];

    /// <summary>What validating a dataset version's file found; null for models and until a validation ends.</summary>
    public DatasetValidation? Validation { get; set; }

    /// <summary>Where a model version a training job made comes from; null for versions uploaded by hand.</summary>
    public VersionLineage? Lineage { get; set; }

    public required string CreatedBy { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>When the version first became ready.</summary>
    public DateTimeOffset? ReadyAt { get; set; }

    [JsonIgnore]
    public string? ETag { get; set; }

    [JsonIgnore]
    public AssetVersionRef Ref => new(AssetRef, Label);

    public static string IdFor(string label) => label.ToLowerInvariant();

    public long TotalSize => Files.Sum(f => f.Size);

    public VersionFile? FindFile(string name) =>
        Files.FirstOrDefault(f => string.Equals(f.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>A new version of <paramref name="asset"/>, uploading.</summary>
    public static AssetVersion New(AssetRef asset, string label, string createdBy, DateTimeOffset now) => new()
    {
        Kind = asset.Kind,
        AssetKey = asset.Key,
        Asset = asset.Name,
        Id = IdFor(label),
        Label = label,
        CreatedBy = createdBy,
        CreatedAt = now,
        UpdatedAt = now,
    };

    public AssetVersion Clone() => new()
    {
        Kind = Kind,
        AssetKey = AssetKey,
        Asset = Asset,
        Id = Id,
        Label = Label,
        Notes = Notes,
        Status = Status,
        FailureReason = FailureReason,
        Files = [.. Files],
        AwaitedFiles = [.. AwaitedFiles],
        Metrics = new Dictionary<string, double>(Metrics),
        Validation = Validation,
        Lineage = Lineage,
        CreatedBy = CreatedBy,
        CreatedAt = CreatedAt,
        UpdatedAt = UpdatedAt,
        ReadyAt = ReadyAt,
        ETag = ETag,
    };
}

/// <summary>
/// A verified file of a version: its SHA-256 was computed by the hub from the stored bytes.
/// <see cref="UploadedBy"/> is the user whose upload it was (their stored-bytes quota counts it); null on
/// files recorded before it was kept.
/// </summary>
public sealed record VersionFile(string Name, long Size, string Sha256, string ContentType, DateTimeOffset UploadedAt, string? UploadedBy = null)
{
    /// <summary>Whose quota the file counts against.</summary>
    public string OwnerIn(AssetVersion version) => UploadedBy ?? version.CreatedBy;
}
