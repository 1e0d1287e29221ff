namespace ModelsHub.Core.Assets;

/// <summary>
/// What a versioned asset is (DESIGN.md "Versioned assets"): a model or a dataset. Both have
/// versions, files, resumable uploads and downloads through one mechanism; the kind decides only
/// where they live (<see cref="AssetKinds.Collection"/>) and what a verified file leads to.
/// </summary>
public enum AssetKind { Model, Dataset }

public static class AssetKinds
{
    /// <summary>The plural that names the kind in routes and blob keys: <c>models</c>, <c>datasets</c>.</summary>
    public static string Collection(this AssetKind kind) => kind switch
    {
        AssetKind.Model => "models",
        AssetKind.Dataset => "datasets",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>The word for one asset of the kind in messages: <c>model</c>, <c>dataset</c>.</summary>
    public static string Noun(this AssetKind kind) => kind switch
    {
        AssetKind.Model => "model",
        AssetKind.Dataset => "dataset",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>The resource name of <see cref="Common.NotFoundException"/>s: <c>Model</c>, <c>Dataset</c>.</summary>
    public static string Title(this AssetKind kind) => kind == AssetKind.Model ? "Model" : "Dataset";
}
