using ModelsHub.Contracts.Uploads;
using ModelsHub.Contracts.Versions;
using ModelsHub.Core.Assets;
using ModelsHub.Core.Versions;
using ModelsHub.Functions.Datasets;

namespace ModelsHub.Functions.Versions;

public static class VersionMappings
{
    public static string PathOf(AssetRef asset) => $"/api/{asset.Kind.Collection()}/{Uri.EscapeDataString(asset.Name)}";

    public static string PathOf(AssetVersionRef version) => $"{PathOf(version.Asset)}/versions/{Uri.EscapeDataString(version.Label)}";

    /// <summary>The name in the field of its kind: (model, null) or (null, dataset).</summary>
    public static (string? Model, string? Dataset) Names(AssetRef asset) =>
        asset.Kind == AssetKind.Model ? (asset.Name, null) : (null, asset.Name);

    public static VersionDto ToDto(this AssetVersion v, VersionedAsset asset, UploadDto? upload = null)
    {
        var (model, dataset) = Names(v.AssetRef);
        return new VersionDto(model, dataset, v.Label, v.Notes, v.Status, v.FailureReason,
            string.Equals(asset.Default.Label, v.Label, StringComparison.OrdinalIgnoreCase),
            v.Files.Select(f => new VersionFileDto(f.Name, f.Size, f.Sha256, f.ContentType, f.UploadedAt, $"{PathOf(v.Ref)}/files/{string.Join('/', f.Name.Split('/').Select(Uri.EscapeDataString))}", f.OwnerIn(v))).ToList(),
            v.TotalSize, v.Metrics, v.CreatedBy, v.CreatedAt, v.UpdatedAt, v.ReadyAt, v.ETag, upload, v.Validation?.ToDto(), v.Lineage?.ToDto());
    }

    public static VersionLineageDto ToDto(this VersionLineage l) => new(l.TrainingJob, l.BaseModel, l.BaseVersion, l.Dataset, l.DatasetVersion, l.Trainer, l.Method,
        l.Hyperparameters, l.Metrics, $"/api/training-jobs/{Uri.EscapeDataString(l.TrainingJob)}", PathOf(new AssetVersionRef(AssetRef.Model(l.BaseModel), l.BaseVersion)),
        PathOf(new AssetVersionRef(AssetRef.Dataset(l.Dataset), l.DatasetVersion)));
}
