using System.Text.Json;
using System.Text.Json.Serialization;
using ModelsHub.Contracts.Models;
using ModelsHub.Core.ApiModels;
using ModelsHub.Core.Common;
using ModelsHub.Core.PullRequests;

namespace ModelsHub.Core.Catalog;

/// <summary>
/// A registered model. <see cref="Spec"/> holds the model's Xinference entries (a JSON array,
/// one entry per variant) exactly as they will be served and rendered upstream.
/// </summary>
public sealed class HubModel : IStoredDocument<HubModel>
{
    /// <summary>The name in lowercase: names are unique ignoring case.</summary>
    public required string Id { get; init; }

    public required string Name { get; init; }

    public ModelType Type { get; set; }

    public string Description { get; set; } = "";

    public string Readme { get; set; } = "";

    public List<string> Tags { get; set; } = [];

    public ModelFramework Framework { get; set; } = ModelFramework.Custom;

    public ModelSource Source { get; set; } = ModelSource.Upload;

    public ModelVisibility Visibility { get; set; } = ModelVisibility.Private;

    public ModelTier Tier { get; set; } = ModelTier.Standard;

    public required string Owner { get; set; }

    public ModelStatus Status { get; set; } = ModelStatus.Active;

    public DateTimeOffset? ExpiresAt { get; set; }

    public bool Featured { get; set; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>The Xinference entries (a JSON array), or null for a draft or a non-Xinference type.</summary>
    public JsonElement? Spec { get; set; }

    /// <summary>The pull request that carries the model's latest approved change upstream, or null.</summary>
    public ModelPullRequest? PullRequest { get; set; }

    /// <summary>
    /// When the upstream sync found this upstream model gone from the model repository; null while
    /// the repository lists it. Such a model stays in the catalog but leaves the download lists.
    /// </summary>
    public DateTimeOffset? RemovedUpstreamAt { get; set; }

    /// <summary>
    /// For an API model (source openai, anthropic or openai-compatible): where it is called and with
    /// which key (encrypted); null for every other model.
    /// </summary>
    public ModelProvider? Provider { get; set; }

    [JsonIgnore]
    public string? ETag { get; set; }

    /// <summary>The label of the version clients get by default; null until a version is ready.</summary>
    public string? DefaultVersion { get; set; }

    /// <summary>True when the owner chose <see cref="DefaultVersion"/>; otherwise it follows the newest ready version.</summary>
    public bool DefaultVersionPinned { get; set; }

    public static string IdFor(string name) => name.ToLowerInvariant();

    public bool IsListed(DateTimeOffset now) => Status == ModelStatus.Active && (ExpiresAt is null || ExpiresAt > now);

    public HubModel Clone() => new()
    {
        Id = Id,
        Name = Name,
        Type = Type,
        Description = Description,
        Readme = Readme,
        Tags = [.. Tags],
        Framework = Framework,
        Source = Source,
        Visibility = Visibility,
        Tier = Tier,
        Owner = Owner,
        Status = Status,
        ExpiresAt = ExpiresAt,
        Featured = Featured,
        CreatedAt = CreatedAt,
        UpdatedAt = UpdatedAt,
        Spec = Spec,
        PullRequest = PullRequest,
        RemovedUpstreamAt = RemovedUpstreamAt,
        ETag = ETag,
        DefaultVersion = DefaultVersion,
        DefaultVersionPinned = DefaultVersionPinned,
        Provider = Provider,
    };

    public ModelSummary ToSummary() => new(
        Name, Type, Description, Tags, Framework, Source, Visibility, Tier, Owner, Status, ExpiresAt, Featured,
        CreatedAt, UpdatedAt, Spec is { ValueKind: JsonValueKind.Array } s ? s.GetArrayLength() : 0, ETag)
    {
        RemovedUpstreamAt = RemovedUpstreamAt,
        ProviderEndpoint = Provider?.Endpoint,
        ProviderModelId = Provider?.ModelId,
        ProviderVersion = Provider?.Version,
    };
}

/// <summary>What a list shows of a model: everything but the spec and the README.</summary>
public sealed record ModelSummary(
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
    [property: JsonIgnore] string? ETag = null)
{
    /// <summary>See <see cref="HubModel.RemovedUpstreamAt"/>.</summary>
    public DateTimeOffset? RemovedUpstreamAt { get; init; }

    /// <summary>An API model's endpoint, provider model id and version label (seed 004's list shows them); null otherwise.</summary>
    public string? ProviderEndpoint { get; init; }

    public string? ProviderModelId { get; init; }

    public string? ProviderVersion { get; init; }
}

/// <summary>The counts the catalog's stat cards show.</summary>
public sealed record ModelCounts(int Total, IReadOnlyDictionary<ModelType, int> ByType);
