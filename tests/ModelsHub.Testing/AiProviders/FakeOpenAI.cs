using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace ModelsHub.Testing.AiProviders;

/// <summary>
/// OpenAI's REST API as the official SDKs use it, under <c>/v1</c>: <c>GET /v1/models/{model}</c>,
/// <c>POST /v1/chat/completions</c> (JSON, or server-sent <c>chat.completion.chunk</c> events ending
/// with <c>data: [DONE]</c>, with a usage chunk when <c>stream_options.include_usage</c> asks), and
/// <c>POST /v1/embeddings</c> (float arrays, or base64 of little-endian float32 when
/// <c>encoding_format</c> is base64). Bearer keys; errors as <c>{"error":{message,type,param,code}}</c>;
/// 429s carry <c>retry-after</c>, <c>retry-after-ms</c> and the <c>x-ratelimit-*</c> headers.
/// Also stands in for any OpenAI-compatible server (Xinference, vLLM).
/// </summary>
public sealed class FakeOpenAI : FakeAiServer
{
    public const int EmbeddingDimensions = 16;

    private FakeOpenAI()
    {
    }

    public override Uri BaseUrl => new(Root, "v1");

    public static async Task<FakeOpenAI> StartAsync()
    {
        var fake = new FakeOpenAI();
        await fake.ListenAsync();
        return fake;
    }

    protected override async Task HandleAsync(HttpContext context, string body, FakeFault? fault)
    {
        var path = context.Request.Path.Value ?? "";
        var auth = context.Request.Headers.Authorization.FirstOrDefault();
        if (auth is null || !auth.StartsWith("Bearer ", StringComparison.Ordinal) || !KnowsKey(auth["Bearer ".Length..]))
        {
            var shown = auth is { Length: > 14 } ? auth[7..13] + "*****" + auth[^4..] : "";
            await Error(context, 401, $"Incorrect API key provided: {shown}. You can find your API key at https://platform.openai.com/account/api-keys.",
                "invalid_request_error", null, "invalid_api_key");
            return;
        }
        switch (fault)
        {
            case FakeFault.RateLimited:
                context.Response.Headers["retry-after"] = "2";
                context.Response.Headers["retry-after-ms"] = "1500";
                context.Response.Headers["x-ratelimit-limit-requests"] = "500";
                context.Response.Headers["x-ratelimit-remaining-requests"] = "0";
                context.Response.Headers["x-ratelimit-reset-requests"] = "1.5s";
                await Error(context, 429, "Rate limit reached for requests. Please try again in 1.5s.", "requests", null, "rate_limit_exceeded");
                return;
            case FakeFault.ServerError:
                await Error(context, 500, "The server had an error while processing your request. Sorry about that!", "server_error", null, null);
                return;
        }
        if (context.Request.Method == "GET" && path.StartsWith("/v1/models/", StringComparison.Ordinal))
        {
            var id = Uri.UnescapeDataString(path["/v1/models/".Length..]);
            if (DisplayName(id) is null)
            {
                await Error(context, 404, $"The model '{id}' does not exist", "invalid_request_error", "model", "model_not_found");
                return;
            }
            await WriteJsonAsync(context, 200, new { id, @object = "model", created = 1_700_000_000, owned_by = "openai" });
            return;
        }
        if (context.Request.Method == "POST" && path == "/v1/chat/completions")
        {
            await ChatAsync(context, body, fault);
            return;
        }
        if (context.Request.Method == "POST" && path == "/v1/embeddings")
        {
            await EmbeddingsAsync(context, body, fault);
            return;
        }
        await Error(context, 404, $"Invalid URL ({context.Request.Method} {path})", "invalid_request_error", null, null);
    }

    private async Task ChatAsync(HttpContext context, string body, FakeFault? fault)
    {
        using var document = JsonDocument.Parse(body);
        var root = document.RootElement;
        var model = root.TryGetProperty("model", out var m) ? m.GetString() ?? "" : "";
        if (DisplayName(model) is null)
        {
            await Error(context, 404, $"The model '{model}' does not exist or you do not have access to it.", "invalid_request_error", null, "model_not_found");
            return;
        }
        if (!root.TryGetProperty("messages", out var messages) || messages.ValueKind != JsonValueKind.Array || messages.GetArrayLength() == 0)
        {
            await Error(context, 400, "[] is too short - 'messages'", "invalid_request_error", "messages", null);
            return;
        }
        var promptTokens = 0;
        var lastUser = "";
        foreach (var message in messages.EnumerateArray())
        {
            var text = message.TryGetProperty("content", out var content) ? TextOf(content) : "";
            promptTokens += CountWords(text) + 3;
            if (message.TryGetProperty("role", out var role) && role.GetString() == "user") lastUser = text;
        }
        int? maxTokens = root.TryGetProperty("max_completion_tokens", out var mct) && mct.ValueKind == JsonValueKind.Number ? mct.GetInt32()
            : root.TryGetProperty("max_tokens", out var mt) && mt.ValueKind == JsonValueKind.Number ? mt.GetInt32() : null;
        var (words, truncated) = Reply("OpenAI", model, lastUser, maxTokens);
        var finish = truncated ? "length" : "stop";
        var id = "chatcmpl-" + Guid.NewGuid().ToString("N")[..24];
        var created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var usage = new { prompt_tokens = promptTokens, completion_tokens = words.Count, total_tokens = promptTokens + words.Count };
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
                id, @object = "chat.completion", created, model, system_fingerprint = "fp_fake",
                choices = new[] { new { index = 0, message = new { role = "assistant", content = string.Concat(words), refusal = (string?)null }, logprobs = (object?)null, finish_reason = finish } },
                usage,
            });
            return;
        }
        var includeUsage = root.TryGetProperty("stream_options", out var so) && so.ValueKind == JsonValueKind.Object
            && so.TryGetProperty("include_usage", out var iu) && iu.ValueKind == JsonValueKind.True;
        await BeginStreamAsync(context);
        await WriteEventAsync(context, null, Chunk(id, created, model, new { role = "assistant", content = "", refusal = (string?)null }, null, includeUsage));
        for (var i = 0; i < words.Count; i++)
        {
            if (fault == FakeFault.CutStream && i == words.Count / 2)
            {
                await CutAfterDeliveryAsync(context);
                return;
            }
            if (ChunkDelay > TimeSpan.Zero) await Task.Delay(ChunkDelay, context.RequestAborted);
            await WriteEventAsync(context, null, Chunk(id, created, model, new { content = words[i] }, null, includeUsage));
        }
        await WriteEventAsync(context, null, Chunk(id, created, model, new { }, finish, includeUsage));
        if (includeUsage)
        {
            await WriteEventAsync(context, null, JsonSerializer.Serialize(new
            {
                id, @object = "chat.completion.chunk", created, model, system_fingerprint = "fp_fake", choices = Array.Empty<object>(), usage,
            }, Json));
        }
        await WriteEventAsync(context, null, "[DONE]");
    }

    private static string Chunk(string id, long created, string model, object delta, string? finish, bool includeUsage) =>
        includeUsage
            ? JsonSerializer.Serialize(new
            {
                id, @object = "chat.completion.chunk", created, model, system_fingerprint = "fp_fake",
                choices = new[] { new { index = 0, delta, logprobs = (object?)null, finish_reason = finish } },
                usage = (object?)null,
            }, Json)
            : JsonSerializer.Serialize(new
            {
                id, @object = "chat.completion.chunk", created, model, system_fingerprint = "fp_fake",
                choices = new[] { new { index = 0, delta, logprobs = (object?)null, finish_reason = finish } },
            }, Json);

    private async Task EmbeddingsAsync(HttpContext context, string body, FakeFault? fault)
    {
        if (fault == FakeFault.CutStream)
        {
            Cut(context);
            return;
        }
        using var document = JsonDocument.Parse(body);
        var root = document.RootElement;
        var model = root.TryGetProperty("model", out var m) ? m.GetString() ?? "" : "";
        if (DisplayName(model) is null)
        {
            await Error(context, 404, $"The model '{model}' does not exist", "invalid_request_error", "model", "model_not_found");
            return;
        }
        var inputs = root.TryGetProperty("input", out var input) ? input.ValueKind switch
        {
            JsonValueKind.String => [input.GetString()!],
            JsonValueKind.Array => input.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : e.GetRawText()).ToList(),
            _ => new List<string>(),
        } : [];
        if (inputs.Count == 0)
        {
            await Error(context, 400, "'input' is a required property", "invalid_request_error", "input", null);
            return;
        }
        var dimensions = root.TryGetProperty("dimensions", out var d) && d.ValueKind == JsonValueKind.Number ? d.GetInt32() : EmbeddingDimensions;
        var base64 = root.TryGetProperty("encoding_format", out var ef) && ef.GetString() == "base64";
        var tokens = inputs.Sum(CountWords);
        await WriteJsonAsync(context, 200, new
        {
            @object = "list",
            data = inputs.Select((text, i) => new
            {
                @object = "embedding",
                index = i,
                embedding = base64 ? (object)Convert.ToBase64String(MemoryMarshal.AsBytes(Vector(text, dimensions).AsSpan())) : Vector(text, dimensions),
            }).ToList(),
            model,
            usage = new { prompt_tokens = tokens, total_tokens = tokens },
        });
    }

    private static Task Error(HttpContext context, int status, string message, string type, string? param, string? code) =>
        WriteJsonAsync(context, status, new { error = new { message, type, param, code } });

    /// <summary>The vector the fake answers for a text (what a test compares the hub's answer with).</summary>
    public static float[] ExpectedVector(string text, int dimensions = EmbeddingDimensions) => Vector(text, dimensions);
}
