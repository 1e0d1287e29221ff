using System.Text;
using System.Text.Json;

namespace ModelsHub.Web.Components.UI;

/// <summary>
/// Finds where in a JSON text a field the hub names lives (<c>spec[0].model_specs[1].model_format</c>), so its
/// error can be shown at that line of the editor. A path the text lacks resolves to its nearest existing parent.
/// </summary>
public static class JsonLocator
{
    /// <summary>The 1-based line of <paramref name="path"/> (relative to the text's root), or null when the text is not JSON.</summary>
    public static int? LineOf(string text, string path)
    {
        var wanted = Split(path);
        var bytes = Encoding.UTF8.GetBytes(text);
        var lines = new Dictionary<string, int>(StringComparer.Ordinal);
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        // The path to the value about to be read; an array's frame counts its elements.
        var stack = new List<string>();
        var indexes = new Stack<int>();
        var pendingProperty = (string?)null;
        var (scanned, newlines) = (0, 0);
        try
        {
            while (reader.Read())
            {
                // Tokens come in order, so the newlines before each are counted once.
                for (; scanned < reader.TokenStartIndex; scanned++)
                {
                    if (bytes[scanned] == (byte)'\n') newlines++;
                }
                var line = 1 + newlines;
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        pendingProperty = reader.GetString() ?? "";
                        lines.TryAdd(Join(stack, pendingProperty), line);
                        continue;
                    case JsonTokenType.EndObject:
                    case JsonTokenType.EndArray:
                        indexes.Pop();
                        if (stack.Count > 0) stack.RemoveAt(stack.Count - 1);
                        continue;
                }
                var segment = NextSegment(ref pendingProperty, indexes);
                if (segment is not null)
                {
                    lines.TryAdd(Join(stack, segment), line);
                }
                if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                {
                    stack.Add(segment ?? "");
                    indexes.Push(reader.TokenType == JsonTokenType.StartArray ? 0 : -1);
                }
            }
        }
        catch (JsonException)
        {
            return null;
        }
        for (var length = wanted.Count; length > 0; length--)
        {
            if (lines.TryGetValue(string.Join('/', wanted.Take(length)), out var found))
            {
                return found;
            }
        }
        return 1;
    }

    /// <summary>The line and message of a JSON syntax error, or null when the text parses.</summary>
    public static (int Line, string Message)? SyntaxError(string text)
    {
        try
        {
            using var _ = JsonDocument.Parse(text);
            return null;
        }
        catch (JsonException e)
        {
            return ((int)(e.LineNumber ?? 0) + 1, e.Message.Split(" LineNumber", 2)[0]);
        }
    }

    private static string? NextSegment(ref string? pendingProperty, Stack<int> indexes)
    {
        if (pendingProperty is not null)
        {
            var name = pendingProperty;
            pendingProperty = null;
            return name;
        }
        if (indexes.Count > 0 && indexes.Peek() >= 0)
        {
            var index = indexes.Pop();
            indexes.Push(index + 1);
            return $"[{index}]";
        }
        return null;
    }

    private static string Join(List<string> stack, string segment) =>
        string.Join('/', stack.Where(s => s.Length > 0).Append(segment));

    /// <summary><c>a[0].b</c> → a, [0], b.</summary>
    public static List<string> Split(string path)
    {
        var segments = new List<string>();
        var current = new StringBuilder();
        foreach (var c in path)
        {
            if (c == '.')
            {
                Flush();
            }
            else if (c == '[')
            {
                Flush();
                current.Append(c);
            }
            else if (c == ']')
            {
                current.Append(c);
                Flush();
            }
            else
            {
                current.Append(c);
            }
        }
        Flush();
        return segments;

        void Flush()
        {
            if (current.Length > 0)
            {
                segments.Add(current.ToString());
                current.Clear();
            }
        }
    }
}
