using System.Text;
using System.Text.Unicode;
using CsvHelper;

namespace ModelsHub.Core.Datasets.Validation;

/// <summary>
/// csv: a header row of unique, non-empty names, then records with exactly as many fields (a ragged
/// row is an error at the line where it starts), RFC 4180 quoting, UTF-8. Streamed by CsvHelper with
/// records capped at <see cref="DatasetValidator.MaxLineBytes"/>.
/// </summary>
internal static class CsvTable
{
    public static async Task ReadAsync(Stream stream, ValidationReport report, CancellationToken cancellationToken)
    {
        var options = new CsvReaderOptions
        {
            Separator = ',',
            HasHeader = true,
            TrackLineNumbers = true,
            TrimWhitespace = false,
            MaxRecordSize = DatasetValidator.MaxLineBytes,
            FieldCountMismatch = CsvFieldCountHandling.Allow,
            OnMalformedRecord = record => report.AddError(record.LineNumber, Malformed(record.Reason)),
        };
        await using var csv = CsvReader.Create(stream, options, leaveOpen: true);
        try
        {
            await csv.ReadHeaderAsync(cancellationToken);
            var headers = csv.Headers;
            if (headers.Count == 0)
            {
                report.AddError(null, "Is empty; a CSV dataset needs a header row and at least one record.");
                return;
            }
            CheckHeader(headers, report);
            report.Columns = headers.Take(DatasetValidator.MaxColumns).ToArray();
            var text = new StringBuilder();
            while (await csv.ReadAsync(cancellationToken))
            {
                report.RecordCount++;
                var line = csv.LineNumber;
                if (csv.FieldCount != headers.Count)
                {
                    report.AddError(line, $"Has {csv.FieldCount} fields but the header has {headers.Count}.");
                    continue;
                }
                if (!Utf8.IsValid(csv.RawRecord))
                {
                    report.AddError(line, "Is not UTF-8 text.");
                    continue;
                }
                long textBytes = 0;
                for (var i = 0; i < csv.FieldCount; i++)
                {
                    textBytes += csv.GetSpan(i).Length;
                }
                if (report.Tokens.Add(textBytes, 0))
                {
                    text.Clear();
                    for (var i = 0; i < csv.FieldCount; i++)
                    {
                        text.Append(csv.GetString(i)).Append('\n');
                    }
                    report.Tokens.AddSample(text.ToString());
                }
            }
            if (report.RecordCount == 0)
            {
                report.AddError(null, "Has a header row but no records.");
            }
        }
        catch (CsvFormatException ex)
        {
            // Past a record the reader cannot delimit (one longer than the limit) nothing after it can be trusted.
            report.AddError(ex.LineNumber > 0 ? ex.LineNumber : null, $"Cannot be read further: {ex.Message}");
        }
    }

    private static void CheckHeader(IReadOnlyList<string> headers, ValidationReport report)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < headers.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(headers[i]))
            {
                report.AddError(1, $"Column {i + 1} of the header has no name.");
            }
            else if (!seen.Add(headers[i]))
            {
                report.AddError(1, $"The header names column '{JsonText.Shorten(headers[i])}' twice.");
            }
        }
    }

    private static string Malformed(CsvMalformedReason reason) => reason switch
    {
        CsvMalformedReason.StrayQuote => "Has a quote inside an unquoted field; quote the field and double the quote (\"\").",
        CsvMalformedReason.TextAfterClosingQuote => "Has text after the closing quote of a field.",
        CsvMalformedReason.UnterminatedQuote => "Opens a quoted field that is never closed.",
        CsvMalformedReason.LineBreakInQuotes => "Has a line break inside a quoted field.",
        CsvMalformedReason.FieldCountMismatch => "Has a different number of fields than the header.",
        _ => $"Is malformed ({reason}).",
    };
}
