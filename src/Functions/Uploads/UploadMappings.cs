using Microsoft.Extensions.Options;
using ModelsHub.Contracts.Uploads;
using ModelsHub.Core.GitHub;
using ModelsHub.Core.Storage;
using ModelsHub.Core.Uploads;
using ModelsHub.Functions.Versions;

namespace ModelsHub.Functions.Uploads;

public static class UploadMappings
{
    public static string PathOf(UploadSession s) => $"{VersionMappings.PathOf(new Core.Assets.AssetVersionRef(s.AssetRef, s.Version))}/uploads/{s.Id}";

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
        var (model, dataset) = VersionMappings.Names(s.AssetRef);
        return new UploadDto(s.Id, model, dataset, s.Version, s.FileName, s.Size, s.DeclaredSha256, s.ContentType, s.Status, s.FailureReason, s.Sha256,
            s.ChunkSize, s.ChunkCount, BlockIds.Scheme, state.Progress.ChunksReceived, state.Progress.BytesReceived,
            ChunkRanges.From(state.Progress.ReceivedChunks), state.Progress.Committed, target, s.CreatedBy, s.CreatedAt, s.ExpiresAt, s.CompletedAt, PathOf(s));
    }

    public static QuotasDto ToDto(this UserQuotas quotas) => new(quotas.Exempt, quotas.OpenUploadBytes.ToDto(), quotas.StoredBytes.ToDto());

    private static QuotaDto ToDto(this QuotaUsage usage) => new(usage.Limit, usage.Used, usage.Remaining);

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
