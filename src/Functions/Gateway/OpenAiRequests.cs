using System.Text.Json;
using Microsoft.Extensions.AI;
using ModelsHub.Core.Common;
using ModelsHub.Functions.Json;

namespace ModelsHub.Functions.Gateway;

/// <summary>A chat call as the gateway and test calls read it.</summary>
public sealed record ChatCallInput(string Model, List<ChatMessage> Messages, ChatOptions Options, bool Stream, bool IncludeUsage);

/// <summary>An embeddings call as the gateway reads it.</summary>
public sealed record EmbeddingsCallInput(string Model, List<string> Inputs, EmbeddingGenerationOptions Options, bool Base64);

/// <summary>
/// OpenAI's request bodies (chat completions, embeddings) read into Microsoft.Extensions.AI types,
/// naming each bad field. Fields OpenAI defines that change nothing here (<c>user</c>, <c>store</c>,
/// <c>metadata</c>, …) and vendor extras are ignored, as OpenAI-compatible servers do; fields whose
/// meaning the hub cannot keep (tools, several choices, audio) are refused by name.
/// </summary>
public static class OpenAiRequests
{
    public const int MaxMessages = 1_000;
    public const int MaxInputs = 2_048;
    public const int MaxTextLength = 1_000_000;

    private static readonly string[] Unsupported = ["tools", "tool_choice", "functions", "function_call", "audio", "prediction"];

    public static ChatCallInput ReadChat(JsonElement body)
    {
        var errors = new ValidationErrors();
        var f = new JsonFields(body, body.EnumerateObject().Select(p => p.Name).ToHashSet(StringComparer.Ordinal), errors);
        var model = Required(f.String("model", 256), "model", errors);
        foreach (var name in Unsupported)
        {
            if (body.TryGetProperty(name, out var value) && value.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined)
                && !(value.ValueKind == JsonValueKind.Array && value.GetArrayLength() == 0))
            {
                errors.Add(name, "Is not supported by the hub's gateway (text chat only).");
            }
        }
        if (f.Integer("n", 1, 128) is { HasValue: true, Value: > 1 })
        {
            errors.Add("n", "Only one choice (n = 1) is supported.");
        }
        if (body.TryGetProperty("logprobs", out var logprobs) && logprobs.ValueKind == JsonValueKind.True)
        {
            errors.Add("logprobs", "Log probabilities are not supported.");
        }
        var messages = body.TryGetProperty("messages", out var list) ? ReadMessages(list, "messages", errors) : null;
        if (messages is null && !errors.ToDictionary().ContainsKey("messages"))
        {
            errors.Add("messages", "Is required: a list of {role, content}.");
        }
        var options = ReadOptions(f, body, errors);
        var stream = f.Boolean("stream").GetValueOrDefault(false);
        var includeUsage = false;
        if (body.TryGetProperty("stream_options", out var streamOptions) && streamOptions.ValueKind == JsonValueKind.Object)
        {
            includeUsage = streamOptions.TryGetProperty("include_usage", out var iu) && iu.ValueKind == JsonValueKind.True;
        }
        errors.ThrowIfAny();
        return new ChatCallInput(model!, messages!, options, stream, includeUsage);
    }

    public static EmbeddingsCallInput ReadEmbeddings(JsonElement body)
    {
        var errors = new ValidationErrors();
        var f = new JsonFields(body, body.EnumerateObject().Select(p => p.Name).ToHashSet(StringComparer.Ordinal), errors);
        var model = Required(f.String("model", 256), "model", errors);
        var inputs = new List<string>();
        if (!body.TryGetProperty("input", out var input) || input.ValueKind == JsonValueKind.Null)
        {
            errors.Add("input", "Is required: a string or a list of strings.");
        }
        else if (input.ValueKind == JsonValueKind.String)
        {
            inputs.Add(input.GetString()!);
        }
        else if (input.ValueKind == JsonValueKind.Array && input.GetArrayLength() is > 0 and <= MaxInputs)
        {
            var i = 0;
            foreach (var item in input.EnumerateArray())
            {
                if (item.ValueKind == JsonValueKind.String) inputs.Add(item.GetString()!);
                else errors.Add($"input[{i}]", "Must be a string (token arrays are not supported).");
                i++;
            }
        }
        else
        {
            errors.Add("input", $"Must be a string or a list of 1 to {MaxInputs} strings.");
        }
        for (var i = 0; i < inputs.Count; i++)
        {
            if (inputs[i].Length is 0 or > MaxTextLength) errors.Add(inputs.Count == 1 && input.ValueKind == JsonValueKind.String ? "input" : $"input[{i}]", "Must not be empty.");
        }
        var format = f.String("encoding_format", 16);
        if (format is { HasValue: true, Value: not ("float" or "base64") })
        {
            errors.Add("encoding_format", "Must be float or base64.");
        }
        var dimensions = f.Integer("dimensions", 1, 100_000);
        errors.ThrowIfAny();
        return new EmbeddingsCallInput(model!, inputs, new EmbeddingGenerationOptions { Dimensions = dimensions.HasValue ? dimensions.Value : null },
            format is { HasValue: true, Value: "base64" });
    }

    /// <summary>OpenAI's messages: system, developer, user, assistant (text content: a string or text parts).</summary>
    public static List<ChatMessage>? ReadMessages(JsonElement list, string path, ValidationErrors errors)
    {
        if (list.ValueKind != JsonValueKind.Array || list.GetArrayLength() is 0 or > MaxMessages)
        {
            errors.Add(path, $"Must be a list of 1 to {MaxMessages} messages.");
            return null;
        }
        var messages = new List<ChatMessage>();
        var i = 0;
        foreach (var item in list.EnumerateArray())
        {
            var at = $"{path}[{i++}]";
            if (item.ValueKind != JsonValueKind.Object)
            {
                errors.Add(at, "Must be an object {role, content}.");
                continue;
            }
            var role = item.TryGetProperty("role", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null;
            ChatRole? chatRole = role switch
            {
                "system" or "developer" => ChatRole.System,
                "user" => ChatRole.User,
                "assistant" => ChatRole.Assistant,
                _ => null,
            };
            if (chatRole is null)
            {
                errors.Add($"{at}.role", "Must be system, developer, user or assistant.");
                continue;
            }
            if (!item.TryGetProperty("content", out var content) || Text(content, $"{at}.content", errors) is not { } text)
            {
                if (!errors.ToDictionary().ContainsKey($"{at}.content")) errors.Add($"{at}.content", "Is required: text, or a list of text parts.");
                continue;
            }
            messages.Add(new ChatMessage(chatRole.Value, text));
        }
        return messages;
    }

    /// <summary>The sampling options both the gateway and test calls take.</summary>
    public static ChatOptions ReadOptions(JsonFields f, JsonElement body, ValidationErrors errors, string prefix = "")
    {
        var options = new ChatOptions();
        var maxTokens = f.Integer("max_completion_tokens", 1, 1_000_000);
        if (!maxTokens.HasValue) maxTokens = f.Integer("max_tokens", 1, 1_000_000);
        if (maxTokens.HasValue) options.MaxOutputTokens = maxTokens.Value;
        if (f.Number("temperature", 0, 2) is { HasValue: true } t) options.Temperature = (float)t.Value;
        if (f.Number("top_p", 0, 1) is { HasValue: true } p) options.TopP = (float)p.Value;
        if (f.Number("presence_penalty", -2, 2) is { HasValue: true } pp) options.PresencePenalty = (float)pp.Value;
        if (f.Number("frequency_penalty", -2, 2) is { HasValue: true } fp) options.FrequencyPenalty = (float)fp.Value;
        if (f.Integer("seed", int.MinValue, int.MaxValue) is { HasValue: true } seed) options.Seed = seed.Value;
        if (body.TryGetProperty("stop", out var stop) && stop.ValueKind != JsonValueKind.Null)
        {
            if (stop.ValueKind == JsonValueKind.String) options.StopSequences = [stop.GetString()!];
            else if (stop.ValueKind == JsonValueKind.Array && stop.GetArrayLength() <= 4 && stop.EnumerateArray().All(s => s.ValueKind == JsonValueKind.String))
                options.StopSequences = stop.EnumerateArray().Select(s => s.GetString()!).ToList();
            else errors.Add(prefix + "stop", "Must be a string or a list of up to 4 strings.");
        }
        if (body.TryGetProperty("response_format", out var format) && format.ValueKind == JsonValueKind.Object
            && format.TryGetProperty("type", out var type))
        {
            switch (type.GetString())
            {
                case "text": break;
                case "json_object": options.ResponseFormat = ChatResponseFormat.Json; break;
                default: errors.Add(prefix + "response_format.type", "Must be text or json_object."); break;
            }
        }
        return options;
    }

    private static string? Text(JsonElement content, string path, ValidationErrors errors)
    {
        if (content.ValueKind == JsonValueKind.String)
        {
            var text = content.GetString()!;
            if (text.Length > MaxTextLength) errors.Add(path, $"At most {MaxTextLength} characters.");
            return text;
        }
        if (content.ValueKind != JsonValueKind.Array)
        {
            return null;
        }
        var parts = new List<string>();
        var i = 0;
        foreach (var part in content.EnumerateArray())
        {
            if (part.ValueKind == JsonValueKind.Object && part.TryGetProperty("type", out var type) && type.GetString() == "text"
                && part.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String)
            {
                parts.Add(text.GetString()!);
            }
            else
            {
                errors.Add($"{path}[{i}]", "Only text parts ({\"type\": \"text\", \"text\": …}) are supported.");
            }
            i++;
        }
        return string.Join("\n", parts);
    }

    private static string? Required(Optional<string> value, string name, ValidationErrors errors)
    {
        if (value is { HasValue: true, Value: { Length: > 0 } text }) return text;
        if (!errors.ToDictionary().ContainsKey(name)) errors.Add(name, "Is required.");
        return null;
    }
}
