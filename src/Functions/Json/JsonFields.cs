using System.Globalization;
using System.Text.Json;
using ModelsHub.Contracts;
using ModelsHub.Core.Common;

namespace ModelsHub.Functions.Json;

/// <summary>
/// Typed reads of a JSON object's fields that report every wrong field (unknown name, wrong type,
/// unknown enum value) into one <see cref="ValidationErrors"/> instead of stopping at the first.
/// </summary>
public sealed class JsonFields
{
    private readonly JsonElement _object;
    private readonly string _prefix;

    public JsonFields(JsonElement obj, IReadOnlyCollection<string> known, ValidationErrors errors, string prefix = "")
    {
        _object = obj;
        _prefix = prefix;
        Errors = errors;
        foreach (var property in obj.EnumerateObject())
        {
            if (!known.Contains(property.Name))
            {
                errors.Add(Path(property.Name), "Unknown field; expected one of: " + string.Join(", ", known) + ".");
            }
        }
    }

    public ValidationErrors Errors { get; }

    private string Path(string name) => _prefix.Length == 0 ? name : $"{_prefix}.{name}";

    private bool TryGet(string name, out JsonElement value) => _object.TryGetProperty(name, out value);

    public Optional<string> String(string name, int maxLength, bool nullable = false)
    {
        if (!TryGet(name, out var value)) return default;
        if (value.ValueKind == JsonValueKind.Null && nullable) return new(true, null!);
        if (value.ValueKind != JsonValueKind.String)
        {
            Errors.Add(Path(name), $"Must be a string, not {JsonBody.Describe(value.ValueKind)}.");
            return default;
        }
        var text = value.GetString()!;
        if (text.Length > maxLength)
        {
            Errors.Add(Path(name), $"Must be at most {maxLength} characters (it has {text.Length}).");
            return default;
        }
        return text;
    }

    public Optional<T> Enum<T>(string name) where T : struct, System.Enum
    {
        if (!TryGet(name, out var value)) return default;
        if (value.ValueKind == JsonValueKind.String && EnumNames<T>.TryParse(value.GetString(), out var parsed))
        {
            return parsed;
        }
        Errors.Add(Path(name), $"'{Shorten(value)}' is not allowed; expected {EnumNames<T>.Expected}.");
        return default;
    }

    public Optional<bool> Boolean(string name)
    {
        if (!TryGet(name, out var value)) return default;
        if (value.ValueKind is JsonValueKind.True or JsonValueKind.False) return value.GetBoolean();
        Errors.Add(Path(name), $"Must be true or false, not {JsonBody.Describe(value.ValueKind)}.");
        return default;
    }

    public Optional<double> Number(string name, double min, double max)
    {
        if (!TryGet(name, out var value) || value.ValueKind == JsonValueKind.Null) return default;
        if (value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var number) && number >= min && number <= max) return number;
        Errors.Add(Path(name), $"Must be a number from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}.");
        return default;
    }

    public Optional<int> Integer(string name, int min, int max)
    {
        if (!TryGet(name, out var value) || value.ValueKind == JsonValueKind.Null) return default;
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number) && number >= min && number <= max) return number;
        Errors.Add(Path(name), $"Must be a whole number from {min} to {max}.");
        return default;
    }

    public Optional<DateTimeOffset?> Timestamp(string name)
    {
        if (!TryGet(name, out var value)) return default;
        if (value.ValueKind == JsonValueKind.Null) return new(true, null);
        if (value.ValueKind == JsonValueKind.String
            && DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            && value.GetString()!.Contains('T'))
        {
            return new(true, at.ToUniversalTime());
        }
        Errors.Add(Path(name), "Must be an ISO 8601 date-time such as 2027-01-31T00:00:00Z, or null.");
        return default;
    }

    public Optional<IReadOnlyList<string>> StringList(string name, int maxItems, int maxLength, bool nullable = false)
    {
        if (!TryGet(name, out var value)) return default;
        if (value.ValueKind == JsonValueKind.Null && nullable) return new(true, []);
        if (value.ValueKind != JsonValueKind.Array)
        {
            Errors.Add(Path(name), $"Must be a list of strings, not {JsonBody.Describe(value.ValueKind)}.");
            return default;
        }
        if (value.GetArrayLength() > maxItems)
        {
            Errors.Add(Path(name), $"At most {maxItems} items.");
            return default;
        }
        var items = new List<string>();
        var i = 0;
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String)
            {
                Errors.Add($"{Path(name)}[{i}]", $"Must be a string, not {JsonBody.Describe(item.ValueKind)}.");
            }
            else if (item.GetString()!.Length > maxLength)
            {
                Errors.Add($"{Path(name)}[{i}]", $"Must be at most {maxLength} characters.");
            }
            else
            {
                items.Add(item.GetString()!);
            }
            i++;
        }
        return items;
    }

    public Optional<JsonElement?> Raw(string name) =>
        TryGet(name, out var value) ? new(true, value.ValueKind == JsonValueKind.Null ? null : value) : default;

    private static string Shorten(JsonElement value)
    {
        var text = value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();
        return text.Length <= 40 ? text : text[..40] + "…";
    }
}
