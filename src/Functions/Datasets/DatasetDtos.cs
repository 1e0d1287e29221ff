using System.Text.Json.Serialization;
using ModelsHub.Core.Datasets;

namespace ModelsHub.Functions.Datasets;

/// <summary>
/// A dataset as the API shows it: metadata, and what its versions show (status, default version with
/// its records, size and token estimate, how many versions).
/// </summary>
public sealed record DatasetDto(
    string Name,
    string Description,
    DatasetFormat Format,
    DatasetVisibility Visibility,
    IReadOnlyList<string> Tags,
    string Owner,
    DatasetStatus Status,
    string? DefaultVersion,
    bool DefaultVersionPinned,
    long? RecordCount,
    long? SizeBytes,
    long? TokenEstimate,
    int VersionCount,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    [property: JsonPropertyName("etag")] string? ETag);

public sealed record DatasetListResponse(IReadOnlyList<DatasetDto> Items, string? ContinuationToken);

/// <summary>The fields of a new dataset or a change, for the OpenAPI document; bodies are read field by field.</summary>
public sealed record DatasetRequest(string? Name, string? Description, DatasetFormat? Format, DatasetVisibility? Visibility, IReadOnlyList<string>? Tags);

public static class DatasetMappings
{
    public static string PathOf(Dataset d) => $"/api/datasets/{Uri.EscapeDataString(d.Name)}";

    public static DatasetDto ToDto(this Dataset d) => new(
        d.Name, d.Description, d.Format, d.Visibility, d.Tags, d.Owner, d.Status, d.DefaultVersion, d.DefaultVersionPinned,
        d.RecordCount, d.SizeBytes, d.TokenEstimate, d.VersionCount, d.CreatedAt, d.UpdatedAt, d.ETag);
}
