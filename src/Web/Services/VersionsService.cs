using ModelsHub.Contracts;
using ModelsHub.Web.Services.Api;

namespace ModelsHub.Web.Services;

/// <summary>A model's or a dataset's versions (seed 003): list, add (with a file's upload), change notes, pin the default, delete.</summary>
public sealed class VersionsService(ApiClient api)
{
    public static string PathOf(AssetAddress asset) => $"{asset.Path}/versions";

    public static string PathOf(AssetAddress asset, string label) => $"{PathOf(asset)}/{Query.Segment(label)}";

    /// <summary>A version's own address, under its model or its dataset.</summary>
    public static string PathOf(VersionDto version) => PathOf(AssetAddress.Of(version), version.Label);

    public Task<VersionListResponse> ListAsync(AssetAddress asset, CancellationToken cancellationToken = default) =>
        api.GetAsync<VersionListResponse>(PathOf(asset), cancellationToken);

    public async Task<string> SuggestLabelAsync(AssetAddress asset, CancellationToken cancellationToken = default) =>
        (await api.GetAsync<VersionSuggestionResponse>($"{PathOf(asset)}/suggestion", cancellationToken)).Label;

    /// <summary>Adds a version; with <paramref name="file"/> the answer also carries the opened upload.</summary>
    public async Task<VersionDto> CreateAsync(AssetAddress asset, string? label, string? notes, UploadRequestBody? file, CancellationToken cancellationToken = default) =>
        (await api.SendAsync<VersionDto>(HttpMethod.Post, PathOf(asset),
            new VersionRequest(string.IsNullOrWhiteSpace(label) ? null : label.Trim(), string.IsNullOrWhiteSpace(notes) ? null : notes, null, file),
            cancellationToken: cancellationToken)).Value!;

    public async Task<VersionDto> UpdateNotesAsync(VersionDto version, string notes, CancellationToken cancellationToken = default) =>
        (await api.SendAsync<VersionDto>(HttpMethod.Patch, PathOf(version), new VersionRequest(null, notes, null, null),
            version.ETag, cancellationToken)).Value!;

    public Task DeleteAsync(VersionDto version, CancellationToken cancellationToken = default) =>
        api.SendAsync(HttpMethod.Delete, PathOf(version), ifMatch: version.ETag, cancellationToken: cancellationToken);

    /// <summary>Two versions side by side: both (lineage included), every metric of either with the difference, every file with whether its bytes are the same.</summary>
    public Task<VersionCompareResponse> CompareAsync(AssetAddress asset, string a, string b, CancellationToken cancellationToken = default) =>
        api.GetAsync<VersionCompareResponse>(new Query($"{PathOf(asset)}/compare").Add("a", a).Add("b", b), cancellationToken);

    /// <summary>Pins the default version; null lets it follow the newest ready version.</summary>
    public Task PinDefaultAsync(AssetAddress asset, string? label, CancellationToken cancellationToken = default) =>
        api.SendAsync(HttpMethod.Put, $"{asset.Path}/default-version", new DefaultVersionRequest(label), cancellationToken: cancellationToken);
}

/// <summary>The upload protocol's calls (DESIGN.md "Blob uploads"): open, read (what arrived, a fresh target), complete, abort, list unfinished.</summary>
public sealed class UploadsService(ApiClient api)
{
    public async Task<UploadDto> OpenAsync(AssetAddress asset, string version, UploadRequestBody file, CancellationToken cancellationToken = default) =>
        (await api.SendAsync<UploadDto>(HttpMethod.Post, $"{VersionsService.PathOf(asset, version)}/uploads", file, cancellationToken: cancellationToken)).Value!;

    public Task<UploadDto> GetAsync(UploadDto upload, CancellationToken cancellationToken = default) =>
        api.GetAsync<UploadDto>(Relative(upload.Url), cancellationToken);

    /// <summary>Commits the chunks and verifies the file: 200 with the version, 202 while the hub finishes in the background.</summary>
    public async Task<ApiResult<UploadCompletionResponse>> CompleteAsync(UploadDto upload, CancellationToken cancellationToken = default) =>
        await api.SendAsync<UploadCompletionResponse>(HttpMethod.Post, $"{Relative(upload.Url)}/complete", cancellationToken: cancellationToken);

    public Task AbortAsync(UploadDto upload, CancellationToken cancellationToken = default) =>
        api.SendAsync(HttpMethod.Delete, Relative(upload.Url), cancellationToken: cancellationToken);

    public async Task<IReadOnlyList<UploadDto>> UnfinishedAsync(AssetAddress asset, CancellationToken cancellationToken = default) =>
        (await api.GetAsync<UploadListResponse>($"{asset.Path}/uploads", cancellationToken)).Items;

    private static string Relative(string url) => url.TrimStart('/');
}
