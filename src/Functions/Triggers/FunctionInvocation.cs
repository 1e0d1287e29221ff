using System.Text.Json;
using System.Text.Json.Serialization;

namespace ModelsHub.Functions.Triggers;

/// <summary>
/// What the Azure Functions host POSTs to a custom handler for a non-HTTP trigger: the trigger's
/// bindings by name in <c>Data</c> (a queue message, a timer, an Event Grid event) and trigger
/// metadata (dequeue count, message id, ...) in <c>Metadata</c>.
/// </summary>
public sealed record InvocationRequest(JsonElement Data, JsonElement Metadata)
{
    /// <summary>The binding named <paramref name="name"/> in Data; a <see cref="TriggerPayloadException"/> when missing.</summary>
    public JsonElement Binding(string name) =>
        Data.ValueKind == JsonValueKind.Object && Data.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null
            ? value
            : throw new TriggerPayloadException($"Data.{name}", $"The invocation has no '{name}' binding.");

    /// <summary>A metadata value such as <c>DequeueCount</c> (the host sends numbers as numbers or strings).</summary>
    public int? MetadataInt(string name)
    {
        if (Metadata.ValueKind != JsonValueKind.Object) return null;
        var v = Metadata.EnumerateObject().FirstOrDefault(p => p.Name.Equals(name, StringComparison.OrdinalIgnoreCase)).Value;
        return v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var n) ? n
            : v.ValueKind == JsonValueKind.String && int.TryParse(v.GetString(), out var s) ? s : null;
    }
}

/// <summary>The answer the host expects, with its exact property names: output bindings, log lines, the return value.</summary>
public sealed record InvocationResponse(
    [property: JsonPropertyName("Outputs")] IReadOnlyDictionary<string, object?> Outputs,
    [property: JsonPropertyName("Logs")] IReadOnlyList<string> Logs,
    [property: JsonPropertyName("ReturnValue")] object? ReturnValue);

/// <summary>The host's payload is not what this function can process; answered 400 and nothing is done.</summary>
public sealed class TriggerPayloadException(string field, string message) : Exception(message)
{
    public string Field { get; } = field;
}

/// <summary>Log lines the invocation returns to the host (which writes them to its own logs).</summary>
public sealed class TriggerLog
{
    private readonly List<string> _lines = [];

    public IReadOnlyList<string> Lines => _lines;

    public void Add(string line) => _lines.Add(line);
}
