using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ModelsHub.Core.Common;

/// <summary>
/// The one JSON shape for documents and API bodies: camelCase properties, enums as their
/// lowercase names, nulls omitted.
/// </summary>
public static class HubJson
{
    public static JsonSerializerOptions Options { get; } = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    /// <summary>API bodies: the same shape, but null fields are written so clients see every field.</summary>
    public static JsonSerializerOptions ConfigureForApi(JsonSerializerOptions options)
    {
        Configure(options);
        options.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
        return options;
    }

    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        options.Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
        if (!options.Converters.OfType<JsonStringEnumConverter>().Any())
        {
            options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false));
        }
        return options;
    }
}
