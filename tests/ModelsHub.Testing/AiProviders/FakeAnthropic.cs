using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace ModelsHub.Testing.AiProviders;

/// <summary>
/// Anthropic's Messages API as the official SDK uses it: the key in <c>x-api-key</c> (or as a bearer
/// token, as SDK 13.x sends it) and an <c>anthropic-version</c> header, <c>GET /v1/models/{model_id}</c> (<c>{"type":"model",id,display_name,created_at}</c>),
/// <c>POST /v1/messages</c> (a message, or server-sent <c>message_start</c>, <c>content_block_start</c>,
/// <c>ping</c>, <c>content_block_delta</c> with <c>text_delta</c>s, <c>content_block_stop</c>,
/// <c>message_delta</c> with the stop reason and output tokens, <c>message_stop</c>). Errors are
/// <c>{"type":"error","error":{type,message},"request_id":…}</c> with a <c>request-id</c> header;
/// 429 (<c>rate_limit_error</c>) carries <c>retry-after</c> and the <c>anthropic-ratelimit-*</c> headers.
/// </summary>
public sealed class FakeAnthropic : FakeAiServer
{
    private FakeAnthropic()
    {
    }

    public override Uri BaseUrl => new(Root.ToString().TrimEnd('/'));

    public static async Task<FakeAnthropic> StartAsync()
    {
        var fake = new FakeAnthropic();
        await fake.ListenAsync();
        return fake;
    }

    protected override async Task HandleAsync(HttpContext context, string body, FakeFault? fault)
    {
        var path = context.Request.Path.Value ?? "";
        context.Response.Headers["request-id"] = "req_" + Guid.NewGuid().ToString("N")[..24];
        if (context.Request.Headers["anthropic-version"].Count == 0)
        {
            await Error(context, 400, "invalid_request_error", "anthropic-version: header is required");
            return;
        }
        // The API takes the key as x-api-key; SDK 13.x sends it as a bearer token, which the API accepts too.
        var bearer = context.Request.Headers.Authorization.FirstOrDefault() is { } auth && auth.StartsWith("Bearer ", StringComparison.Ordinal) ? auth[7..] : null;
        if (!KnowsKey(context.Request.Headers["x-api-key"].FirstOrDefault() ?? bearer))
        {
            await Error(context, 401, "authentication_error", "invalid x-api-key");
            return;
        }
        switch (fault)
        {
            case FakeFault.RateLimited:
                context.Response.Headers["retry-after"] = "3";
                context.Response.Headers["anthropic-ratelimit-requests-limit"] = "50";
                context.Response.Headers["anthropic-ratelimit-requests-remaining"] = "0";
                context.Response.Headers["anthropic-ratelimit-requests-reset"] = DateTimeOffset.UtcNow.AddSeconds(3).ToString("yyyy-MM-ddTHH:mm:ssZ");
                await Error(context, 429, "rate_limit_error", "Number of request tokens has exceeded your per-minute rate limit.");
                return;
            case FakeFault.ServerError:
                await Error(context, 500, "api_error", "Internal server error");
                return;
        }
        if (context.Request.Method == "GET" && path.StartsWith("/v1/models/", StringComparison.Ordinal))
        {
            var id = Uri.UnescapeDataString(path["/v1/models/".Length..]);
            if (DisplayName(id) is not { } name)
            {
                await Error(context, 404, "not_found_error", $"model: {id}");
                return;
            }
            await WriteJsonAsync(context, 200, new { type = "model", id, display_name = name, created_at = "2025-02-19T00:00:00Z" });
            return;
        }
        if (context.Request.Method == "POST" && path == "/v1/messages")
        {
            await MessagesAsync(context, body, fault);
            return;
        }
        await Error(context, 404, "not_found_error", $"Not found: {context.Request.Method} {path}");
    }

    private async Task MessagesAsync(HttpContext context, string body, FakeFault? fault)
    {
        using var document = JsonDocument.Parse(body);
        var root = document.RootElement;
        var model = root.TryGetProperty("model", out var m) ? m.GetString() ?? "" : "";
        if (!root.TryGetProperty("max_tokens", out var maxTokens) || maxTokens.ValueKind != JsonValueKind.Number)
        {
            await Error(context, 400, "invalid_request_error", "max_tokens: Field required");
            return;
        }
        if (DisplayName(model) is null)
        {
            await Error(context, 404, "not_found_error", $"model: {model}");
            return;
        }
        if (!root.TryGetProperty("messages", out var messages) || messages.ValueKind != JsonValueKind.Array || messages.GetArrayLength() == 0)
        {
            await Error(context, 400, "invalid_request_error", "messages: at least one message is required");
            return;
        }
        var inputTokens = root.TryGetProperty("system", out var system) ? CountWords(TextOf(system)) : 0;
        var lastUser = "";
        foreach (var message in messages.EnumerateArray())
        {
            var role = message.GetProperty("role").GetString();
            if (role is not ("user" or "assistant"))
            {
                await Error(context, 400, "invalid_request_error", $"messages: Unexpected role \"{role}\". Allowed roles are \"user\" or \"assistant\".");
                return;
            }
            var text = TextOf(message.GetProperty("content"));
            inputTokens += CountWords(text);
            if (role == "user") lastUser = text;
        }
        var (words, truncated) = Reply("Claude", model, lastUser, maxTokens.GetInt32());
        var stopReason = truncated ? "max_tokens" : "end_turn";
        var id = "msg_" + Guid.NewGuid().ToString("N")[..24];
        var stream = root.TryGetProperty("stream", out var s) && s.ValueKind == JsonValueKind.True;
        if (!stream)
        {
            if (fault == FakeFault.CutStream)
            {
                Cut(context);
                return;
            }
            await WriteJsonAsync(context, 200, new
            {
                id, type = "message", role = "assistant", model,
                content = new[] { new { type = "text", text = string.Concat(words) } },
                stop_reason = stopReason, stop_sequence = (string?)null,
                usage = new { input_tokens = inputTokens, output_tokens = words.Count },
            });
            return;
        }
        await BeginStreamAsync(context);
        await Event(context, "message_start", new
        {
            type = "message_start",
            message = new
            {
                id, type = "message", role = "assistant", model, content = Array.Empty<object>(),
                stop_reason = (string?)null, stop_sequence = (string?)null,
                usage = new { input_tokens = inputTokens, output_tokens = 1 },
            },
        });
        await Event(context, "content_block_start", new { type = "content_block_start", index = 0, content_block = new { type = "text", text = "" } });
        await Event(context, "ping", new { type = "ping" });
        for (var i = 0; i < words.Count; i++)
        {
            if (fault == FakeFault.CutStream && i == words.Count / 2)
            {
                await CutAfterDeliveryAsync(context);
                return;
            }
            if (i > 0 && ChunkDelay > TimeSpan.Zero) await Task.Delay(ChunkDelay, context.RequestAborted);
            await Event(context, "content_block_delta", new { type = "content_block_delta", index = 0, delta = new { type = "text_delta", text = words[i] } });
        }
        await Event(context, "content_block_stop", new { type = "content_block_stop", index = 0 });
        await Event(context, "message_delta", new
        {
            type = "message_delta",
            delta = new { stop_reason = stopReason, stop_sequence = (string?)null },
            usage = new { output_tokens = words.Count },
        });
        await Event(context, "message_stop", new { type = "message_stop" });
    }

    private static Task Event(HttpContext context, string name, object data) => WriteEventAsync(context, name, JsonSerializer.Serialize(data, Json));

    private static Task Error(HttpContext context, int status, string type, string message) =>
        WriteJsonAsync(context, status, new { type = "error", error = new { type, message }, request_id = context.Response.Headers["request-id"].ToString() });
}
