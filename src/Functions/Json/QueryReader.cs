using ModelsHub.Contracts;
using ModelsHub.Core.Common;

namespace ModelsHub.Functions.Json;

/// <summary>Typed reads of query-string parameters that name each bad one in a single 400.</summary>
public sealed class QueryReader(IQueryCollection query)
{
    public ValidationErrors Errors { get; } = new();

    public string? String(string key, int maxLength)
    {
        var value = query[key].ToString();
        if (value.Length == 0) return null;
        if (value.Length > maxLength)
        {
            Errors.Add(key, $"Must be at most {maxLength} characters.");
            return null;
        }
        if (value.Any(char.IsControl))
        {
            Errors.Add(key, "Must not contain control characters.");
            return null;
        }
        return value;
    }

    public T? Enum<T>(string key) where T : struct, System.Enum
    {
        var value = query[key].ToString();
        if (value.Length == 0) return null;
        if (EnumNames<T>.TryParse(value, out var parsed)) return parsed;
        Errors.Add(key, $"'{(value.Length <= 40 ? value : value[..40] + "…")}' is not allowed; expected {EnumNames<T>.Expected}.");
        return null;
    }

    public bool? Boolean(string key)
    {
        var value = query[key].ToString();
        if (value.Length == 0) return null;
        if (bool.TryParse(value, out var b)) return b;
        Errors.Add(key, "Must be true or false.");
        return null;
    }

    public int? Integer(string key, int min, int max)
    {
        var value = query[key].ToString();
        if (value.Length == 0) return null;
        if (int.TryParse(value, out var n) && n >= min && n <= max) return n;
        Errors.Add(key, $"Must be a whole number between {min} and {max}.");
        return null;
    }

    /// <summary>A repeated parameter (<c>?include=a&amp;include=b</c>) as a list; a bad item is named by its index (<c>include[1]</c>).</summary>
    public IReadOnlyList<string> StringList(string key, int maxItems, int maxLength)
    {
        var values = query[key];
        if (values.Count > maxItems)
        {
            Errors.Add(key, $"At most {maxItems} values.");
            return [];
        }
        var items = new List<string>();
        for (var i = 0; i < values.Count; i++)
        {
            var value = values[i] ?? "";
            if (value.Length > maxLength)
            {
                Errors.Add($"{key}[{i}]", $"Must be at most {maxLength} characters.");
            }
            else if (value.Any(char.IsControl))
            {
                Errors.Add($"{key}[{i}]", "Must not contain control characters.");
            }
            else
            {
                items.Add(value);
            }
        }
        return items;
    }

    public int PageSize() => Integer("pageSize", 1, Paging.MaxPageSize) ?? Paging.DefaultPageSize;

    public string? ContinuationToken() => String("continuationToken", 4096);
}
