using ModelsHub.Contracts.Datasets;

namespace ModelsHub.Core.Datasets.Validation;

/// <summary>What a format's reader finds while it streams a file: counts, errors (the first ones kept), columns, roles, tokens.</summary>
internal sealed class ValidationReport
{
    private readonly List<DatasetError> _errors = [];

    public long RecordCount { get; set; }

    public long ErrorCount { get; private set; }

    public IReadOnlyList<string>? Columns { get; set; }

    public Dictionary<string, long>? Roles { get; set; }

    public ArchiveContents? Archive { get; set; }

    public TokenSampler Tokens { get; } = new();

    public void AddError(long? line, string message)
    {
        ErrorCount++;
        if (_errors.Count < DatasetValidation.MaxErrors)
        {
            _errors.Add(new DatasetError(line, message));
        }
    }

    public DatasetValidation ToValidation(DatasetFormat format, string file, string sha256, long size, DateTimeOffset started, DateTimeOffset finished) => new()
    {
        Format = format,
        File = file,
        Sha256 = sha256,
        SizeBytes = size,
        RecordCount = RecordCount,
        Columns = Columns,
        Roles = Roles,
        Tokens = format.HasRecords() ? Tokens.Estimate() : null,
        Archive = Archive,
        // Readers that make two passes over parts of a file may find errors out of order.
        Errors = [.. _errors.OrderBy(e => e.Line ?? 0)],
        ErrorCount = ErrorCount,
        StartedAt = started,
        FinishedAt = finished,
    };
}
