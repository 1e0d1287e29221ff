using System.Text.Json.Serialization;
using ModelsHub.Contracts.Versions;

namespace ModelsHub.Contracts.Uploads;

/// <summary>
/// An upload as a client sees it: the layout to follow (chunk size, count, block ids), where to send
/// chunks (<see cref="Target"/>, while open), and what has arrived, so any client can resume it.
/// <see cref="ReceivedChunks"/> are ranges of chunk indexes, each <c>[first, last]</c>. An upload into a
/// model's version names its <see cref="Model"/>, into a dataset's its <see cref="Dataset"/>.
/// </summary>
public sealed record UploadDto(
    string Id,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Model,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Dataset,
    string Version,
    string FileName,
    long Size,
    string? Sha256,
    string ContentType,
    UploadStatus Status,
    string? FailureReason,
    string? ComputedSha256,
    long ChunkSize,
    int ChunkCount,
    string BlockIdScheme,
    int ChunksReceived,
    long BytesReceived,
    IReadOnlyList<int[]> ReceivedChunks,
    bool Committed,
    UploadTargetDto? Target,
    string CreatedBy,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt,
    DateTimeOffset? CompletedAt,
    string Url);

/// <summary>
/// Where chunks go. <see cref="Kind"/> is <c>blob</c> (a Blob Storage SAS URL) or <c>hub</c> (the
/// embedded profile's mirror of it); either way a chunk is <c>PUT {url}&amp;comp=block&amp;blockid={id}</c>
/// with Content-MD5, and the client may commit with <c>PUT {url}&amp;comp=blocklist</c>.
/// </summary>
public sealed record UploadTargetDto(string Kind, string Url, DateTimeOffset ExpiresAt, string PutBlock, string PutBlockList);

public sealed record UploadListResponse(IReadOnlyList<UploadDto> Items);

/// <summary>One quota: its limit, what is used and what is left (limit and remaining are null for an exempt administrator).</summary>
public sealed record QuotaDto(long? Limit, long Used, long? Remaining);

/// <summary>A user's storage quotas (<c>GET /api/me/quotas</c>), counted across every model and dataset they upload to.</summary>
public sealed record QuotasDto(bool Exempt, QuotaDto OpenUploadBytes, QuotaDto StoredBytes);

/// <summary>The answer to completing an upload: the upload, and the version once the file is in it.</summary>
public sealed record UploadCompletionResponse(UploadDto Upload, VersionDto? Version);

/// <summary>An upload's declaration: the file's name, size and (optionally) SHA-256 and content type.</summary>
public sealed record UploadRequestBody(string FileName, long Size, string? Sha256, string? ContentType);
