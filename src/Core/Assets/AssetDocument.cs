using System.Text.Json.Serialization;

namespace ModelsHub.Core.Assets;

/// <summary>
/// A document that belongs to one asset (a version, an upload session): the asset's kind, its
/// <see cref="AssetRef.Key"/>, which the stores group such documents by, and its name as registered.
/// Documents written before datasets existed named their model <c>modelId</c> and <c>model</c> and had
/// no kind: they read as a model's.
/// </summary>
public abstract class AssetDocument
{
    public AssetKind Kind { get; init; } = AssetKind.Model;

    public string AssetKey { get; init; } = "";

    public string Asset { get; init; } = "";

    [JsonInclude, JsonPropertyName("modelId"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    private string? LegacyModelId { get => null; init => AssetKey = value ?? AssetKey; }

    [JsonInclude, JsonPropertyName("model"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    private string? LegacyModel { get => null; init => Asset = value ?? Asset; }

    [JsonIgnore]
    public AssetRef AssetRef => new(Kind, Asset);
}
