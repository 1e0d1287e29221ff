using System.Text.Json;

namespace ModelsHub.Core.Common;

/// <summary>
/// Finds a property name that repeats within one JSON object. The parser accepts duplicates, but
/// the mutable JSON tree every spec passes through does not, so they are refused where JSON is read.
/// </summary>
public static class JsonDuplicates
{
    /// <summary>The path of the first repeated property (<c>spec[0].version</c>), or null when every object's names are unique.</summary>
    public static string? Find(JsonElement element, string path = "")
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Array:
                var i = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (Find(item, $"{path}[{i++}]") is { } found) return found;
                }
                return null;
            case JsonValueKind.Object:
                var names = new HashSet<string>(StringComparer.Ordinal);
                foreach (var property in element.EnumerateObject())
                {
                    var at = path.Length == 0 ? property.Name : $"{path}.{property.Name}";
                    if (!names.Add(property.Name)) return at;
                    if (Find(property.Value, at) is { } found) return found;
                }
                return null;
            default:
                return null;
        }
    }
}
