using System.Text.Json.Serialization;
using ModelsHub.Core.Catalog;
using ModelsHub.Core.Versions;
using ModelsHub.Functions.Uploads;

namespace ModelsHub.Functions.Versions;

/// <summary>A version as the API shows it; <see cref="Upload"/> is set when the request also opened an upload.</summary>
public sealed record VersionDto(
    string Model,
    string Label,
    string Notes,
    VersionStatus Status,
    string? FailureReason,
    bool IsDefault,
    IReadOnlyList<VersionFileDto> Files,
    long TotalSize,
    IReadOnlyDictionary<string, double> Metrics,
    string CreatedBy,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? ReadyAt,
    [property: JsonPropertyName("etag")] string? ETag,
    UploadDto? Upload = null);

public sealed record VersionFileDto(string Name, long Size, string Sha256, string ContentType, DateTimeOffset UploadedAt, string DownloadUrl, string UploadedBy);

public sealed record VersionListResponse(IReadOnlyList<VersionDto> Items, string? DefaultVersion, bool DefaultVersionPinned, string SuggestedLabel);

public sealed record VersionSuggestionResponse(string Label);

public sealed record DefaultVersionResponse(string Model, string? DefaultVersion, bool Pinned, [property: JsonPropertyName("etag")] string? ETag);

/// <summary>The fields of a new version or a version update, for the OpenAPI document; bodies are read field by field.</summary>
public sealed record VersionRequest(string? Label, string? Notes, IReadOnlyDictionary<string, double?>? Metrics, UploadRequestBody? File);

/// <summary>Which version is the default: a label pins it, null lets it follow the newest ready version.</summary>
public sealed record DefaultVersionRequest(string? Label);

public static class VersionMappings
{
    public static string PathOf(string model, string label) => $"/api/models/{Uri.EscapeDataString(model)}/versions/{Uri.EscapeDataString(label)}";

    public static VersionDto ToDto(this ModelVersion v, HubModel model, UploadDto? upload = null) => new(
        v.Model, v.Label, v.Notes, v.Status, v.FailureReason,
        string.Equals(model.DefaultVersion, v.Label, StringComparison.OrdinalIgnoreCase),
        v.Files.Select(f => new VersionFileDto(f.Name, f.Size, f.Sha256, f.ContentType, f.UploadedAt, $"{PathOf(v.Model, v.Label)}/files/{Uri.EscapeDataString(f.Name)}", f.OwnerIn(v))).ToList(),
        v.TotalSize, v.Metrics, v.CreatedBy, v.CreatedAt, v.UpdatedAt, v.ReadyAt, v.ETag, upload);
}
