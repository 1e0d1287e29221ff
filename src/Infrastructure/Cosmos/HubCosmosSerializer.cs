using System.Text.Json;
using Microsoft.Azure.Cosmos;
using ModelsHub.Core.Common;

namespace ModelsHub.Infrastructure.Cosmos;

/// <summary>
/// Documents and query parameters in the hub's one JSON shape (<see cref="HubJson"/>), the same as
/// the embedded profile stores, instead of the SDK's Newtonsoft defaults (PascalCase, numeric enums).
/// </summary>
internal sealed class HubCosmosSerializer : CosmosSerializer
{
    public static HubCosmosSerializer Instance { get; } = new();

    public override T FromStream<T>(Stream stream)
    {
        if (typeof(Stream).IsAssignableFrom(typeof(T)))
        {
            return (T)(object)stream;
        }
        using (stream)
        {
            if (stream.CanSeek && stream.Length == 0)
            {
                return default!;
            }
            return JsonSerializer.Deserialize<T>(stream, HubJson.Options)!;
        }
    }

    public override Stream ToStream<T>(T input)
    {
        var stream = new MemoryStream();
        JsonSerializer.Serialize(stream, input, input?.GetType() ?? typeof(T), HubJson.Options);
        stream.Position = 0;
        return stream;
    }
}
