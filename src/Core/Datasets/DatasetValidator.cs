using ModelsHub.Contracts;
using ModelsHub.Contracts.Datasets;
using ModelsHub.Core.Common;

namespace ModelsHub.Core.Datasets;

/// <summary>
/// Reads one file of a dataset version as its format says and reports what it holds and what is
/// wrong with it, line by line. Streams: memory does not grow with the file (a JSON Lines file
/// passes through a fixed buffer; a CSV record and a Parquet column chunk are the largest units held).
/// Never throws for what the file contains; only for the stream's own failures and cancellation.
/// </summary>
public sealed class DatasetValidator(TimeProvider clock)
{
    /// <summary>The longest line (or CSV record) a file may have.</summary>
    public const int MaxLineBytes = 1 << 20;

    /// <summary>Columns listed on a version; a file may have more.</summary>
    public const int MaxColumns = 1_000;

    /// <param name="content">The file; Parquet and zip need it seekable (the hub's blob streams are).</param>
    public async Task<DatasetValidation> ValidateAsync(Stream content, long size, DatasetFormat format, string fileName, string sha256, CancellationToken cancellationToken)
    {
        var started = clock.GetUtcNow();
        var report = new Validation.ValidationReport();
        if (size == 0)
        {
            report.AddError(null, "Is empty.");
        }
        else
        {
            try
            {
                await ReadAsync(content, format, fileName, report, cancellationToken);
            }
            catch (Exception ex) when (ex is FormatException or InvalidDataException or ArgumentException or InvalidOperationException
                or NotSupportedException or OverflowException or IndexOutOfRangeException)
            {
                // A reader library giving up on what it was handed: the file, not the hub, is at fault.
                report.AddError(null, $"Cannot be read as {EnumNames<DatasetFormat>.NameOf(format)}: {ex.Message}");
            }
            if (format.HasRecords() && report.RecordCount == 0 && report.ErrorCount == 0)
            {
                report.AddError(null, "Holds no records.");
            }
        }
        return report.ToValidation(format, fileName, sha256, size, started, clock.GetUtcNow());
    }

    private static async Task ReadAsync(Stream content, DatasetFormat format, string fileName, Validation.ValidationReport report, CancellationToken cancellationToken)
    {
        switch (format)
        {
            case DatasetFormat.JsonlChat:
                var chat = new Validation.ChatRecords(report);
                await Validation.JsonLines.ReadAsync(content, chat, report, cancellationToken);
                report.Roles = chat.Roles();
                break;
            case DatasetFormat.JsonlCompletion:
                var completions = new Validation.CompletionRecords(report);
                await Validation.JsonLines.ReadAsync(content, completions, report, cancellationToken);
                report.Columns = completions.Columns();
                break;
            case DatasetFormat.Csv:
                await Validation.CsvTable.ReadAsync(content, report, cancellationToken);
                break;
            case DatasetFormat.Parquet:
                await Validation.ParquetTable.ReadAsync(content, report, cancellationToken);
                break;
            case DatasetFormat.Archive:
                await Validation.ArchiveListing.ReadAsync(content, fileName, report, cancellationToken);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(format));
        }
    }
}
