using ModelsHub.Contracts.Uploads;
using ModelsHub.Contracts.Versions;
using ModelsHub.Core.Catalog;
using ModelsHub.Core.Versions;

namespace ModelsHub.Functions.Versions;

public static class VersionMappings
{
    public static string PathOf(string model, string label) => $"/api/models/{Uri.EscapeDataString(model)}/versions/{Uri.EscapeDataString(label)}";

    public static VersionDto ToDto(this ModelVersion v, HubModel model, UploadDto? upload = null) => new(
        v.Model, v.Label, v.Notes, v.Status, v.FailureReason,
        string.Equals(model.DefaultVersion, v.Label, StringComparison.OrdinalIgnoreCase),
        v.Files.Select(f => new VersionFileDto(f.Name, f.Size, f.Sha256, f.ContentType, f.UploadedAt, $"{PathOf(v.Model, v.Label)}/files/{Uri.EscapeDataString(f.Name)}")).ToList(),
        v.TotalSize, v.Metrics, v.CreatedBy, v.CreatedAt, v.UpdatedAt, v.ReadyAt, v.ETag, upload);
}
