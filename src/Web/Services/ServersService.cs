using ModelsHub.Contracts.Servers;
using ModelsHub.Web.Services.Api;

namespace ModelsHub.Web.Services;

/// <summary>Inference servers (Xinference clusters): their nodes, registration, monitoring series, and pushing the hub's models to them.</summary>
public sealed class ServersService(ApiClient api)
{
    public static string Path(string name) => $"api/inference-servers/{Query.Segment(name)}";

    public async Task<IReadOnlyList<InferenceServerDto>> ListAsync(CancellationToken cancellationToken = default) =>
        (await api.GetAsync<InferenceServerListResponse>("api/inference-servers", cancellationToken)).Items;

    public Task<InferenceServerDto> GetAsync(string name, CancellationToken cancellationToken = default) =>
        api.GetAsync<InferenceServerDto>(Path(name), cancellationToken);

    /// <summary>Registers a server: the hub asks it for its version and cluster first and stores nothing when it does not answer or refuses the key.</summary>
    public async Task<InferenceServerDto> RegisterAsync(InferenceServerRequest request, CancellationToken cancellationToken = default) =>
        (await api.SendAsync<InferenceServerDto>(HttpMethod.Post, "api/inference-servers", request, cancellationToken: cancellationToken)).Value!;

    /// <summary>The server's series over the last <paramref name="hours"/> hours, cluster totals only unless <paramref name="nodes"/>.</summary>
    public Task<ServerMetricsResponse> MetricsAsync(string name, int hours = 24, bool nodes = false, CancellationToken cancellationToken = default) =>
        api.GetAsync<ServerMetricsResponse>(new Query($"{Path(name)}/metrics").Add("from", DateTimeOffset.UtcNow.AddHours(-hours).ToString("O"))
            .Add("nodes", nodes), cancellationToken);

    /// <summary>Registers or refreshes the hub's own models on the servers named (all when none) for the types named (all when none): each server's result.</summary>
    public async Task<PushResponse> PushAsync(IReadOnlyList<string>? servers, IReadOnlyList<string>? types, CancellationToken cancellationToken = default) =>
        (await api.SendAsync<PushResponse>(HttpMethod.Post, "api/inference-servers/push",
            new PushRequest(servers is { Count: > 0 } ? servers : null, types is { Count: > 0 } ? types : null), cancellationToken: cancellationToken)).Value!;
}
