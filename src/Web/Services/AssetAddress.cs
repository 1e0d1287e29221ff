using ModelsHub.Web.Services.Api;

namespace ModelsHub.Web.Services;

/// <summary>
/// A model or a dataset by its API address (<c>api/models/{name}</c>, <c>api/datasets/{name}</c>): versions and
/// uploads are the same endpoints under either, so the services and the upload page take one of these.
/// </summary>
public sealed record AssetAddress(string Collection, string Name)
{
    public static AssetAddress Model(string name) => new("models", name);

    public static AssetAddress Dataset(string name) => new("datasets", name);

    /// <summary>The asset a version belongs to.</summary>
    public static AssetAddress Of(VersionDto version) => version.Model is { } model ? Model(model) : Dataset(version.Dataset!);

    public bool IsDataset => Collection == "datasets";

    /// <summary>The API path, relative to the hub.</summary>
    public string Path => $"api/{Collection}/{Query.Segment(Name)}";

    /// <summary>The app's page of the asset.</summary>
    public string Page => $"{Collection}/{Uri.EscapeDataString(Name)}";
}
