using System.Text.Json;
using System.Text.Json.Nodes;
using ModelsHub.Contracts;
using ModelsHub.Web.Services.Api;

namespace ModelsHub.Web.Services;

/// <summary>What the Models page asks for: free text, facets, sort and a page.</summary>
public sealed record ModelFilter
{
    public string? Q { get; init; }
    public ModelType? Type { get; init; }
    public ModelFramework? Framework { get; init; }
    public ModelTier? Tier { get; init; }
    public ModelSource? Source { get; init; }
    public ModelStatus? Status { get; init; }
    public ModelVisibility? Visibility { get; init; }
    public string? Tag { get; init; }
    public bool? Featured { get; init; }
    public bool Mine { get; init; }
    public string Sort { get; init; } = "name";
    public string Order { get; init; } = "asc";
    public int PageSize { get; init; } = 20;
    public string? ContinuationToken { get; init; }
}

/// <summary>The model catalog: browse, read, register, maintain, delete, stats, README templates, reviews and history of a model.</summary>
public sealed class ModelsService(ApiClient api)
{
    public static string PathOf(string name) => $"api/models/{Query.Segment(name)}";

    public Task<ModelListResponse> ListAsync(ModelFilter filter, CancellationToken cancellationToken = default) =>
        api.GetAsync<ModelListResponse>(new Query("api/models")
            .Add("q", filter.Q?.Trim()).Add("type", filter.Type).Add("framework", filter.Framework).Add("tier", filter.Tier)
            .Add("source", filter.Source).Add("status", filter.Status).Add("visibility", filter.Visibility).Add("tag", filter.Tag?.Trim())
            .Add("featured", filter.Featured).Add("mine", filter.Mine ? true : null)
            .Add("sort", filter.Sort).Add("order", filter.Order).Add("pageSize", filter.PageSize).Add("continuationToken", filter.ContinuationToken),
            cancellationToken);

    public Task<ModelStatsResponse> StatsAsync(CancellationToken cancellationToken = default) =>
        api.GetAsync<ModelStatsResponse>("api/models/stats", cancellationToken);

    public Task<ModelDto> GetAsync(string name, CancellationToken cancellationToken = default) =>
        api.GetAsync<ModelDto>(PathOf(name), cancellationToken);

    /// <summary>Registers a model: 201 with the model, or 202 with the submission waiting for review.</summary>
    public async Task<ModelWriteResult> CreateAsync(JsonObject fields, CancellationToken cancellationToken = default)
    {
        var result = await api.SendAsync<JsonElement>(HttpMethod.Post, "api/models", fields, cancellationToken: cancellationToken);
        return ModelWriteResult.From(result);
    }

    /// <summary>Changes some fields (only those in <paramref name="changes"/>); 202 when the change waits for review.</summary>
    public async Task<ModelWriteResult> UpdateAsync(string name, JsonObject changes, string etag, CancellationToken cancellationToken = default)
    {
        var result = await api.SendAsync<JsonElement>(HttpMethod.Patch, PathOf(name), changes, etag, cancellationToken);
        return ModelWriteResult.From(result);
    }

    public async Task<ModelWriteResult> DeleteAsync(string name, string etag, CancellationToken cancellationToken = default)
    {
        var result = await api.SendAsync<JsonElement>(HttpMethod.Delete, PathOf(name), ifMatch: etag, cancellationToken: cancellationToken);
        return ModelWriteResult.From(result);
    }

    /// <summary>"Get README": a Markdown template from the draft's name, type, description and spec.</summary>
    public async Task<string> ReadmeTemplateAsync(JsonObject draft, CancellationToken cancellationToken = default) =>
        (await api.SendAsync<ReadmeResponse>(HttpMethod.Post, "api/models/readme-template", draft, cancellationToken: cancellationToken)).Value!.Readme;

    public Task<ReviewStatusResponse> ReviewStatusAsync(string name, CancellationToken cancellationToken = default) =>
        api.GetAsync<ReviewStatusResponse>($"{PathOf(name)}/reviews", cancellationToken);

    public Task<ModelHistoryResponse> HistoryAsync(string name, CancellationToken cancellationToken = default) =>
        api.GetAsync<ModelHistoryResponse>($"{PathOf(name)}/history", cancellationToken);

    public async Task<ModelPullRequestDto> RefreshPullRequestAsync(string name, CancellationToken cancellationToken = default) =>
        (await api.SendAsync<ModelPullRequestDto>(HttpMethod.Post, $"{PathOf(name)}/pull-request/refresh", cancellationToken: cancellationToken)).Value!;
}

/// <summary>A model write's outcome: applied (the model) or waiting for review (the submission).</summary>
public sealed record ModelWriteResult(ModelDto? Model, SubmissionDto? Submission, string? ETag)
{
    public bool IsPending => Submission is not null;

    internal static ModelWriteResult From(ApiResult<JsonElement> result) => result.Status switch
    {
        System.Net.HttpStatusCode.Accepted => new(null, result.Value.Deserialize(HubJsonContext.Default.SubmissionDto), null),
        System.Net.HttpStatusCode.NoContent => new(null, null, null),
        _ => new(result.Value.Deserialize(HubJsonContext.Default.ModelDto), null, result.ETag),
    };
}
