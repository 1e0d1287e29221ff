using System.Buffers;

namespace ModelsHub.Core.Datasets.Validation;

/// <summary>Checks one line of a JSON Lines file (without its line break); called in line order.</summary>
internal interface ILineChecker
{
    void Check(long line, ReadOnlySpan<byte> content);
}

/// <summary>
/// Streams a JSON Lines file line by line through a fixed buffer, so memory stays the same whatever
/// the file's size. A line longer than <see cref="DatasetValidator.MaxLineBytes"/> is reported and
/// skipped (never held); blank lines are errors, except at the end of the file.
/// </summary>
internal static class JsonLines
{
    private const int BufferSize = 4 * DatasetValidator.MaxLineBytes;

    public static async Task ReadAsync(Stream stream, ILineChecker checker, ValidationReport report, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        var blanks = new BlankLines(report);
        try
        {
            int start = 0, end = 0;
            long line = 0;
            var skipping = false;
            while (true)
            {
                var read = await stream.ReadAsync(buffer.AsMemory(end, buffer.Length - end), cancellationToken);
                end += read;
                int newline;
                while ((newline = buffer.AsSpan(start, end - start).IndexOf((byte)'\n')) >= 0)
                {
                    line++;
                    if (skipping)
                    {
                        skipping = false;
                        blanks.Flush();
                        TooLong(report, line);
                    }
                    else
                    {
                        Line(checker, blanks, line, buffer.AsSpan(start, newline));
                    }
                    start += newline + 1;
                }
                if (read == 0)
                {
                    if (skipping || start < end)
                    {
                        line++;
                        if (skipping)
                        {
                            blanks.Flush();
                            TooLong(report, line);
                        }
                        else
                        {
                            Line(checker, blanks, line, buffer.AsSpan(start, end - start));
                        }
                    }
                    break;
                }
                if (end - start > DatasetValidator.MaxLineBytes)
                {
                    // The line under way is already too long: drop what the buffer holds of it and find its end.
                    skipping = true;
                    start = end = 0;
                }
                else if (start > 0)
                {
                    buffer.AsSpan(start, end - start).CopyTo(buffer);
                    (start, end) = (0, end - start);
                }
            }
            // Blank lines at the very end (a trailing empty line) are not errors.
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static void Line(ILineChecker checker, BlankLines blanks, long line, ReadOnlySpan<byte> content)
    {
        if (content.Length > 0 && content[^1] == (byte)'\r')
        {
            content = content[..^1];
        }
        if (line == 1 && content.StartsWith("\uFEFF"u8))
        {
            content = content[3..];
        }
        if (content.TrimStart(" \t"u8).IsEmpty)
        {
            blanks.Add(line);
            return;
        }
        if (content.Length > DatasetValidator.MaxLineBytes)
        {
            blanks.Flush();
            TooLong(content.Length, line, blanks.Report);
            return;
        }
        blanks.Flush();
        checker.Check(line, content);
    }

    private static void TooLong(ValidationReport report, long line) =>
        report.AddError(line, $"Is longer than {DatasetValidator.MaxLineBytes / (1 << 20)} MiB; a record must fit in 1 MiB (the line was skipped).");

    private static void TooLong(long length, long line, ValidationReport report) =>
        report.AddError(line, $"Is {length:N0} bytes, longer than {DatasetValidator.MaxLineBytes / (1 << 20)} MiB; a record must fit in 1 MiB.");

    /// <summary>Blank lines become errors only once a record follows them, so a file may end with empty lines.</summary>
    private sealed class BlankLines(ValidationReport report)
    {
        private readonly List<long> _lines = [];
        private long _count;

        public ValidationReport Report => report;

        public void Add(long line)
        {
            _count++;
            if (_lines.Count < DatasetValidation.MaxErrors)
            {
                _lines.Add(line);
            }
        }

        public void Flush()
        {
            if (_count == 0)
            {
                return;
            }
            for (var i = 0; i < _count; i++)
            {
                report.AddError(i < _lines.Count ? _lines[i] : null, "Is blank; every line must hold one JSON object (remove empty lines).");
            }
            _lines.Clear();
            _count = 0;
        }
    }
}
