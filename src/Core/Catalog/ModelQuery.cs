using ModelsHub.Contracts.Models;

namespace ModelsHub.Core.Catalog;

/// <summary>Filters, free text, sort and page of a catalog listing.</summary>
public sealed record ModelQuery
{
    public ModelType? Type { get; init; }

    public string? Tag { get; init; }

    public ModelFramework? Framework { get; init; }

    public ModelVisibility? Visibility { get; init; }

    public ModelTier? Tier { get; init; }

    public ModelSource? Source { get; init; }

    public ModelStatus? Status { get; init; }

    public string? Owner { get; init; }

    public bool? Featured { get; init; }

    /// <summary>Words that must all occur (ignoring case) in the name, description, tags or type.</summary>
    public IReadOnlyList<string> Words { get; init; } = [];

    public ModelSort Sort { get; init; } = ModelSort.Name;

    public bool Descending { get; init; }

    public int PageSize { get; init; } = Common.Paging.DefaultPageSize;

    public string? ContinuationToken { get; init; }
}

/// <summary>
/// Which models a caller may see, expressed so a store can filter in its query:
/// everything, or their own models plus public models of the allowed tiers that are listed
/// (active, not expired) — or unlisted too for tiers the caller manages.
/// </summary>
public sealed record ModelVisibilityScope(
    bool All,
    string? OwnerId,
    IReadOnlySet<ModelTier> PublicTiers,
    IReadOnlySet<ModelTier> UnlistedTiers,
    DateTimeOffset Now)
{
    public bool Allows(HubModel model) =>
        All
        || (OwnerId is not null && model.Owner == OwnerId)
        || (model.Visibility == ModelVisibility.Public
            && PublicTiers.Contains(model.Tier)
            && (UnlistedTiers.Contains(model.Tier) || model.IsListed(Now)));
}

public static class ModelSearch
{
    /// <summary>What a listing's free-text words are matched against, lowercase: every adapter indexes this text.</summary>
    public static string SearchText(this HubModel model) =>
        string.Join(' ', [model.Name, model.Description, .. model.Tags, model.Type.SearchWords()]).ToLowerInvariant();
}
