using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ModelsHub.Testing.AiProviders;

/// <summary>How the fake misbehaves on a call (the model look-up included).</summary>
public enum FakeFault
{
    /// <summary>429 with the provider's rate-limit headers and a Retry-After.</summary>
    RateLimited,

    /// <summary>500 with the provider's error JSON.</summary>
    ServerError,

    /// <summary>Never answers (until the caller gives up).</summary>
    Hang,

    /// <summary>Streams half the answer, then drops the connection (a non-streamed call is cut before its body).</summary>
    CutStream,
}

/// <summary>A request the fake received: method, path, the headers that carry keys, and the body.</summary>
public sealed record FakeAiRequest(string Method, string Path, string? Authorization, string? ApiKeyHeader, string? AnthropicVersion, string Body);

/// <summary>
/// What the OpenAI and Anthropic fakes share: a Kestrel server on 127.0.0.1 (a free port), the keys
/// and model ids the provider accepts, faults queued for the next calls, an optional delay between
/// streamed chunks, and the requests received. Answers are deterministic: the reply echoes the last
/// user message (words as tokens), so tests and the bench can check what came back.
/// </summary>
public abstract class FakeAiServer : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, byte> _keys = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _models = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<FakeFault> _faults = new();
    private readonly ConcurrentQueue<FakeAiRequest> _requests = new();
    private WebApplication? _app;
    private long _calls;

    protected static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The server's root (<c>http://127.0.0.1:port/</c>).</summary>
    public Uri Root { get; private set; } = null!;

    /// <summary>The base URL the provider's official SDK takes.</summary>
    public abstract Uri BaseUrl { get; }

    /// <summary>Calls received (every path), for the bench and for "nothing was called" checks.</summary>
    public long Calls => Interlocked.Read(ref _calls);

    /// <summary>The latest requests (at most 1,000 are kept).</summary>
    public IReadOnlyList<FakeAiRequest> Requests => _requests.ToArray();

    /// <summary>A pause before each streamed chunk after the first (zero: as fast as the socket takes them).</summary>
    public TimeSpan ChunkDelay { get; set; }

    /// <summary>Words per reply when the request sets no limit (the reply repeats the echo to reach it).</summary>
    public int ReplyWords { get; set; } = 12;

    public void AddKey(string key) => _keys[key] = 0;

    public void RemoveKey(string key) => _keys.TryRemove(key, out _);

    public void AddModel(string id, string displayName) => _models[id] = displayName;

    /// <summary>The next calls fail this way, one fault per call, in order.</summary>
    public void FailNext(FakeFault fault, int times = 1)
    {
        for (var i = 0; i < times; i++) _faults.Enqueue(fault);
    }

    protected bool KnowsKey(string? key) => key is not null && _keys.ContainsKey(key);

    protected string? DisplayName(string model) => _models.GetValueOrDefault(model);

    protected async Task ListenAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxConcurrentConnections = null);
        var app = builder.Build();
        app.Run(HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Root = new Uri(address.TrimEnd('/') + "/");
        _app = app;
    }

    private async Task HandleAsync(HttpContext context)
    {
        Interlocked.Increment(ref _calls);
        var body = context.Request.ContentLength is > 0 || context.Request.Headers.TransferEncoding.Count > 0
            ? await new StreamReader(context.Request.Body, Encoding.UTF8).ReadToEndAsync(context.RequestAborted)
            : "";
        _requests.Enqueue(new FakeAiRequest(context.Request.Method, context.Request.Path.Value ?? "",
            context.Request.Headers.Authorization.FirstOrDefault(), context.Request.Headers["x-api-key"].FirstOrDefault(),
            context.Request.Headers["anthropic-version"].FirstOrDefault(), body));
        while (_requests.Count > 1_000 && _requests.TryDequeue(out _))
        {
        }
        FakeFault? fault = _faults.TryDequeue(out var f) ? f : null;
        if (fault == FakeFault.Hang)
        {
            await Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => { });
            return;
        }
        await HandleAsync(context, body, fault);
    }

    /// <summary>Serves one request; <paramref name="fault"/> is the fault to act out (Hang is handled already).</summary>
    protected abstract Task HandleAsync(HttpContext context, string body, FakeFault? fault);

    protected static async Task WriteJsonAsync(HttpContext context, int status, object body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(JsonSerializer.Serialize(body, Json));
    }

    /// <summary>Starts a server-sent event stream the way providers do: headers out at once, nothing buffered.</summary>
    protected static async Task BeginStreamAsync(HttpContext context)
    {
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        context.Response.StatusCode = 200;
        context.Response.ContentType = "text/event-stream; charset=utf-8";
        context.Response.Headers.CacheControl = "no-cache";
        await context.Response.Body.FlushAsync(context.RequestAborted);
    }

    protected static async Task WriteEventAsync(HttpContext context, string? eventName, string data)
    {
        var text = eventName is null ? $"data: {data}\n\n" : $"event: {eventName}\ndata: {data}\n\n";
        await context.Response.WriteAsync(text, context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);
    }

    /// <summary>Drops the connection mid-response, as a provider whose stream dies does.</summary>
    protected static void Cut(HttpContext context) => context.Abort();

    /// <summary>
    /// Drops a stream after what was sent has had time to arrive: a reset discards data the client
    /// has not read yet, and a stream that dies halfway has delivered its first half.
    /// </summary>
    protected static async Task CutAfterDeliveryAsync(HttpContext context)
    {
        await Task.Delay(TimeSpan.FromMilliseconds(200), context.RequestAborted).ContinueWith(_ => { });
        context.Abort();
    }

    /// <summary>The reply to a prompt: an echo of its last user text, <paramref name="maxWords"/> words at most.</summary>
    protected (IReadOnlyList<string> Words, bool Truncated) Reply(string provider, string model, string lastUserText, int? maxWords)
    {
        var echo = $"{provider} {model} says: {lastUserText}".Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var words = new List<string>();
        var target = maxWords is { } max ? Math.Min(max, Math.Max(ReplyWords, echo.Length)) : Math.Max(ReplyWords, echo.Length);
        for (var i = 0; words.Count < target; i++) words.Add(echo[i % echo.Length]);
        var truncated = maxWords is { } m && m < Math.Max(ReplyWords, echo.Length);
        // Each word but the first keeps its leading space, so the chunks join back into the text.
        return (words.Select((w, i) => i == 0 ? w : " " + w).ToList(), truncated);
    }

    protected static int CountWords(string text) => text.Split([' ', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries).Length;

    /// <summary>The text of a message's content: a string, or an array of parts / blocks of type text.</summary>
    protected static string TextOf(JsonElement content) => content.ValueKind switch
    {
        JsonValueKind.String => content.GetString()!,
        JsonValueKind.Array => string.Join(" ", content.EnumerateArray()
            .Where(p => p.TryGetProperty("type", out var t) && t.GetString() == "text")
            .Select(p => p.GetProperty("text").GetString())),
        _ => "",
    };

    /// <summary>A deterministic unit vector for a text: the same text always embeds the same.</summary>
    protected static float[] Vector(string text, int dimensions)
    {
        var seed = BitConverter.ToInt32(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(text)));
        var random = new Random(seed);
        var vector = new float[dimensions];
        double norm = 0;
        for (var i = 0; i < dimensions; i++)
        {
            vector[i] = (float)(random.NextDouble() * 2 - 1);
            norm += vector[i] * vector[i];
        }
        for (var i = 0; i < dimensions; i++) vector[i] /= (float)Math.Sqrt(norm);
        return vector;
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        GC.SuppressFinalize(this);
    }
}
