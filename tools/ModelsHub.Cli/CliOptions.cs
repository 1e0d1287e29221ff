using System.CommandLine;
using System.CommandLine.Completions;
using System.Globalization;
using System.Text.Json;
using ModelsHub.Contracts;

namespace ModelsHub.Cli;

/// <summary>Typed options in the API's vocabulary: enums by their wire names (with completions), byte counts.</summary>
public static class CliOptions
{
    /// <summary>An enum option read by the API's names (<c>llm</c>, <c>custom</c>, ...), completed from them.</summary>
    public static Option<T?> Enum<T>(string name, string description, params string[] aliases) where T : struct, System.Enum
    {
        var option = new Option<T?>(name, aliases)
        {
            Description = description + " One of: " + string.Join(", ", EnumNames<T>.Names) + ".",
            CustomParser = result =>
            {
                var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
                if (EnumNames<T>.TryParse(text, out var value)) return value;
                result.AddError($"{name} '{text}' is not allowed; expected {EnumNames<T>.Expected}.");
                return null;
            },
        };
        option.CompletionSources.Add(_ => EnumNames<T>.Names.Select(n => new CompletionItem(n)));
        return option;
    }

    /// <summary>A byte count such as 16M, 512K or 1048576.</summary>
    public static Option<long?> Bytes(string name, string description) => new(name)
    {
        Description = description,
        HelpName = "bytes",
        CustomParser = result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
            var multiplier = text.Length == 0 ? 1 : char.ToUpperInvariant(text[^1]) switch { 'K' => 1024L, 'M' => 1024L * 1024, 'G' => 1024L * 1024 * 1024, _ => 1L };
            var digits = multiplier == 1 ? text : text[..^1];
            if (long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0) return n * multiplier;
            result.AddError($"{name} must be a byte count such as 16M, 512K or 1048576.");
            return null;
        },
    };

    /// <summary>The <c>name=value</c> pairs a repeatable option (<c>--set</c>, <c>--param</c>, <c>--env</c>) was given, cut at the first '='; the last of a name wins.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Pairs(IReadOnlyList<string> pairs, string option)
    {
        var result = new List<KeyValuePair<string, string>>(pairs.Count);
        foreach (var pair in pairs)
        {
            var cut = pair.IndexOf('=');
            if (cut <= 0)
            {
                throw new UsageException($"{option} '{pair}' is not name=value.");
            }
            result.RemoveAll(p => p.Key == pair[..cut]);
            result.Add(new(pair[..cut], pair[(cut + 1)..]));
        }
        return result;
    }

    /// <summary>A value from the command line as JSON: one that reads as a number, true or false is that; anything else is text.</summary>
    public static JsonElement JsonValue(string text)
    {
        try
        {
            using var parsed = JsonDocument.Parse(text);
            if (parsed.RootElement.ValueKind is JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False)
            {
                return parsed.RootElement.Clone();
            }
        }
        catch (JsonException)
        {
        }
        return JsonSerializer.SerializeToElement(text);
    }
}
