using ModelsHub.Contracts.Datasets;
using ModelsHub.Web.Services.Api;

namespace ModelsHub.Web.Services;

/// <summary>What the Datasets page asks for: free text, status (ready: what training offers), format, mine, a page.</summary>
public sealed record DatasetFilter
{
    public string? Q { get; init; }
    public DatasetStatus? Status { get; init; }
    public DatasetFormat? Format { get; init; }
    public bool Mine { get; init; }
    public int PageSize { get; init; } = 20;
    public string? ContinuationToken { get; init; }
}

/// <summary>Datasets (seed 003): list, read, create, delete; their versions and uploads go through <see cref="VersionsService"/> and <see cref="UploadsService"/>.</summary>
public sealed class DatasetsService(ApiClient api)
{
    public Task<DatasetListResponse> ListAsync(DatasetFilter filter, CancellationToken cancellationToken = default) =>
        api.GetAsync<DatasetListResponse>(new Query("api/datasets")
            .Add("q", filter.Q?.Trim()).Add("status", filter.Status).Add("format", filter.Format).Add("mine", filter.Mine ? true : null)
            .Add("sort", "updated").Add("order", "desc").Add("pageSize", filter.PageSize).Add("continuationToken", filter.ContinuationToken),
            cancellationToken);

    public Task<DatasetDto> GetAsync(string name, CancellationToken cancellationToken = default) =>
        api.GetAsync<DatasetDto>(AssetAddress.Dataset(name).Path, cancellationToken);

    public async Task<DatasetDto> CreateAsync(DatasetRequest request, CancellationToken cancellationToken = default) =>
        (await api.SendAsync<DatasetDto>(HttpMethod.Post, "api/datasets", request, cancellationToken: cancellationToken)).Value!;

    public Task DeleteAsync(DatasetDto dataset, CancellationToken cancellationToken = default) =>
        api.SendAsync(HttpMethod.Delete, AssetAddress.Dataset(dataset.Name).Path, ifMatch: dataset.ETag, cancellationToken: cancellationToken);
}
