using System.Text.Json;
using System.Text.Json.Serialization;
using ModelsHub.Core.Catalog;
using ModelsHub.Core.PullRequests;

namespace ModelsHub.Functions.Models;

/// <summary>A model as the API shows it: metadata, spec and README.</summary>
public sealed record ModelDto(
    string Name,
    ModelType Type,
    string Description,
    string Readme,
    IReadOnlyList<string> Tags,
    ModelFramework Framework,
    ModelSource Source,
    ModelVisibility Visibility,
    ModelTier Tier,
    string Owner,
    ModelStatus Status,
    DateTimeOffset? ExpiresAt,
    bool Featured,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    JsonElement? Spec,
    [property: JsonPropertyName("etag")] string? ETag,
    ModelPullRequest? PullRequest = null,
    string? DefaultVersion = null,
    bool DefaultVersionPinned = false,
    DateTimeOffset? RemovedUpstreamAt = null,
    ApiModels.ProviderDto? Provider = null);

/// <summary>A model in a listing: no spec and no README.</summary>
public sealed record ModelSummaryDto(
    string Name,
    ModelType Type,
    string Description,
    IReadOnlyList<string> Tags,
    ModelFramework Framework,
    ModelSource Source,
    ModelVisibility Visibility,
    ModelTier Tier,
    string Owner,
    ModelStatus Status,
    DateTimeOffset? ExpiresAt,
    bool Featured,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    int SpecEntries,
    [property: JsonPropertyName("etag")] string? ETag,
    DateTimeOffset? RemovedUpstreamAt = null);

public sealed record ModelListResponse(IReadOnlyList<ModelSummaryDto> Items, string? ContinuationToken);

public sealed record ModelStatsResponse(int Total, IReadOnlyDictionary<string, int> ByType);

public sealed record ReadmeResponse(string Readme);

/// <summary>The registration (and maintenance) fields, for the OpenAPI document; bodies are read field by field.</summary>
public sealed record ModelRequest(
    string? Name,
    ModelType? Type,
    string? Description,
    string? Readme,
    IReadOnlyList<string>? Tags,
    ModelFramework? Framework,
    ModelSource? Source,
    ModelVisibility? Visibility,
    ModelTier? Tier,
    ModelStatus? Status,
    DateTimeOffset? ExpiresAt,
    bool? Featured,
    JsonElement? Spec);

public static class ModelMappings
{
    public static ModelDto ToDto(this HubModel m) => new(
        m.Name, m.Type, m.Description, m.Readme, m.Tags, m.Framework, m.Source, m.Visibility, m.Tier, m.Owner,
        m.Status, m.ExpiresAt, m.Featured, m.CreatedAt, m.UpdatedAt, m.Spec, m.ETag, m.PullRequest, m.DefaultVersion, m.DefaultVersionPinned, m.RemovedUpstreamAt,
        ApiModels.ApiModelMappings.ToDto(m.Provider, m.Source));

    public static ModelSummaryDto ToDto(this ModelSummary m) => new(
        m.Name, m.Type, m.Description, m.Tags, m.Framework, m.Source, m.Visibility, m.Tier, m.Owner,
        m.Status, m.ExpiresAt, m.Featured, m.CreatedAt, m.UpdatedAt, m.SpecEntries, m.ETag, m.RemovedUpstreamAt);
}
