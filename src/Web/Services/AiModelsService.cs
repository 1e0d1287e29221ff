using ModelsHub.Contracts.ApiModels;
using ModelsHub.Contracts.Usage;
using ModelsHub.Web.Services.Api;

namespace ModelsHub.Web.Services;

/// <summary>
/// The AI-model console (seed 004): API models (OpenAI, Anthropic, OpenAI-compatible) added with a key that is
/// never shown back and verified first, their provider, test calls, start/stop, and their usage reports.
/// </summary>
public sealed class AiModelsService(ApiClient api)
{
    /// <summary>The sources whose models the hub calls through a provider's API.</summary>
    public static readonly ModelSource[] ApiSources = [ModelSource.Openai, ModelSource.Anthropic, ModelSource.OpenaiCompatible];

    /// <summary>The API models of one source (or of all three), by name.</summary>
    public async Task<IReadOnlyList<ModelSummaryDto>> ListAsync(ModelSource? source, string? q, CancellationToken cancellationToken = default)
    {
        var pages = await Task.WhenAll((source is { } one ? [one] : ApiSources).Select(s =>
            api.GetAsync<ModelListResponse>(new Query("api/models").Add("source", (ModelSource?)s).Add("q", q?.Trim()).Add("sort", "name").Add("pageSize", 100),
                cancellationToken)));
        return [.. pages.SelectMany(p => p.Items).OrderBy(m => m.Name, StringComparer.OrdinalIgnoreCase)];
    }

    /// <summary>Registers an API model and its provider in one call (seed 004's create): nothing is stored unless the provider accepts the key.</summary>
    public async Task<AiModelDto> CreateAsync(AiModelRequest request, CancellationToken cancellationToken = default) =>
        (await api.SendAsync<AiModelDto>(HttpMethod.Post, "api/v1/ai-models/", request, cancellationToken: cancellationToken)).Value!;

    public async Task<ProviderDto> SetProviderAsync(string name, ProviderRequest request, CancellationToken cancellationToken = default) =>
        (await api.SendAsync<ProviderDto>(HttpMethod.Put, $"{AssetAddress.Model(name).Path}/provider", request, cancellationToken: cancellationToken)).Value!;

    public async Task<ProviderDto> VerifyAsync(string name, CancellationToken cancellationToken = default) =>
        (await api.SendAsync<ProviderDto>(HttpMethod.Post, $"{AssetAddress.Model(name).Path}/provider/verify", cancellationToken: cancellationToken)).Value!;

    public async Task<TestResultDto> TestAsync(string name, TestInputData input, CancellationToken cancellationToken = default) =>
        (await api.SendAsync<TestResultDto>(HttpMethod.Post, $"{AssetAddress.Model(name).Path}/test", new TestRequest(input), cancellationToken: cancellationToken)).Value!;

    public async Task<ToggleStatusResponse> ToggleAsync(string name, CancellationToken cancellationToken = default) =>
        (await api.SendAsync<ToggleStatusResponse>(HttpMethod.Post, $"{AssetAddress.Model(name).Path}/toggle-status", cancellationToken: cancellationToken)).Value!;

    /// <summary>
    /// A model's usage: the last 24 hours by hour or the last 30 days by day (the hub's defaults), or by day over the
    /// last <paramref name="days"/> days, split by version or user when asked.
    /// </summary>
    public Task<UsageReport> UsageAsync(string name, UsageGranularity granularity, UsageGrouping by = UsageGrouping.None, int? days = null,
        CancellationToken cancellationToken = default) =>
        api.GetAsync<UsageReport>(new Query($"{AssetAddress.Model(name).Path}/usage").Add("granularity", (UsageGranularity?)granularity)
            .Add("by", by == UsageGrouping.None ? null : (UsageGrouping?)by)
            .Add("from", days is { } d ? DateTimeOffset.UtcNow.UtcDateTime.Date.AddDays(1 - d).ToString("yyyy-MM-ddT00:00:00Z", System.Globalization.CultureInfo.InvariantCulture) : null),
            cancellationToken);
}
