using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace ModelsHub.Core.Datasets.Validation;

/// <summary>
/// jsonl-chat: each line <c>{"messages": [{"role": …, "content": …}, …]}</c>, the chat fine-tuning
/// format. A message's content is a string, a list of content parts (<c>{"type": "text", "text": …}</c>
/// and others), or null for an assistant message that calls tools; every conversation needs an
/// assistant message (that is what training learns from). Other fields (<c>tools</c>, <c>name</c>,
/// <c>weight</c>, …) are allowed. Read with <see cref="Utf8JsonReader"/> straight from the line's bytes.
/// </summary>
internal sealed class ChatRecords(ValidationReport report) : ILineChecker
{
    private static readonly string[] RoleNames = ["system", "user", "assistant", "tool", "function", "developer"];
    private static readonly byte[][] RoleBytes = [.. RoleNames.Select(Encoding.UTF8.GetBytes)];
    private const int Assistant = 2;

    /// <summary>Tokens the chat format adds around each message and each conversation (as OpenAI counts them).</summary>
    private const int TokensPerMessage = 3;
    private const int TokensPerConversation = 3;

    private readonly long[] _roles = new long[RoleNames.Length];
    private readonly long[] _recordRoles = new long[RoleNames.Length];

    public void Check(long line, ReadOnlySpan<byte> content)
    {
        report.RecordCount++;
        Array.Clear(_recordRoles);
        long textBytes = 0;
        var error = Utf8.IsValid(content) ? Check(content, _recordRoles, ref textBytes) : "Is not UTF-8 text.";
        if (error is not null)
        {
            report.AddError(line, error);
            return;
        }
        long messages = 0;
        for (var i = 0; i < _roles.Length; i++)
        {
            _roles[i] += _recordRoles[i];
            messages += _recordRoles[i];
        }
        if (report.Tokens.Add(textBytes, TokensPerConversation + TokensPerMessage * messages))
        {
            report.Tokens.AddSample(TextOf(content));
        }
    }

    /// <summary>The message counts per role of the valid records.</summary>
    public Dictionary<string, long> Roles() =>
        RoleNames.Select((name, i) => (name, count: _roles[i])).Where(r => r.count > 0).ToDictionary(r => r.name, r => r.count);

    private static string? Check(ReadOnlySpan<byte> json, long[] roles, ref long textBytes)
    {
        var reader = new Utf8JsonReader(json);
        try
        {
            reader.Read();
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                return $"Must be a JSON object {{\"messages\": [...]}}, not {JsonText.Describe(reader.TokenType)}.";
            }
            var sawMessages = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (!reader.ValueTextEquals("messages"u8))
                {
                    reader.Read();
                    reader.Skip();
                    continue;
                }
                if (sawMessages)
                {
                    return "Has \"messages\" twice.";
                }
                sawMessages = true;
                reader.Read();
                if (Messages(ref reader, roles, ref textBytes) is { } error)
                {
                    return error;
                }
            }
            // The object is closed: anything after it makes the reader throw (one JSON value per line).
            reader.Read();
            return sawMessages ? null : "Has no \"messages\"; each line must be {\"messages\": [{\"role\": …, \"content\": …}, …]}.";
        }
        catch (JsonException ex)
        {
            return JsonText.NotJson(ex);
        }
    }

    private static string? Messages(ref Utf8JsonReader reader, long[] roles, ref long textBytes)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            return $"\"messages\" must be a list of messages, not {JsonText.Describe(reader.TokenType)}.";
        }
        var index = 0;
        var assistant = false;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            // Named only when something is wrong: formatting it for every message would cost more than reading it.
            string At() => $"messages[{index}]";
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                return $"{At()} must be an object {{\"role\", \"content\"}}, not {JsonText.Describe(reader.TokenType)}.";
            }
            var role = -1;
            var content = false;
            var calls = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("role"u8))
                {
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.String)
                    {
                        return $"{At()}.role must be a string, not {JsonText.Describe(reader.TokenType)}.";
                    }
                    role = RoleOf(ref reader);
                    if (role < 0)
                    {
                        return $"{At()}.role '{JsonText.Shorten(reader.GetString())}' is not one of {string.Join(", ", RoleNames)}.";
                    }
                }
                else if (reader.ValueTextEquals("content"u8))
                {
                    reader.Read();
                    switch (reader.TokenType)
                    {
                        case JsonTokenType.String:
                            textBytes += reader.ValueSpan.Length;
                            content = true;
                            break;
                        case JsonTokenType.Null:
                            break;
                        case JsonTokenType.StartArray:
                            if (Parts(ref reader, index, ref textBytes) is { } error)
                            {
                                return error;
                            }
                            content = true;
                            break;
                        default:
                            return $"{At()}.content must be a string or a list of content parts, not {JsonText.Describe(reader.TokenType)}.";
                    }
                }
                else if (reader.ValueTextEquals("tool_calls"u8) || reader.ValueTextEquals("function_call"u8))
                {
                    reader.Read();
                    calls |= reader.TokenType is JsonTokenType.StartArray or JsonTokenType.StartObject;
                    reader.Skip();
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
            if (role < 0)
            {
                return $"{At()} has no \"role\".";
            }
            if (!content && !(role == Assistant && calls))
            {
                return $"{At()} ({RoleNames[role]}) has no \"content\".";
            }
            roles[role]++;
            assistant |= role == Assistant;
            index++;
        }
        if (index == 0)
        {
            return "\"messages\" is empty; a conversation needs at least one message.";
        }
        return assistant ? null : "Has no assistant message; training learns from the assistant's replies.";
    }

    private static string? Parts(ref Utf8JsonReader reader, int message, ref long textBytes)
    {
        var part = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                return $"messages[{message}].content[{part}] must be an object such as {{\"type\": \"text\", \"text\": …}}, not {JsonText.Describe(reader.TokenType)}.";
            }
            var typed = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isText = reader.ValueTextEquals("text"u8);
                typed |= reader.ValueTextEquals("type"u8);
                reader.Read();
                if (isText && reader.TokenType == JsonTokenType.String)
                {
                    textBytes += reader.ValueSpan.Length;
                }
                reader.Skip();
            }
            if (!typed)
            {
                return $"messages[{message}].content[{part}] has no \"type\".";
            }
            part++;
        }
        return null;
    }

    private static int RoleOf(ref Utf8JsonReader reader)
    {
        for (var i = 0; i < RoleNames.Length; i++)
        {
            if (reader.ValueTextEquals(RoleBytes[i]))
            {
                return i;
            }
        }
        return -1;
    }

    /// <summary>The text of a (valid) record's messages, for the token sample: a second, rarer pass.</summary>
    private static string TextOf(ReadOnlySpan<byte> json)
    {
        using var document = JsonDocument.Parse(json.ToArray());
        var text = new StringBuilder();
        foreach (var message in document.RootElement.GetProperty("messages").EnumerateArray())
        {
            if (!message.TryGetProperty("content", out var content))
            {
                continue;
            }
            if (content.ValueKind == JsonValueKind.String)
            {
                text.Append(content.GetString()).Append('\n');
            }
            else if (content.ValueKind == JsonValueKind.Array)
            {
                foreach (var part in content.EnumerateArray())
                {
                    if (part.TryGetProperty("text", out var partText) && partText.ValueKind == JsonValueKind.String)
                    {
                        text.Append(partText.GetString()).Append('\n');
                    }
                }
            }
        }
        return text.ToString();
    }
}
