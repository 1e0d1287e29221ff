using ModelsHub.Contracts.Datasets;
using ModelsHub.Core.Common;

namespace ModelsHub.Core.Datasets;

/// <summary>The fields of a new dataset or of a change; on change an absent field stays as it is.</summary>
public sealed record DatasetInput
{
    public Optional<string> Name { get; init; }
    public Optional<string> Description { get; init; }
    public Optional<DatasetFormat> Format { get; init; }
    public Optional<DatasetVisibility> Visibility { get; init; }
    public Optional<IReadOnlyList<string>> Tags { get; init; }
}

/// <summary>Filters, free text, sort and page of a dataset listing.</summary>
public sealed record DatasetQuery
{
    public DatasetStatus? Status { get; init; }

    public DatasetFormat? Format { get; init; }

    public DatasetVisibility? Visibility { get; init; }

    public string? Owner { get; init; }

    public string? Tag { get; init; }

    /// <summary>Words that must all occur (ignoring case) in the name, description, tags or format.</summary>
    public IReadOnlyList<string> Words { get; init; } = [];

    public DatasetSort Sort { get; init; } = DatasetSort.Name;

    public bool Descending { get; init; }

    public int PageSize { get; init; } = Paging.DefaultPageSize;

    public string? ContinuationToken { get; init; }
}

/// <summary>Which datasets a caller may see, so a store can filter in its query: all, or public ones and the caller's own.</summary>
public sealed record DatasetScope(bool All, string? OwnerId)
{
    public bool Allows(Dataset dataset) =>
        All || dataset.Visibility == DatasetVisibility.Public || (OwnerId is not null && dataset.Owner == OwnerId);
}
