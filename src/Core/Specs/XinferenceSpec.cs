using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ModelsHub.Core.Catalog;
using ModelsHub.Core.Common;

namespace ModelsHub.Core.Specs;

/// <summary>
/// A model's Xinference entries: a JSON array of objects in the upstream file format. These
/// helpers keep property order and number text intact, so entries read back equal.
/// </summary>
public static partial class XinferenceSpec
{
    public const string UpdatedAt = "updated_at";
    public const string ModelName = "model_name";
    public const string Featured = "featured";

    /// <summary>Hub-internal marker Xinference sets on its bundled models; never stored or served.</summary>
    public const string IsBuiltin = "is_builtin";

    [GeneratedRegex("^[A-Za-z0-9._-]+$")]
    public static partial Regex NamePattern();

    /// <summary>A single entry object becomes a one-entry array; arrays pass through.</summary>
    public static JsonElement Normalize(JsonElement spec) => spec.ValueKind == JsonValueKind.Object
        ? JsonSerializer.SerializeToElement(new JsonArray(JsonNode.Parse(spec.GetRawText())))
        : spec;

    public static IEnumerable<JsonElement> Entries(JsonElement? spec) =>
        spec is { ValueKind: JsonValueKind.Array } array ? array.EnumerateArray() : [];

    /// <summary>True when both specs hold the same entries, not counting their <c>updated_at</c>.</summary>
    public static bool SameContent(JsonElement? a, JsonElement? b)
    {
        if (a is null || b is null)
        {
            return a is null && b is null;
        }
        return JsonElement.DeepEquals(WithoutUpdatedAt(a.Value), WithoutUpdatedAt(b.Value));
    }

    public static bool SameJson(JsonElement? a, JsonElement? b) =>
        a is null || b is null ? a is null && b is null : JsonElement.DeepEquals(a.Value, b.Value);

    /// <summary>Sets every entry's <c>updated_at</c>, keeping its position when present, appending it otherwise.</summary>
    public static JsonElement StampUpdatedAt(JsonElement spec, long epochSeconds) =>
        Transform(spec, entry => entry[UpdatedAt] = epochSeconds);

    /// <summary>The newest <c>updated_at</c> among the entries, or 0.</summary>
    public static long LatestUpdatedAt(JsonElement? spec)
    {
        long latest = 0;
        foreach (var entry in Entries(spec))
        {
            if (entry.ValueKind == JsonValueKind.Object
                && entry.TryGetProperty(UpdatedAt, out var value)
                && value.ValueKind == JsonValueKind.Number
                && value.TryGetInt64(out var seconds))
            {
                latest = Math.Max(latest, seconds);
            }
        }
        return latest;
    }

    public static JsonElement Transform(JsonElement spec, Action<JsonObject> change)
    {
        var array = JsonNode.Parse(spec.GetRawText())!.AsArray();
        foreach (var entry in array)
        {
            if (entry is JsonObject obj)
            {
                change(obj);
            }
        }
        return JsonSerializer.SerializeToElement(array);
    }

    private static JsonElement WithoutUpdatedAt(JsonElement spec) =>
        spec.ValueKind == JsonValueKind.Array ? Transform(spec, e => e.Remove(UpdatedAt)) : spec;

    public static string? GetString(JsonElement entry, string property) =>
        entry.ValueKind == JsonValueKind.Object && entry.TryGetProperty(property, out var v) && v.ValueKind == JsonValueKind.String
            ? v.GetString()
            : null;
}
