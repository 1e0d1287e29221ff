using ModelsHub.Contracts.Uploads;
using ModelsHub.Core.Storage;
using ModelsHub.Core.Uploads;
using ModelsHub.Functions.Versions;

namespace ModelsHub.Functions.Uploads;

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
    public const string PublicBaseUrlKey = "Hub:PublicBaseUrl";

    public static Uri Resolve(HttpRequest request, Uri url)
    {
        if (url.IsAbsoluteUri)
        {
            return url;
        }
        var configured = request.HttpContext.RequestServices.GetRequiredService<IConfiguration>()[PublicBaseUrlKey];
        var baseUrl = !string.IsNullOrWhiteSpace(configured) ? configured.TrimEnd('/') : $"{request.Scheme}://{request.Host}{request.PathBase}";
        return new Uri(baseUrl + url.OriginalString);
    }
}
