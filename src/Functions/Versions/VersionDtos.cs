using System.Text.Json.Serialization;
using ModelsHub.Core.Assets;
using ModelsHub.Core.Datasets;
using ModelsHub.Core.Versions;
using ModelsHub.Functions.Uploads;

namespace ModelsHub.Functions.Versions;

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
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DatasetValidationDto? Validation = null);

public sealed record VersionFileDto(string Name, long Size, string Sha256, string ContentType, DateTimeOffset UploadedAt, string DownloadUrl);

/// <summary>
/// What validating a dataset version's file found (null while it is uploading or validating):
/// records, size, columns (CSV, Parquet, jsonl-completion) or message counts per role (jsonl-chat),
/// a token estimate, an archive's files, and the first errors with their 1-based line (or row).
/// </summary>
public sealed record DatasetValidationDto(
    DatasetFormat Format,
    string File,
    string Sha256,
    long RecordCount,
    long SizeBytes,
    IReadOnlyList<string>? Columns,
    IReadOnlyDictionary<string, long>? Roles,
    long? TokenEstimate,
    TokenEstimateDto? Tokens,
    ArchiveContentsDto? Archive,
    IReadOnlyList<DatasetErrorDto> Errors,
    long ErrorCount,
    DateTimeOffset StartedAt,
    DateTimeOffset FinishedAt);

/// <summary>How <see cref="DatasetValidationDto.TokenEstimate"/> was reached: the tiktoken encoding, whether every record was counted, how many were.</summary>
public sealed record TokenEstimateDto(string Encoding, long Tokens, bool Exact, long SampledRecords);

public sealed record ArchiveContentsDto(long FileCount, long TotalBytes, IReadOnlyList<ArchiveEntryDto> Entries, bool Truncated);

public sealed record ArchiveEntryDto(string Path, long Size);

/// <summary>A 1-based line (or row), null for the file as a whole, and what is wrong there.</summary>
public sealed record DatasetErrorDto(long? Line, string Message);

public sealed record VersionListResponse(IReadOnlyList<VersionDto> Items, string? DefaultVersion, bool DefaultVersionPinned, string SuggestedLabel);

public sealed record VersionSuggestionResponse(string Label);

public sealed record DefaultVersionResponse(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Model,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Dataset,
    string? DefaultVersion,
    bool Pinned,
    [property: JsonPropertyName("etag")] string? ETag);

/// <summary>The fields of a new version or a version update, for the OpenAPI document; bodies are read field by field.</summary>
public sealed record VersionRequest(string? Label, string? Notes, IReadOnlyDictionary<string, double?>? Metrics, UploadRequestBody? File);

/// <summary>Which version is the default: a label pins it, null lets it follow the newest ready version.</summary>
public sealed record DefaultVersionRequest(string? Label);

public static class VersionMappings
{
    public static string PathOf(AssetRef asset) => $"/api/{asset.Kind.Collection()}/{Uri.EscapeDataString(asset.Name)}";

    public static string PathOf(AssetVersionRef version) => $"{PathOf(version.Asset)}/versions/{Uri.EscapeDataString(version.Label)}";

    /// <summary>The name in the field of its kind: (model, null) or (null, dataset).</summary>
    public static (string? Model, string? Dataset) Names(AssetRef asset) =>
        asset.Kind == AssetKind.Model ? (asset.Name, null) : (null, asset.Name);

    public static VersionDto ToDto(this AssetVersion v, VersionedAsset asset, UploadDto? upload = null)
    {
        var (model, dataset) = Names(v.AssetRef);
        return new VersionDto(model, dataset, v.Label, v.Notes, v.Status, v.FailureReason,
            string.Equals(asset.Default.Label, v.Label, StringComparison.OrdinalIgnoreCase),
            v.Files.Select(f => new VersionFileDto(f.Name, f.Size, f.Sha256, f.ContentType, f.UploadedAt, $"{PathOf(v.Ref)}/files/{Uri.EscapeDataString(f.Name)}")).ToList(),
            v.TotalSize, v.Metrics, v.CreatedBy, v.CreatedAt, v.UpdatedAt, v.ReadyAt, v.ETag, upload, v.Validation?.ToDto());
    }

    public static DatasetValidationDto ToDto(this DatasetValidation v) => new(
        v.Format, v.File, v.Sha256, v.RecordCount, v.SizeBytes, v.Columns, v.Roles, v.Tokens?.Tokens,
        v.Tokens is { } t ? new TokenEstimateDto(t.Encoding, t.Tokens, t.Exact, t.SampledRecords) : null,
        v.Archive is { } a ? new ArchiveContentsDto(a.FileCount, a.TotalBytes, a.Entries.Select(e => new ArchiveEntryDto(e.Path, e.Size)).ToList(), a.Truncated) : null,
        v.Errors.Select(e => new DatasetErrorDto(e.Line, e.Message)).ToList(), v.ErrorCount, v.StartedAt, v.FinishedAt);
}
