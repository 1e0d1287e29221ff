using System.Text.Json;
using Microsoft.Extensions.AI;
using ModelsHub.Core.Common;
using ModelsHub.Functions.Gateway;
using ModelsHub.Functions.Json;

namespace ModelsHub.Functions.ApiModels;

/// <summary>A test call's <c>input_data</c>: <c>prompt</c> and/or <c>messages</c> (OpenAI's shape), <c>system</c>, <c>max_tokens</c>, <c>temperature</c>.</summary>
public static class TestInputReader
{
    public const int MaxPromptLength = 100_000;

    public sealed record TestInput(List<ChatMessage> Messages, ChatOptions Options, string EmbeddingText);

    public static TestInput Read(JsonElement body)
    {
        var errors = new ValidationErrors();
        _ = new JsonFields(body, ["input_data"], errors);
        if (!body.TryGetProperty("input_data", out var data) || data.ValueKind != JsonValueKind.Object)
        {
            errors.Add("input_data", "Is required: an object with a prompt or messages.");
            errors.ThrowIfAny();
        }
        var f = new JsonFields(data, ["prompt", "messages", "system", "max_tokens", "temperature", "top_p", "stop"], errors, "input_data");
        var prompt = f.String("prompt", MaxPromptLength);
        var system = f.String("system", MaxPromptLength, nullable: true);
        var messages = new List<ChatMessage>();
        if (system is { HasValue: true, Value: { Length: > 0 } s })
        {
            messages.Add(new ChatMessage(ChatRole.System, s));
        }
        if (data.TryGetProperty("messages", out var list) && list.ValueKind != JsonValueKind.Null)
        {
            messages.AddRange(OpenAiRequests.ReadMessages(list, "input_data.messages", errors) ?? []);
        }
        if (prompt is { HasValue: true, Value: { Length: > 0 } p })
        {
            messages.Add(new ChatMessage(ChatRole.User, p));
        }
        if (!messages.Any(m => m.Role == ChatRole.User) && errors.IsEmpty)
        {
            errors.Add("input_data.prompt", "Give a prompt, or messages with at least one user message.");
        }
        var options = OpenAiRequests.ReadOptions(f, data, errors, "input_data.");
        errors.ThrowIfAny();
        return new TestInput(messages, options, messages.Last(m => m.Role == ChatRole.User).Text);
    }
}
