using System.Text.Json.Serialization;
using ModelsHub.Contracts.Datasets;
using ModelsHub.Contracts.Uploads;

namespace ModelsHub.Contracts.Versions;

/// <summary>
/// A version as the API shows it, for either kind: a model's version names its <see cref="Model"/>, a
/// dataset's its <see cref="Dataset"/> and carries its <see cref="Validation"/>. <see cref="Upload"/> is set
/// when the request also opened an upload.
/// </summary>
public sealed record VersionDto(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Model,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Dataset,
    string Label,
    string Notes,
    VersionStatus Status,
    string? FailureReason,
    bool IsDefault,
    IReadOnlyList<VersionFileDto> Files,
    long TotalSize,
    IReadOnlyDictionary<string, double> Metrics,
    string CreatedBy,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? ReadyAt,
    [property: JsonPropertyName("etag")] string? ETag,
    UploadDto? Upload = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DatasetValidationDto? Validation = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] VersionLineageDto? Lineage = null);

/// <summary>
/// Where a model version a training job made comes from: the job, the base model version it continued
/// from, the dataset version it learned from, how (trainer, method, hyperparameters), and the job's final metrics.
/// </summary>
public sealed record VersionLineageDto(
    string TrainingJob,
    string BaseModel,
    string BaseVersion,
    string Dataset,
    string DatasetVersion,
    string Trainer,
    string Method,
    IReadOnlyDictionary<string, System.Text.Json.JsonElement> Hyperparameters,
    IReadOnlyDictionary<string, double> Metrics,
    string TrainingJobUrl,
    string BaseVersionUrl,
    string DatasetVersionUrl);

/// <summary>Two versions of one model side by side: both versions (lineage included), every metric and every file of either.</summary>
public sealed record VersionCompareResponse(
    string Model,
    VersionDto A,
    VersionDto B,
    IReadOnlyList<MetricComparisonDto> Metrics,
    IReadOnlyList<FileComparisonDto> Files);

/// <summary>A metric in either version: its value in each (null where absent) and b − a when both have it.</summary>
public sealed record MetricComparisonDto(string Name, double? A, double? B, double? Delta);

/// <summary>A file in either version: its size and SHA-256 in each (null where absent), and whether the bytes are the same.</summary>
public sealed record FileComparisonDto(string Name, long? SizeA, long? SizeB, string? Sha256A, string? Sha256B, bool Same);

/// <summary>A verified file of a version; <see cref="UploadedBy"/> is whose upload it was (their stored-bytes quota counts it).</summary>
public sealed record VersionFileDto(string Name, long Size, string Sha256, string ContentType, DateTimeOffset UploadedAt, string DownloadUrl, string? UploadedBy = null);

public sealed record VersionListResponse(IReadOnlyList<VersionDto> Items, string? DefaultVersion, bool DefaultVersionPinned, string SuggestedLabel);

public sealed record VersionSuggestionResponse(string Label);

public sealed record DefaultVersionResponse(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Model,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Dataset,
    string? DefaultVersion,
    bool Pinned,
    [property: JsonPropertyName("etag")] string? ETag);

/// <summary>The fields of a new version or a version update; <see cref="File"/> also opens an upload. The server reads bodies field by field.</summary>
public sealed record VersionRequest(string? Label, string? Notes, IReadOnlyDictionary<string, double?>? Metrics, UploadRequestBody? File);

/// <summary>Which version is the default: a label pins it, null lets it follow the newest ready version.</summary>
public sealed record DefaultVersionRequest(string? Label);
