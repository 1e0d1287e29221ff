using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ModelsHub.IntegrationTests.Webhooks;

/// <summary>
/// A webhook receiver as a user would write one from the README, on 127.0.0.1 and a free port: it
/// verifies each request's Standard Webhooks signature over the raw body with the secret (its own
/// HMAC code, not the hub's) and the timestamp against a five-minute window, answers 401 when either
/// fails, and keeps what it received. <see cref="Status"/> and <see cref="Hold"/> let a test make it fail or hang.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;

    public sealed record Received(string Id, string Timestamp, string Delivery, string ContentType, byte[] Body, bool Verified)
    {
        public JsonElement Json => JsonDocument.Parse(Body).RootElement;

        public string Type => Json.GetProperty("type").GetString()!;
    }

    private WebhookReceiver(WebApplication app) => _app = app;

    public ConcurrentQueue<Received> Requests { get; } = new();

    /// <summary>The secret to verify with; null verifies nothing (every request counts as unverified).</summary>
    public string? Secret { get; set; }

    /// <summary>The status to answer after verifying (200 unless a test says otherwise).</summary>
    public int Status { get; set; } = 200;

    /// <summary>While set, requests wait for it before answering (a receiver that hangs).</summary>
    public TaskCompletionSource? Hold { get; set; }

    public Uri Url { get; private set; } = null!;

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.MapPost("/hook", (Delegate)receiver.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver.Url = new Uri(address.TrimEnd('/') + "/hook");
        return receiver;
    }

    private async Task<IResult> HandleAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer);
        var body = buffer.ToArray();
        var headers = context.Request.Headers;
        var id = headers["webhook-id"].ToString();
        var timestamp = headers["webhook-timestamp"].ToString();
        var verified = Secret is not null && Verify(Secret, id, timestamp, headers["webhook-signature"].ToString(), body);
        Requests.Enqueue(new Received(id, timestamp, headers["webhook-delivery"].ToString(), context.Request.ContentType ?? "", body, verified));
        if (Hold is { } hold)
        {
            await hold.Task;
        }
        return verified ? Results.StatusCode(Status) : Results.StatusCode(401);
    }

    /// <summary>The README's recipe: HMAC-SHA256 over "{id}.{timestamp}.{body}", key = base64 after "whsec_", any "v1,…" entry matching, timestamp within 5 minutes.</summary>
    public static bool Verify(string secret, string id, string timestamp, string signatures, byte[] body)
    {
        if (!long.TryParse(timestamp, out var seconds) || Math.Abs(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - seconds) > 300)
        {
            return false;
        }
        var key = secret.StartsWith("whsec_", StringComparison.Ordinal) ? Convert.FromBase64String(secret["whsec_".Length..]) : Encoding.UTF8.GetBytes(secret);
        var signed = Encoding.UTF8.GetBytes($"{id}.{timestamp}.").Concat(body).ToArray();
        var expected = Convert.FromBase64String(Convert.ToBase64String(HMACSHA256.HashData(key, signed)));
        foreach (var entry in signatures.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = entry.Split(',', 2);
            if (parts.Length == 2 && parts[0] == "v1" && CryptographicOperations.FixedTimeEquals(Convert.FromBase64String(parts[1]), expected))
            {
                return true;
            }
        }
        return false;
    }

    public async ValueTask DisposeAsync()
    {
        Hold?.TrySetResult();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
