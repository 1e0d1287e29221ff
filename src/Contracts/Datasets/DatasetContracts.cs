using System.Text.Json.Serialization;

namespace ModelsHub.Contracts.Datasets;

/// <summary>
/// A dataset as the API shows it: metadata, and what its versions show (status, default version with
/// its records, size and token estimate, how many versions).
/// </summary>
public sealed record DatasetDto(
    string Name,
    string Description,
    DatasetFormat Format,
    DatasetVisibility Visibility,
    IReadOnlyList<string> Tags,
    string Owner,
    DatasetStatus Status,
    string? DefaultVersion,
    bool DefaultVersionPinned,
    long? RecordCount,
    long? SizeBytes,
    long? TokenEstimate,
    int VersionCount,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    [property: JsonPropertyName("etag")] string? ETag);

public sealed record DatasetListResponse(IReadOnlyList<DatasetDto> Items, string? ContinuationToken);

/// <summary>The fields of a new dataset or a change, for the OpenAPI document; bodies are read field by field.</summary>
public sealed record DatasetRequest(string? Name, string? Description, DatasetFormat? Format, DatasetVisibility? Visibility, IReadOnlyList<string>? Tags);

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
