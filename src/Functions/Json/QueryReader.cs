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

    public int PageSize() => Integer("pageSize", 1, Paging.MaxPageSize) ?? Paging.DefaultPageSize;

    public string? ContinuationToken() => String("continuationToken", 4096);
}
