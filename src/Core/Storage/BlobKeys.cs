using ModelsHub.Core.Assets;

namespace ModelsHub.Core.Storage;

/// <summary>
/// The blob layout: <c>{models|datasets}/{asset}/{version}/{file}</c> for published files (one folder
/// per asset kind, <see cref="AssetKinds.Collection"/>) and <c>uploads/{uploadId}/{file}</c> while an
/// upload is in progress. Asset names and version labels are unique ignoring case, so they appear in
/// lowercase (their ids): two spellings can never address two folders, whatever the store's case rules.
/// </summary>
public static class BlobKeys
{
    public const string UploadsPrefix = "uploads/";

    /// <summary>The folder of every asset kind's published files: <c>models/</c>, <c>datasets/</c>.</summary>
    public static IReadOnlyList<string> PublishedPrefixes { get; } = Enum.GetValues<AssetKind>().Select(PrefixOf).ToArray();

    public static string PrefixOf(AssetKind kind) => kind.Collection() + "/";

    public static string ForAsset(AssetRef asset) => $"{PrefixOf(asset.Kind)}{asset.Id}/";

    public static string ForVersion(AssetRef asset, string label) => $"{ForAsset(asset)}{label.ToLowerInvariant()}/";

    public static string ForFile(AssetRef asset, string label, string fileName) => ForVersion(asset, label) + fileName;

    public static string ForFile(AssetVersionRef version, string fileName) => ForFile(version.Asset, version.Label, fileName);

    public static string ForUpload(string uploadId, string fileName) => $"{UploadsPrefix}{uploadId}/{fileName}";

    /// <summary>The upload id of an <c>uploads/{id}/{file}</c> key (an imported file's name may be a path: <c>uploads/{id}/onnx/model.onnx</c>).</summary>
    public static bool TryParseUpload(string key, out string uploadId)
    {
        uploadId = "";
        if (!key.StartsWith(UploadsPrefix, StringComparison.Ordinal)) return false;
        var parts = key[UploadsPrefix.Length..].Split('/');
        if (parts.Length < 2 || parts.Any(p => p.Length == 0)) return false;
        uploadId = parts[0];
        return true;
    }

    /// <summary>The asset (named by its id), version id and file name of a <c>{models|datasets}/{asset}/{version}/{file}</c> key (a name may be a path inside the version).</summary>
    public static bool TryParseFile(string key, out AssetRef asset, out string versionId, out string fileName)
    {
        asset = default;
        versionId = fileName = "";
        foreach (var kind in Enum.GetValues<AssetKind>())
        {
            var prefix = PrefixOf(kind);
            if (!key.StartsWith(prefix, StringComparison.Ordinal)) continue;
            var parts = key[prefix.Length..].Split('/');
            if (parts.Length < 3 || parts.Any(p => p.Length == 0)) return false;
            (asset, versionId, fileName) = (new AssetRef(kind, parts[0]), parts[1], string.Join('/', parts[2..]));
            return true;
        }
        return false;
    }
}
