using ModelsHub.Contracts.Models;

namespace ModelsHub.Contracts.Admin;

/// <summary>
/// The outcome of an upstream import: what changed, and each model that could not be taken.
/// <see cref="UnderReview"/> counts models left alone because the hub holds an unpublished change to them.
/// </summary>
public sealed record UpstreamImportResponse(int Added, int Updated, int Unchanged, IReadOnlyList<UpstreamImportErrorDto> Errors)
{
    public int Entries { get; init; }

    public int Removed { get; init; }

    public int UnderReview { get; init; }
}

public sealed record UpstreamImportErrorDto(ModelType Type, string ModelName, string Reason);
