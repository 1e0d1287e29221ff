using ModelsHub.Core.Assets;

namespace ModelsHub.Functions.Versions;

/// <summary>
/// The asset kind whose routes an endpoint is mapped under (<c>/api/models/…</c> or
/// <c>/api/datasets/…</c>): the version and upload endpoints are mapped once per kind with this as
/// their group's metadata, and their handlers take it as a parameter.
/// </summary>
public sealed record AssetRoute(AssetKind Kind)
{
    public AssetRef For(string name) => new(Kind, name);

    /// <summary>The endpoint's name: the model route's own (kept for existing clients), or the dataset route's.</summary>
    public string Name(string model, string dataset) => Kind == AssetKind.Model ? model : dataset;

    public static ValueTask<AssetRoute?> BindAsync(HttpContext context) =>
        ValueTask.FromResult(context.GetEndpoint()?.Metadata.GetMetadata<AssetRoute>());
}
