using ModelsHub.Contracts.ApiModels;
using ModelsHub.Contracts.Deployments;
using ModelsHub.Web.Services.Api;

namespace ModelsHub.Web.Services;

/// <summary>What the Deployments page asks for: a model, a server, a state.</summary>
public sealed record DeploymentFilter(string? Model = null, string? Server = null, DeploymentState? State = null);

/// <summary>Deployments of hub model versions on inference servers: deploy, follow, stop, start, delete, test, monitoring.</summary>
public sealed class DeploymentsService(ApiClient api)
{
    public static string Path(string id) => $"api/deployments/{Query.Segment(id)}";

    public Task<DeploymentListResponse> ListAsync(DeploymentFilter filter, CancellationToken cancellationToken = default) =>
        api.GetAsync<DeploymentListResponse>(new Query("api/deployments").Add("model", filter.Model).Add("server", filter.Server)
            .Add("state", filter.State).Add("pageSize", 100), cancellationToken);

    public Task<DeploymentDto> GetAsync(string id, CancellationToken cancellationToken = default) =>
        api.GetAsync<DeploymentDto>(Path(id), cancellationToken);

    /// <summary>Deploys: 202 with the deployment in <c>pending</c>; every bad field comes back named.</summary>
    public async Task<DeploymentDto> CreateAsync(DeploymentRequest request, CancellationToken cancellationToken = default) =>
        (await api.SendAsync<DeploymentDto>(HttpMethod.Post, "api/deployments", request, cancellationToken: cancellationToken)).Value!;

    public async Task<DeploymentDto> StopAsync(string id, CancellationToken cancellationToken = default) =>
        (await api.SendAsync<DeploymentDto>(HttpMethod.Post, $"{Path(id)}/stop", cancellationToken: cancellationToken)).Value!;

    public async Task<DeploymentDto> StartAsync(string id, CancellationToken cancellationToken = default) =>
        (await api.SendAsync<DeploymentDto>(HttpMethod.Post, $"{Path(id)}/start", cancellationToken: cancellationToken)).Value!;

    public Task DeleteAsync(string id, CancellationToken cancellationToken = default) =>
        api.SendAsync(HttpMethod.Delete, Path(id), cancellationToken: cancellationToken);

    public async Task<TestResultDto> TestAsync(string id, TestInputData input, CancellationToken cancellationToken = default) =>
        (await api.SendAsync<TestResultDto>(HttpMethod.Post, $"{Path(id)}/test", new TestRequest(input), cancellationToken: cancellationToken)).Value!;

    /// <summary>The deployment's monitoring over the last <paramref name="hours"/> hours: state changes, its server's totals, its calls.</summary>
    public Task<DeploymentMetricsResponse> MetricsAsync(string id, int hours = 24, CancellationToken cancellationToken = default) =>
        api.GetAsync<DeploymentMetricsResponse>(new Query($"{Path(id)}/metrics").Add("from", DateTimeOffset.UtcNow.AddHours(-hours).ToString("O")), cancellationToken);
}
