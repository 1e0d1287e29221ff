using System.Globalization;
using System.Text;
using System.Text.Json;
using ModelsHub.Core.Specs;

namespace ModelsHub.Core.PullRequests;

/// <summary>
/// Writes a model's entries into an upstream file the way the model repository writes its files,
/// Python's <c>json.dumps(data, indent=2, ensure_ascii=False) + "\n"</c>: two-space indent,
/// <c>", "</c>-free separators (<c>",\n"</c> and <c>": "</c>), non-ASCII kept. Every other entry
/// keeps its bytes, so a pull request's diff shows only this model.
/// </summary>
public static class UpstreamFileRenderer
{
    private const string Indent = "  ";

    /// <summary>
    /// The file with the entries named <paramref name="modelName"/> replaced by <paramref name="entries"/>
    /// in place, appended when the file had none, removed when <paramref name="entries"/> is
    /// empty. <c>is_builtin</c> is never written.
    /// </summary>
    public static string Render(string file, string modelName, IReadOnlyList<JsonElement> entries)
    {
        var elements = Split(file);
        var rendered = entries.Select(e => WriteValue(Strip(e), 1)).ToList();
        var positions = elements.Select((e, i) => (e, i)).Where(p => p.e.ModelName == modelName).Select(p => p.i).ToList();
        var result = new List<string>(elements.Count + rendered.Count);
        var next = 0;
        for (var i = 0; i < elements.Count; i++)
        {
            if (elements[i].ModelName != modelName)
            {
                result.Add(elements[i].Text);
                continue;
            }
            // The model's k-th entry takes the place of its k-th entry in the file (a model's
            // variants need not be adjacent); extra entries follow its last one, missing ones go.
            if (next < rendered.Count)
            {
                result.Add(rendered[next++]);
            }
            if (i == positions[^1])
            {
                result.AddRange(rendered.Skip(next));
                next = rendered.Count;
            }
        }
        result.AddRange(rendered.Skip(next));
        return Join(result);
    }

    /// <summary>The file's entries named <paramref name="modelName"/>, parsed (empty when none).</summary>
    public static IReadOnlyList<JsonElement> EntriesOf(string file, string modelName) =>
        Split(file).Where(e => e.ModelName == modelName).Select(e => JsonDocument.Parse(e.Text).RootElement.Clone()).ToList();

    /// <summary>A whole value in the file's style at <paramref name="level"/> (its first line carries no indent).</summary>
    public static string WriteValue(JsonElement value, int level)
    {
        var builder = new StringBuilder();
        Write(builder, value, level);
        return builder.ToString();
    }

    private sealed record Element(string Text, string? ModelName);

    private static string Join(List<string> elements) =>
        elements.Count == 0 ? "[]\n" : "[\n" + string.Join(",\n", elements.Select(e => Indent + e)) + "\n]\n";

    /// <summary>The top-level entries as their exact text (from '{' to '}') and model name.</summary>
    private static List<Element> Split(string file)
    {
        var bytes = Encoding.UTF8.GetBytes(file);
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
        {
            throw new FormatException("An upstream model file must be a JSON array.");
        }
        var elements = new List<Element>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            var start = (int)reader.TokenStartIndex;
            using var document = JsonDocument.ParseValue(ref reader);
            var end = (int)reader.TokenStartIndex + 1;
            var text = Encoding.UTF8.GetString(bytes, start, end - start);
            elements.Add(new Element(text, XinferenceSpec.GetString(document.RootElement, XinferenceSpec.ModelName)));
        }
        return elements;
    }

    private static JsonElement Strip(JsonElement entry) =>
        entry.ValueKind == JsonValueKind.Object && entry.TryGetProperty(XinferenceSpec.IsBuiltin, out _)
            ? JsonSerializer.SerializeToElement(entry.EnumerateObject().Where(p => p.Name != XinferenceSpec.IsBuiltin)
                .ToDictionary(p => p.Name, p => p.Value))
            : entry;

    private static void Write(StringBuilder builder, JsonElement value, int level)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
            {
                var first = true;
                foreach (var property in value.EnumerateObject())
                {
                    builder.Append(first ? "{\n" : ",\n");
                    first = false;
                    NewLine(builder, level + 1);
                    WriteString(builder, property.Name);
                    builder.Append(": ");
                    Write(builder, property.Value, level + 1);
                }
                if (first)
                {
                    builder.Append("{}");
                    return;
                }
                builder.Append('\n');
                NewLine(builder, level);
                builder.Append('}');
                return;
            }
            case JsonValueKind.Array:
            {
                var first = true;
                foreach (var item in value.EnumerateArray())
                {
                    builder.Append(first ? "[\n" : ",\n");
                    first = false;
                    NewLine(builder, level + 1);
                    Write(builder, item, level + 1);
                }
                if (first)
                {
                    builder.Append("[]");
                    return;
                }
                builder.Append('\n');
                NewLine(builder, level);
                builder.Append(']');
                return;
            }
            case JsonValueKind.String:
                WriteString(builder, value.GetString()!);
                return;
            case JsonValueKind.Number:
                // The number's text as written: upstream numbers are already Python's repr, and the hub keeps text exactly.
                builder.Append(value.GetRawText());
                return;
            case JsonValueKind.True:
                builder.Append("true");
                return;
            case JsonValueKind.False:
                builder.Append("false");
                return;
            default:
                builder.Append("null");
                return;
        }
    }

    private static void NewLine(StringBuilder builder, int level)
    {
        for (var i = 0; i < level; i++)
        {
            builder.Append(Indent);
        }
    }

    /// <summary>Python's escaping with ensure_ascii=False: quote, backslash and control characters only.</summary>
    private static void WriteString(StringBuilder builder, string text)
    {
        builder.Append('"');
        foreach (var c in text)
        {
            switch (c)
            {
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                case '\b': builder.Append("\\b"); break;
                case '\f': builder.Append("\\f"); break;
                default:
                    if (c < 0x20)
                    {
                        builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        builder.Append(c);
                    }
                    break;
            }
        }
        builder.Append('"');
    }
}
