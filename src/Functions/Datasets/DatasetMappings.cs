using ModelsHub.Contracts.Datasets;
using ModelsHub.Core.Datasets;

namespace ModelsHub.Functions.Datasets;

public static class DatasetMappings
{
    public static string PathOf(Dataset d) => $"/api/datasets/{Uri.EscapeDataString(d.Name)}";

    public static DatasetDto ToDto(this Dataset d) => new(
        d.Name, d.Description, d.Format, d.Visibility, d.Tags, d.Owner, d.Status, d.DefaultVersion, d.DefaultVersionPinned,
        d.RecordCount, d.SizeBytes, d.TokenEstimate, d.VersionCount, d.CreatedAt, d.UpdatedAt, d.ETag);

    public static DatasetValidationDto ToDto(this DatasetValidation v) => new(
        v.Format, v.File, v.Sha256, v.RecordCount, v.SizeBytes, v.Columns, v.Roles, v.Tokens?.Tokens,
        v.Tokens is { } t ? new TokenEstimateDto(t.Encoding, t.Tokens, t.Exact, t.SampledRecords) : null,
        v.Archive is { } a ? new ArchiveContentsDto(a.FileCount, a.TotalBytes, a.Entries.Select(e => new ArchiveEntryDto(e.Path, e.Size)).ToList(), a.Truncated) : null,
        v.Errors.Select(e => new DatasetErrorDto(e.Line, e.Message)).ToList(), v.ErrorCount, v.StartedAt, v.FinishedAt);
}
