using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ModelsHub.Contracts;

/// <summary>
/// The API's JSON conventions, for the server and every client alike: camelCase properties, enums as
/// their lowercase names (<c>snake_case</c>, never numbers), non-ASCII kept as is. Answers write null
/// fields, so a client sees every field: read them with <see cref="Options"/> (or
/// <see cref="Configure"/> your own options, such as an HttpClient's). Request bodies leave out what
/// is not set, because the server reads them field by field and an absent field keeps its value
/// while <c>null</c> clears it (or is refused where a field cannot be cleared): send requests with
/// <see cref="RequestOptions"/>, and an explicit <c>null</c> only where you mean to clear.
/// </summary>
public static class ContractJson
{
    /// <summary>How enum values are named on the wire: <c>ModelType.Llm</c> is <c>"llm"</c>.</summary>
    public static JsonNamingPolicy EnumNamingPolicy { get; } = JsonNamingPolicy.SnakeCaseLower;

    /// <summary>Ready-made options in the API's shape, null fields written: the server's answers (read-only).</summary>
    public static JsonSerializerOptions Options { get; } = CreateOptions(JsonIgnoreCondition.Never);

    /// <summary>The same shape with null fields left out: request bodies (read-only).</summary>
    public static JsonSerializerOptions RequestOptions { get; } = CreateOptions(JsonIgnoreCondition.WhenWritingNull);

    /// <summary>Puts the API's conventions on <paramref name="options"/> and returns it.</summary>
    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
        options.Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
        if (!options.Converters.OfType<JsonStringEnumConverter>().Any())
        {
            options.Converters.Add(new JsonStringEnumConverter(EnumNamingPolicy, allowIntegerValues: false));
        }
        return options;
    }

    private static JsonSerializerOptions CreateOptions(JsonIgnoreCondition nulls)
    {
        var options = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));
        options.DefaultIgnoreCondition = nulls;
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
