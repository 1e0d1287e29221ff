using System.Text.Json.Serialization;
using ModelsHub.Contracts.Versions;
using ModelsHub.Core.Common;

namespace ModelsHub.Core.Versions;

/// <summary>
/// One version of a model (seed 003 "版本"): a free label, notes, metrics and the files uploaded
/// for it. It is <see cref="VersionStatus.Ready"/> once a file has been uploaded and verified.
/// </summary>
public sealed class ModelVersion : IStoredDocument<ModelVersion>
{
    /// <summary>The model's id (its name in lowercase).</summary>
    public required string ModelId { get; init; }

    /// <summary>The model's name as registered.</summary>
    public required string Model { get; init; }

    /// <summary>The label in lowercase: labels are unique per model ignoring case.</summary>
    public required string Id { get; init; }

    public required string Label { get; init; }

    public string Notes { get; set; } = "";

    public VersionStatus Status { get; set; } = VersionStatus.Uploading;

    /// <summary>Why the version failed; null unless <see cref="Status"/> is failed.</summary>
    public string? FailureReason { get; set; }

    /// <summary>The verified files, by name.</summary>
    public List<VersionFile> Files { get; set; } = [];

    /// <summary>Numbers the team tracks for this version (loss, accuracy, ...), in the order they were added.</summary>
    public Dictionary<string, double> Metrics { get; set; } = [];

    public required string CreatedBy { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>When the version first became ready.</summary>
    public DateTimeOffset? ReadyAt { get; set; }

    [JsonIgnore]
    public string? ETag { get; set; }

    public static string IdFor(string label) => label.ToLowerInvariant();

    public long TotalSize => Files.Sum(f => f.Size);

    public VersionFile? FindFile(string name) =>
        Files.FirstOrDefault(f => string.Equals(f.Name, name, StringComparison.OrdinalIgnoreCase));

    public ModelVersion Clone() => new()
    {
        ModelId = ModelId,
        Model = Model,
        Id = Id,
        Label = Label,
        Notes = Notes,
        Status = Status,
        FailureReason = FailureReason,
        Files = [.. Files],
        Metrics = new Dictionary<string, double>(Metrics),
        CreatedBy = CreatedBy,
        CreatedAt = CreatedAt,
        UpdatedAt = UpdatedAt,
        ReadyAt = ReadyAt,
        ETag = ETag,
    };
}

/// <summary>A verified file of a version: its SHA-256 was computed by the hub from the stored bytes.</summary>
public sealed record VersionFile(string Name, long Size, string Sha256, string ContentType, DateTimeOffset UploadedAt);
