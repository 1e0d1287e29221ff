using System.Text;
using System.Text.Json;

namespace ModelsHub.Trainer.Data;

/// <summary>One training example: a text and the class it belongs to.</summary>
public sealed class LabeledText
{
    public string Text { get; set; } = "";

    public string Label { get; set; } = "";
}

/// <summary>
/// Reads a classification dataset in the two formats the reference trainer declares: <c>csv</c>
/// (a header naming a <c>text</c> and a <c>label</c> column, RFC 4180 quoting) and
/// <c>jsonl-completion</c> (<c>{"prompt", "completion"}</c> per line: the prompt is the text, the
/// completion the label; or <c>{"instruction", "input"?, "output"}</c>).
/// </summary>
public static class LabeledTextReader
{
    public const string Csv = "csv";
    public const string JsonlCompletion = "jsonl-completion";

    public static IReadOnlyList<string> Formats { get; } = [Csv, JsonlCompletion];

    public static List<LabeledText> Read(string path, string format)
    {
        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return format switch
        {
            Csv => ReadCsv(reader),
            JsonlCompletion => ReadJsonl(reader),
            _ => throw new InvalidDataException($"The reference trainer reads {string.Join(" or ", Formats)} datasets, not '{format}'."),
        };
    }

    /// <summary>The format a file name suggests (<c>.csv</c>, <c>.jsonl</c>), for the command line.</summary>
    public static string FormatOf(string path) =>
        path.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase) ? JsonlCompletion : Csv;

    private static List<LabeledText> ReadCsv(TextReader reader)
    {
        var records = CsvRecords(reader).GetEnumerator();
        if (!records.MoveNext())
        {
            throw new InvalidDataException("The CSV file is empty; it needs a header with 'text' and 'label' columns.");
        }
        var header = records.Current.Fields;
        var text = IndexOf(header, "text");
        var label = IndexOf(header, "label");
        var rows = new List<LabeledText>();
        while (records.MoveNext())
        {
            var (line, fields) = records.Current;
            if (fields.Count == 1 && fields[0].Length == 0)
            {
                continue;
            }
            if (fields.Count != header.Count)
            {
                throw new InvalidDataException($"Line {line} has {fields.Count} fields but the header has {header.Count}.");
            }
            rows.Add(Row(fields[text], fields[label], line));
        }
        return rows;
    }

    private static int IndexOf(IReadOnlyList<string> header, string name)
    {
        for (var i = 0; i < header.Count; i++)
        {
            if (string.Equals(header[i].Trim(), name, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }
        throw new InvalidDataException($"The CSV header ({string.Join(", ", header)}) has no '{name}' column; the reference trainer needs 'text' and 'label'.");
    }

    /// <summary>RFC 4180 records with the line each starts on: quoted fields may hold commas, quotes ("") and line breaks.</summary>
    private static IEnumerable<(long Line, List<string> Fields)> CsvRecords(TextReader reader)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        long line = 1, start = 1;
        var quoted = false;
        var any = false;
        int c;
        while ((c = reader.Read()) >= 0)
        {
            any = true;
            if (quoted)
            {
                if (c == '"')
                {
                    if (reader.Peek() == '"')
                    {
                        field.Append('"');
                        reader.Read();
                    }
                    else
                    {
                        quoted = false;
                    }
                }
                else
                {
                    if (c == '\n') line++;
                    field.Append((char)c);
                }
                continue;
            }
            switch (c)
            {
                case '"' when field.Length == 0:
                    quoted = true;
                    break;
                case ',':
                    fields.Add(field.ToString());
                    field.Clear();
                    break;
                case '\r':
                    break;
                case '\n':
                    fields.Add(field.ToString());
                    field.Clear();
                    yield return (start, fields);
                    fields = [];
                    any = false;
                    start = ++line;
                    break;
                default:
                    field.Append((char)c);
                    break;
            }
        }
        if (quoted)
        {
            throw new InvalidDataException($"The quoted field that starts on line {start} never ends.");
        }
        if (any)
        {
            fields.Add(field.ToString());
            yield return (start, fields);
        }
    }

    private static List<LabeledText> ReadJsonl(TextReader reader)
    {
        var rows = new List<LabeledText>();
        long number = 0;
        while (reader.ReadLine() is { } line)
        {
            number++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }
            JsonElement record;
            try
            {
                using var document = JsonDocument.Parse(line);
                record = document.RootElement.Clone();
            }
            catch (JsonException ex)
            {
                throw new InvalidDataException($"Line {number} is not JSON: {ex.Message}");
            }
            if (record.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidDataException($"Line {number} is not a JSON object.");
            }
            if (Text(record, "prompt") is { } prompt)
            {
                rows.Add(Row(prompt, Text(record, "completion") ?? "", number));
            }
            else if (Text(record, "instruction") is { } instruction)
            {
                var input = Text(record, "input");
                rows.Add(Row(string.IsNullOrEmpty(input) ? instruction : instruction + "\n" + input, Text(record, "output") ?? "", number));
            }
            else
            {
                throw new InvalidDataException($"Line {number} has neither 'prompt' nor 'instruction'.");
            }
        }
        return rows;
    }

    private static string? Text(JsonElement record, string name) =>
        record.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static LabeledText Row(string text, string label, long line)
    {
        label = label.Trim();
        if (label.Length == 0)
        {
            throw new InvalidDataException($"The record on line {line} has an empty label.");
        }
        return new LabeledText { Text = text, Label = label };
    }
}
