using System.Text.Json;
using System.Text.Json.Serialization;
using ModelsHub.Contracts.PullRequests;

namespace ModelsHub.Contracts.Models;

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
    ModelPullRequestDto? PullRequest = null,
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

/// <summary>The stat cards: how many models the caller can see, per type (keyed by the type's wire name).</summary>
public sealed record ModelStatsResponse(int Total, IReadOnlyDictionary<string, int> ByType);

public sealed record ReadmeResponse(string Readme);

/// <summary>
/// The registration (and maintenance) fields. The server reads bodies field by field (every bad field
/// is named, unknown ones refused), so a client may send only the fields it changes.
/// </summary>
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
