using System.Reflection;
using System.Text.Json.Serialization;

namespace ModelsHub.Contracts;

/// <summary>
/// The wire names of an enum (<see cref="ContractJson.EnumNamingPolicy"/>) and strict parsing of
/// them (no numbers, no aliases): what query strings such as <c>?type=llm</c> carry.
/// </summary>
public static class EnumNames<T> where T : struct, Enum
{
    private static readonly Dictionary<string, T> ByName = Enum.GetValues<T>()
        .ToDictionary(WireName, v => v, StringComparer.OrdinalIgnoreCase);

    private static readonly Dictionary<T, string> ByValue = ByName.ToDictionary(p => p.Value, p => p.Key);

    public static IReadOnlyCollection<string> Names { get; } = ByName.Keys.ToArray();

    public static string NameOf(T value) => ByValue[value];

    public static bool TryParse(string? text, out T value)
    {
        value = default;
        return text is not null && ByName.TryGetValue(text, out value);
    }

    public static string Expected => "one of: " + string.Join(", ", Names);

    // The JSON converter's rule: the member's [JsonStringEnumMemberName] when it has one (openai-compatible), else the policy's name.
    private static string WireName(T value) =>
        typeof(T).GetField(value.ToString())?.GetCustomAttribute<JsonStringEnumMemberNameAttribute>()?.Name
        ?? ContractJson.EnumNamingPolicy.ConvertName(value.ToString());
}
