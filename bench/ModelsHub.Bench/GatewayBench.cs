using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using ModelsHub.Contracts.Usage;
using ModelsHub.Core.Usage;
using ModelsHub.Infrastructure.Sqlite;
using ModelsHub.Testing.AiProviders;

namespace ModelsHub.Bench;

/// <summary>
/// The OpenAI-compatible gateway against a fake OpenAI in this process: chat completions through the
/// hub beside the same calls straight to the fake (same window), the time to first token of streams,
/// 1,000 concurrent streams (the server's memory, twice over), and usage reports over 1,000,000
/// recorded calls.
/// </summary>
public static class GatewayBench
{
    private const string ProviderKey = "sk-bench-0000000000000000000000000000";
    private const string Model = "bench-gpt";

    public static async Task<bool> RunAsync(string serverDll, BenchOptions options)
    {
        Console.WriteLine("== gateway: POST /api/v1/chat/completions with a personal access token, beside the fake OpenAI it calls (embedded profile)");
        await using var fake = await FakeOpenAI.StartAsync();
        fake.AddKey(ProviderKey);
        fake.AddModel("gpt-4o", "GPT-4o");
        await using var server = await ServerProcess.StartAsync(serverDll, new Dictionary<string, string>());
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 4096, PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
        {
            Timeout = TimeSpan.FromMinutes(5),
        };
        var hub = new Uri($"http://127.0.0.1:{server.Port}");
        var admin = await CatalogBench.TokenAsync(server.Client, "bench-admin", "admin");
        var token = await SetUpAsync(server.Client, admin, fake);
        var warmup = TimeSpan.FromSeconds(1);

        HttpRequestMessage Chat(Uri url, string bearer, string model, bool stream = false) => new(HttpMethod.Post, url)
        {
            Headers = { Authorization = new AuthenticationHeaderValue("Bearer", bearer) },
            Content = JsonContent.Create(new { model, stream, messages = new[] { new { role = "user", content = "Hello bench" } } }),
        };
        var direct = new Uri(fake.BaseUrl + "/chat/completions");
        var viaHub = new Uri(hub, "/api/v1/chat/completions");

        // 1. Overhead under load: both streams in one window, 32 connections each.
        var together = await Load.RunTogetherAsync(http, warmup, options.Duration,
        [
            new LoadStream("direct to the fake OpenAI", options.Concurrency, _ => Chat(direct, ProviderKey, "gpt-4o")),
            new LoadStream("through the hub (gateway)", options.Concurrency, _ => Chat(viaHub, token, Model)),
        ]);
        Console.WriteLine($"  chat completions, {options.Concurrency} connections each, same window:");
        Report.Table(together, together[0]);
        var addedP50 = together[1].P50Ms - together[0].P50Ms;
        var addedP99 = together[1].P99Ms - together[0].P99Ms;
        // The same without queueing: one connection each, the hub's own cost per call.
        var single = await Load.RunTogetherAsync(http, warmup, options.Duration,
        [
            new LoadStream("direct, 1 connection", 1, _ => Chat(direct, ProviderKey, "gpt-4o")),
            new LoadStream("through the hub, 1 connection", 1, _ => Chat(viaHub, token, Model)),
        ]);
        Console.WriteLine("  one connection each, same window (no queueing):");
        Report.Table(single, single[0]);
        var unloadedP50 = single[1].P50Ms - single[0].P50Ms;
        var unloadedP99 = single[1].P99Ms - single[0].P99Ms;

        // 2. Streams: time to the first content chunk, through the hub and direct.
        var ttftDirect = await FirstTokenAsync(http, () => Chat(direct, ProviderKey, "gpt-4o", stream: true), 300);
        var ttftHub = await FirstTokenAsync(http, () => Chat(viaHub, token, Model, stream: true), 300);
        Console.WriteLine($"  streams, time to first token (300 each, 4 at a time): direct p50 {ttftDirect.P50:0.00} ms p99 {ttftDirect.P99:0.00} ms; " +
                          $"through the hub p50 {ttftHub.P50:0.00} ms p99 {ttftHub.P99:0.00} ms");
        var addedTtft = ttftHub.P50 - ttftDirect.P50;

        // The hub's CPU time per call (all its threads, user + system; 10 ms ticks over thousands of calls): what a call costs
        // the hub, far steadier than added latency on a machine whose cores other work competes for.
        var cpuChat = await CpuPerCallAsync(http, server, () => Chat(viaHub, token, Model), 3_000);
        var cpuStream = await CpuPerCallAsync(http, server, () => Chat(viaHub, token, Model, stream: true), 1_000);
        Console.WriteLine($"  hub CPU per call (4 at a time): chat completion {cpuChat:0.000} ms, stream of {fake.ReplyWords} words {cpuStream:0.000} ms");

        // 3. 1,000 concurrent streams, twice: the server's memory must come back to where it was, not grow.
        fake.ChunkDelay = TimeSpan.FromMilliseconds(50);
        fake.ReplyWords = 40;
        var (rssBefore, _) = server.Memory();
        var first = await ManyStreamsAsync(http, server, () => Chat(viaHub, token, Model, stream: true), 1_000);
        var second = await ManyStreamsAsync(http, server, () => Chat(viaHub, token, Model, stream: true), 1_000);
        fake.ChunkDelay = TimeSpan.Zero;
        fake.ReplyWords = 12;
        Console.WriteLine($"  1,000 concurrent streams (40 chunks, 50 ms apart): RSS {rssBefore:N0} MiB before; " +
                          $"round 1: {first.Completed} completed in {first.Seconds:0.0} s, peak {first.Peak:N0} MiB, after {first.After:N0} MiB; " +
                          $"round 2: {second.Completed} completed in {second.Seconds:0.0} s, peak {second.Peak:N0} MiB, after {second.After:N0} MiB " +
                          $"(≈ {(first.Peak - rssBefore) * 1024 / 1000:0} KiB per open stream)");

        // 4. Usage reports at 1,000,000 recorded calls.
        var seeded = await SeedUsageAsync(server, 1_000_000);
        var from = seeded.From.ToString("O");
        var to = seeded.To.ToString("O");
        var usageUrl = $"/api/models/{Model}/usage?granularity=day&by=user&from={Uri.EscapeDataString(from)}&to={Uri.EscapeDataString(to)}";
        var check = await server.Client.SendAsync(new HttpRequestMessage(HttpMethod.Get, usageUrl) { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", admin) } });
        var report = await check.Content.ReadFromJsonAsync<JsonElement>();
        Console.WriteLine($"  usage: {seeded.Calls:N0} calls recorded in {seeded.Seconds:0.0} s ({seeded.Calls / seeded.Seconds:N0} calls/s through the store); " +
                          $"{Model}: {report.GetProperty("totals").GetProperty("calls").GetInt64():N0} calls, {report.GetProperty("groups").GetArrayLength()} users, " +
                          $"p99 {report.GetProperty("totals").GetProperty("latencyMs").GetProperty("p99").GetDouble():0.#} ms");
        var usage = await Load.RunAsync("usage, day by user (30 days)", server.Client, 8, warmup, options.Duration, _ => new HttpRequestMessage(HttpMethod.Get, usageUrl)
        {
            Headers = { Authorization = new AuthenticationHeaderValue("Bearer", admin) },
        });
        var hourly = await Load.RunAsync("usage, hour by version (24 h)", server.Client, 8, warmup, options.Duration, _ =>
            new HttpRequestMessage(HttpMethod.Get, $"/api/models/{Model}/usage?granularity=hour&by=version&from={Uri.EscapeDataString(seeded.To.AddDays(-1).ToString("O"))}&to={Uri.EscapeDataString(to)}")
            {
                Headers = { Authorization = new AuthenticationHeaderValue("Bearer", admin) },
            });
        Report.Table([usage, hourly], usage);

        var ok = true;
        ok &= Report.Target("no gateway errors under load", together[1].Errors == 0 && single[1].Errors == 0, $"{together[1].Errors + single[1].Errors} errors");
        ok &= Report.Target($"added p50 < 1 ms ({options.Concurrency} connections, same window)", addedP50 < 1, $"{addedP50:0.00} ms (one connection: {unloadedP50:0.00} ms)");
        ok &= Report.Target($"added p99 < 5 ms ({options.Concurrency} connections, same window)", addedP99 < 5, $"{addedP99:0.00} ms (one connection: {unloadedP99:0.00} ms)");
        ok &= Report.Target("streaming: added time to first token < 2 ms (p50)", addedTtft < 2, $"{addedTtft:0.00} ms");
        ok &= Report.Target("1,000 concurrent streams all complete", first.Completed == 1_000 && second.Completed == 1_000, $"{first.Completed} and {second.Completed}");
        ok &= Report.Target("memory flat across rounds (round 2 peak ≤ round 1 peak + 10%)", second.Peak <= first.Peak * 1.10,
            $"{first.Peak:N0} → {second.Peak:N0} MiB");
        ok &= Report.Target("usage at 1,000,000 calls: day by user p99 < 100 ms", usage.P99Ms < 100 && usage.Errors == 0, $"{usage.P99Ms:0.0} ms");
        return ok;
    }

    private static async Task<string> SetUpAsync(HttpClient client, string admin, FakeOpenAI fake)
    {
        async Task<JsonElement> Send(HttpMethod method, string url, object body, string bearer)
        {
            var request = new HttpRequestMessage(method, url) { Content = JsonContent.Create(body) };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
            var response = await client.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{method} {url}: {(int)response.StatusCode} {text}");
            return JsonDocument.Parse(text).RootElement.Clone();
        }
        await Send(HttpMethod.Post, "/api/models", new { name = Model, type = "llm", source = "openai", visibility = "public" }, admin);
        await Send(HttpMethod.Put, $"/api/models/{Model}/provider", new { endpoint = fake.BaseUrl.ToString(), modelId = "gpt-4o", apiKey = ProviderKey, version = "v1" }, admin);
        var app = await CatalogBench.TokenAsync(client, "bench-app-owner", "user");
        var created = await Send(HttpMethod.Post, "/api/me/tokens", new { name = "bench app", scopes = new[] { "gateway" } }, app);
        return created.GetProperty("token").GetString()!;
    }

    private static async Task<(double P50, double P99)> FirstTokenAsync(HttpClient http, Func<HttpRequestMessage> request, int count)
    {
        var times = new List<double>();
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) < count)
            {
                var started = Stopwatch.GetTimestamp();
                using var response = await http.SendAsync(request(), HttpCompletionOption.ResponseHeadersRead);
                using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
                double? first = null;
                while (await reader.ReadLineAsync() is { } line)
                {
                    if (first is null && line.Contains("\"content\":\"", StringComparison.Ordinal) && !line.Contains("\"content\":\"\"", StringComparison.Ordinal))
                    {
                        first = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                    }
                }
                lock (times) times.Add(first ?? double.NaN);
            }
        }));
        var sorted = times.Where(t => !double.IsNaN(t)).Order().ToArray();
        return (sorted[sorted.Length / 2], sorted[Math.Min(sorted.Length - 1, (int)(sorted.Length * 0.99))]);
    }

    private static async Task<double> CpuPerCallAsync(HttpClient http, ServerProcess server, Func<HttpRequestMessage> request, int count)
    {
        async Task Calls(int n)
        {
            var next = -1;
            await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
            {
                while (Interlocked.Increment(ref next) < n)
                {
                    using var response = await http.SendAsync(request(), HttpCompletionOption.ResponseHeadersRead);
                    await response.Content.CopyToAsync(Stream.Null);
                    response.EnsureSuccessStatusCode();
                }
            }));
        }
        // Warm first (the JIT's later tiers compile this path's methods now, not while counting), then count.
        await Calls(count / 2);
        var before = server.CpuTime();
        await Calls(count);
        return (server.CpuTime() - before).TotalMilliseconds / count;
    }

    private static async Task<(int Completed, double Seconds, double Peak, double After)> ManyStreamsAsync(HttpClient http, ServerProcess server,
        Func<HttpRequestMessage> request, int count)
    {
        server.ResetPeakMemory();
        var clock = Stopwatch.StartNew();
        var completed = 0;
        await Task.WhenAll(Enumerable.Range(0, count).Select(async _ =>
        {
            try
            {
                using var response = await http.SendAsync(request(), HttpCompletionOption.ResponseHeadersRead);
                var text = await response.Content.ReadAsStringAsync();
                if (text.Contains("data: [DONE]", StringComparison.Ordinal)) Interlocked.Increment(ref completed);
            }
            catch (HttpRequestException)
            {
            }
        }));
        var seconds = clock.Elapsed.TotalSeconds;
        var (_, peak) = server.Memory();
        await Task.Delay(TimeSpan.FromSeconds(2));
        var (after, _) = server.Memory();
        return (completed, seconds, peak, after);
    }

    /// <summary>
    /// A million calls over 30 days (five models, 40 users, two versions, 3% failures), recorded through
    /// the usage store into the running server's database, batch by batch as the recorder writes them.
    /// </summary>
    private static Task<(long Calls, double Seconds, DateTimeOffset From, DateTimeOffset To)> SeedUsageAsync(ServerProcess server, int count) =>
        SeedUsageAsync(server, count, 30, [Model, "bench-claude", "bench-embed", "bench-qwen", "bench-llama"]);

    /// <summary><paramref name="count"/> calls over the last <paramref name="days"/> days to <paramref name="models"/>, as above.</summary>
    internal static async Task<(long Calls, double Seconds, DateTimeOffset From, DateTimeOffset To)> SeedUsageAsync(ServerProcess server, int count, int days, string[] models)
    {
        var storage = new EmbeddedStorageOptions { DataDirectory = server.DataDirectory };
        typeof(EmbeddedStorageOptions).GetProperty("ResolvedDataDirectory", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!
            .SetValue(storage, server.DataDirectory);
        using var database = new SqliteDatabase(Options.Create(storage));
        var store = new SqliteUsageStore(database, Options.Create(new UsageOptions { CallRetention = TimeSpan.FromDays(3650) }), TimeProvider.System);
        var to = new DateTimeOffset(DateTimeOffset.UtcNow.UtcDateTime.Date, TimeSpan.Zero).AddDays(1);
        var from = to.AddDays(-days);
        var random = new Random(15);
        var clock = Stopwatch.StartNew();
        const int batch = 20_000;
        // Calls arrive in time order, as the recorder writes them: a batch covers a stretch of time.
        var step = (to - from).TotalSeconds / count;
        for (var done = 0; done < count; done += batch)
        {
            var calls = new List<UsageRecord>(batch);
            for (var i = 0; i < batch && done + i < count; i++)
            {
                var failed = random.Next(100) < 3;
                calls.Add(new UsageRecord
                {
                    Id = Guid.CreateVersion7().ToString("N"),
                    At = from.AddSeconds((done + i + random.NextDouble()) * step),
                    Model = models[random.Next(models.Length)],
                    Version = random.Next(4) == 0 ? "v2" : "v1",
                    User = "user-" + random.Next(40).ToString("D2"),
                    TokenId = "pat_bench",
                    Operation = UsageOperation.Chat,
                    ErrorClass = failed ? UsageErrorClass.RateLimited : null,
                    LatencyMs = Math.Round(20 + random.NextDouble() * random.NextDouble() * 3_000, 3),
                    TokensIn = random.Next(10, 500),
                    TokensOut = failed ? 0 : random.Next(10, 800),
                });
            }
            await store.RecordAsync(calls, UsageRecorder.Rollups(calls), CancellationToken.None);
        }
        return (count, clock.Elapsed.TotalSeconds, from, to);
    }
}
