using ModelsHub.Contracts.Datasets;

namespace ModelsHub.Core.Datasets;

/// <summary>
/// What validating one file of a dataset version found: the version is ready when <see cref="ErrorCount"/>
/// is 0, invalid otherwise. Counts describe the whole file; <see cref="Errors"/> holds the first
/// <see cref="MaxErrors"/>.
/// </summary>
public sealed record DatasetValidation
{
    public const int MaxErrors = 100;

    public required DatasetFormat Format { get; init; }

    /// <summary>The file that was read, and its SHA-256 (what the result is about).</summary>
    public required string File { get; init; }

    public required string Sha256 { get; init; }

    public long SizeBytes { get; init; }

    /// <summary>Records (lines, rows); 0 for an archive.</summary>
    public long RecordCount { get; init; }

    /// <summary>The columns of a CSV or Parquet file, or the fields of jsonl-completion records, in order (at most <see cref="DatasetValidator.MaxColumns"/>).</summary>
    public IReadOnlyList<string>? Columns { get; init; }

    /// <summary>jsonl-chat: how many messages each role has.</summary>
    public IReadOnlyDictionary<string, long>? Roles { get; init; }

    public TokenEstimate? Tokens { get; init; }

    /// <summary>An archive's files.</summary>
    public ArchiveContents? Archive { get; init; }

    public IReadOnlyList<DatasetError> Errors { get; init; } = [];

    /// <summary>Every error found, of which <see cref="Errors"/> lists the first ones.</summary>
    public long ErrorCount { get; init; }

    public DateTimeOffset StartedAt { get; init; }

    public DateTimeOffset FinishedAt { get; init; }

    public bool IsValid => ErrorCount == 0;

    /// <summary>One line for a version's failure reason.</summary>
    public string Summary() => ErrorCount switch
    {
        0 => "valid",
        1 => $"1 error: {Errors[0]}",
        _ => $"{ErrorCount} errors; the first: {Errors[0]}",
    };
}

/// <summary>One problem: at a 1-based line (JSON Lines) or row (CSV, Parquet; the header is row 1 of a CSV), or null for the file as a whole.</summary>
public sealed record DatasetError(long? Line, string Message)
{
    public override string ToString() => Line is { } line ? $"line {line}: {Message}" : Message;
}

/// <summary>
/// How many tokens the text of the records holds in <see cref="Encoding"/> (a tiktoken encoding):
/// counted exactly when <see cref="Exact"/>, else measured on a spread sample of the records and scaled
/// to the whole file by bytes of text. Chat records include the message framing tokens.
/// </summary>
public sealed record TokenEstimate(string Encoding, long Tokens, bool Exact, long SampledRecords);

/// <summary>An archive's regular files: how many, their total (uncompressed) size, and the first ones.</summary>
public sealed record ArchiveContents(long FileCount, long TotalBytes, IReadOnlyList<ArchiveEntry> Entries, bool Truncated);

public sealed record ArchiveEntry(string Path, long Size);
