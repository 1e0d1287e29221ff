using ModelsHub.Core.Catalog;

namespace ModelsHub.Core.Storage;

/// <summary>
/// The blob layout: <c>models/{model}/{version}/{file}</c> for published files and
/// <c>uploads/{uploadId}/{file}</c> while an upload is in progress. Model names and version
/// labels are unique ignoring case, so they appear in lowercase (their ids): two spellings can
/// never address two folders, whatever the store's case rules.
/// </summary>
public static class BlobKeys
{
    public const string ModelsPrefix = "models/";
    public const string UploadsPrefix = "uploads/";

    public static string ForModel(string modelName) => $"{ModelsPrefix}{HubModel.IdFor(modelName)}/";

    public static string ForVersion(string modelName, string label) => $"{ForModel(modelName)}{label.ToLowerInvariant()}/";

    public static string ForFile(string modelName, string label, string fileName) => ForVersion(modelName, label) + fileName;

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

    /// <summary>The model id, version id and file name of a <c>models/{model}/{version}/{file}</c> key (a name may be a path inside the version).</summary>
    public static bool TryParseFile(string key, out string modelId, out string versionId, out string fileName)
    {
        modelId = versionId = fileName = "";
        if (!key.StartsWith(ModelsPrefix, StringComparison.Ordinal)) return false;
        var parts = key[ModelsPrefix.Length..].Split('/');
        if (parts.Length < 3 || parts.Any(p => p.Length == 0)) return false;
        (modelId, versionId, fileName) = (parts[0], parts[1], string.Join('/', parts[2..]));
        return true;
    }
}
