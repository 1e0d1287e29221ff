using System.Text.Json;
using System.Text.Json.Serialization;
using ModelsHub.Contracts;

namespace ModelsHub.Core.Common;

/// <summary>
/// The JSON shape of stored documents: the API's conventions (<see cref="ContractJson"/>), but null
/// fields are left out, which keeps documents small.
/// </summary>
public static class HubJson
{
    public static JsonSerializerOptions Options { get; } = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        ContractJson.Configure(options);
        options.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        return options;
    }
}
