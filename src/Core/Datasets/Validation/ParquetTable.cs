using Parquet;
using Parquet.Schema;

namespace ModelsHub.Core.Datasets.Validation;

/// <summary>
/// parquet: the footer and schema must read, every column chunk of every row group must decode
/// (one column chunk in memory at a time), and the file must have rows. Rows are numbered from 1
/// across row groups; a chunk that does not decode is reported at its row group's first row.
/// </summary>
internal static class ParquetTable
{
    public static async Task ReadAsync(Stream stream, ValidationReport report, CancellationToken cancellationToken)
    {
        ParquetReader reader;
        try
        {
            reader = await ParquetReader.CreateAsync(stream, leaveStreamOpen: true, cancellationToken: cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            report.AddError(null, $"Is not a readable Parquet file: {ex.Message}");
            return;
        }
        await using (reader)
        {
            var fields = reader.Schema.DataFields;
            report.Columns = fields.Take(DatasetValidator.MaxColumns).Select(f => f.Path.ToString()).ToArray();
            long row = 0;
            for (var group = 0; group < reader.RowGroupCount; group++)
            {
                using var rowGroup = reader.OpenRowGroupReader(group);
                var first = row + 1;
                foreach (var field in fields)
                {
                    try
                    {
                        await ReadColumnAsync(rowGroup, field, report, cancellationToken);
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        report.AddError(first, $"Column '{field.Path}' of row group {group} (rows {first}–{row + rowGroup.RowCount}) cannot be read: {ex.Message}");
                    }
                }
                row += rowGroup.RowCount;
            }
            report.RecordCount = row;
            if (row == 0)
            {
                report.AddError(null, "Has no rows.");
            }
        }
    }

    private static async Task ReadColumnAsync(ParquetRowGroupReader rowGroup, DataField field, ValidationReport report, CancellationToken cancellationToken)
    {
        using var data = await rowGroup.ReadRawColumnDataBaseAsync(field, cancellationToken);
    }
}
