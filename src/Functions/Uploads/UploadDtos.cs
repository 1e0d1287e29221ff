using Microsoft.Extensions.Options;
using ModelsHub.Core.GitHub;
using ModelsHub.Core.Storage;
using ModelsHub.Core.Uploads;
using ModelsHub.Functions.Versions;

namespace ModelsHub.Functions.Uploads;

/// <summary>
/// An upload as a client sees it: the layout to follow (chunk size, count, block ids), where to send
/// chunks (<see cref="Target"/>, while open), and what has arrived, so any client can resume it.
/// </summary>
public sealed record UploadDto(
    string Id,
    string Model,
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

/// <summary>A user's storage quotas, counted across every model and dataset they upload to.</summary>
public sealed record QuotasDto(bool Exempt, QuotaDto OpenUploadBytes, QuotaDto StoredBytes)
{
    public static QuotasDto From(UserQuotas quotas) => new(quotas.Exempt, Of(quotas.OpenUploadBytes), Of(quotas.StoredBytes));

    private static QuotaDto Of(QuotaUsage usage) => new(usage.Limit, usage.Used, usage.Remaining);
}

public sealed record UploadCompletionResponse(UploadDto Upload, VersionDto? Version);

/// <summary>An upload's declaration, for the OpenAPI document; bodies are read field by field.</summary>
public sealed record UploadRequestBody(string FileName, long Size, string? Sha256, string? ContentType);

public static class UploadMappings
{
    public static string PathOf(UploadSession s) => $"{VersionMappings.PathOf(s.Model, s.Version)}/uploads/{s.Id}";

    public static UploadDto ToDto(this UploadState state, HttpRequest request)
    {
        var s = state.Session;
        UploadTargetDto? target = null;
        if (state.Target is { } t)
        {
            var url = HubAddress.Resolve(request, t.Url).ToString();
            target = new UploadTargetDto(t.Url.IsAbsoluteUri ? "blob" : "hub", url, t.ExpiresAt,
                url + "&comp=block&blockid={blockId}", url + "&comp=blocklist");
        }
        return new UploadDto(s.Id, s.Model, s.Version, s.FileName, s.Size, s.DeclaredSha256, s.ContentType, s.Status, s.FailureReason, s.Sha256,
            s.ChunkSize, s.ChunkCount, BlockIds.Scheme, state.Progress.ChunksReceived, state.Progress.BytesReceived,
            ChunkRanges.From(state.Progress.ReceivedChunks), state.Progress.Committed, target, s.CreatedBy, s.CreatedAt, s.ExpiresAt, s.CompletedAt, PathOf(s));
    }

    /// <summary>A session without its block listing (completion answers).</summary>
    public static UploadDto ToDto(this UploadSession s, HttpRequest request) =>
        new UploadState(s, null, s.Status == UploadStatus.Completed
            ? new UploadProgress(s.ChunkCount, s.Size, Enumerable.Range(0, s.ChunkCount).ToList(), true)
            : new UploadProgress(0, 0, [], false)).ToDto(request);
}

/// <summary>The hub's own address, for the relative URLs an adapter hands out (the embedded upload target).</summary>
public static class HubAddress
{
    /// <summary>
    /// <paramref name="url"/> against <c>Hub:PublicBaseUrl</c> (by default the address the server listens on),
    /// never against the request's <c>Host</c>: a signed upload URL must not point wherever a caller's header says.
    /// </summary>
    public static Uri Resolve(HttpRequest request, Uri url) =>
        url.IsAbsoluteUri
            ? url
            : new Uri(request.HttpContext.RequestServices.GetRequiredService<IOptions<HubOptions>>().Value.PublicBaseUrl.TrimEnd('/') + url.OriginalString);
}
