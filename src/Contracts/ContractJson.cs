using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ModelsHub.Contracts;

/// <summary>
/// The API's JSON conventions, for the server and every client alike: camelCase properties, enums as
/// their lowercase names (<c>snake_case</c>, never numbers), non-ASCII kept as is, and null fields
/// written so a client sees every field. Clients serialize requests and read answers with
/// <see cref="Options"/> (or <see cref="Configure"/> their own options, such as an HttpClient's).
/// </summary>
public static class ContractJson
{
    /// <summary>How enum values are named on the wire: <c>ModelType.Llm</c> is <c>"llm"</c>.</summary>
    public static JsonNamingPolicy EnumNamingPolicy { get; } = JsonNamingPolicy.SnakeCaseLower;

    /// <summary>Ready-made options in the API's shape (read-only).</summary>
    public static JsonSerializerOptions Options { get; } = CreateOptions();

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

    private static JsonSerializerOptions CreateOptions()
    {
        var options = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
