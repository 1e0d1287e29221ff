using System.Runtime.InteropServices;
using System.Text.Json;
using ModelsHub.Contracts.Gateway;
using Microsoft.Extensions.AI;

namespace ModelsHub.Functions.Gateway;

public static class OpenAiResponses
{
    public static string FinishReason(ChatFinishReason? reason) =>
        reason == ChatFinishReason.Length ? "length"
        : reason == ChatFinishReason.ContentFilter ? "content_filter"
        : reason == ChatFinishReason.ToolCalls ? "tool_calls"
        : "stop";

    public static OpenAiUsage Usage(long input, long output) => new(input, output, input + output);

    /// <summary>A vector as OpenAI sends it: floats, or base64 of little-endian float32 (what the official SDKs ask for).</summary>
    public static object Vector(ReadOnlyMemory<float> vector, bool base64) =>
        base64 ? Convert.ToBase64String(MemoryMarshal.AsBytes(vector.Span)) : vector.ToArray();

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
