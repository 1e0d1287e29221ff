using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

using ModelsHub.Testing;

namespace ModelsHub.Bench;

/// <summary>
/// The foundation's workload: 10,000 models, then list, search and get at 32 connections
/// beside /api/health in the same run; start-up time and resident memory.
/// </summary>
public static class CatalogBench
{
    private static readonly string[] Types = ["llm", "embedding", "rerank", "image", "audio", "video", "multimodal", "custom"];
    private static readonly string[] Words =
    [
        "qwen", "llama", "mistral", "bert", "whisper", "stable", "diffusion", "coder", "chat", "vision", "medical", "legal",
        "finance", "chinese", "english", "small", "large", "instruct", "base", "turbo", "rerank", "embed", "speech", "video",
    ];

    public static async Task<bool> RunAsync(string serverDll, BenchOptions options)
    {
        var azure = options.Profile == "azure";
        Console.WriteLine(azure
            ? "== catalog: list / search / get beside /api/health (Azure profile against the emulators: Cosmos DB stand-in + Azurite)"
            : $"== catalog: list / search / get beside /api/health (embedded profile, read cache {(options.NoCache ? "off" : "on")})");
        await using var emulators = azure ? await LocalEmulators.StartAsync() : null;
        if (emulators is not null)
        {
            Console.WriteLine($"  emulators installed and started in {emulators.StartupTime.TotalMilliseconds:0} ms (Cosmos stand-in :{emulators.CosmosPort}, Azurite :{emulators.BlobPort}/:{emulators.QueuePort})");
        }
        await using var server = await ServerProcess.StartAsync(serverDll, emulators is null
            ? new Dictionary<string, string> { ["Storage__Embedded__ReadCache"] = options.NoCache ? "false" : "true" }
            : AzureSettings(emulators));
        Console.WriteLine($"  start-up to first 200 from /api/health: {server.StartupTime.TotalMilliseconds:0} ms");
        var startupOk = server.StartupTime < TimeSpan.FromSeconds(1);

        var admin = await TokenAsync(server.Client, "bench-admin", "admin");
        var names = await SeedAsync(server.Client, admin, options.Models, options.Concurrency);
        var visible = names.Where(n => n.Visible).Select(n => n.Name).ToArray();

        var anonymous = server.Client;
        var random = new ThreadLocal<Random>(() => new Random(Environment.CurrentManagedThreadId));
        HttpRequestMessage Get(string url) => new(HttpMethod.Get, url);
        var warmup = TimeSpan.FromSeconds(1);

        var health = new LoadStream("GET /api/health", options.Concurrency, _ => Get("/api/health"));
        var list = new LoadStream("GET /api/models (list)", options.Concurrency, i =>
        {
            var r = random.Value!;
            return (i % 3) switch
            {
                0 => Get("/api/models?pageSize=20"),
                1 => Get($"/api/models?pageSize=20&type={Types[r.Next(Types.Length)]}"),
                _ => Get("/api/models?pageSize=20&sort=updated&order=desc"),
            };
        });
        var search = new LoadStream("GET /api/models?q= (search)", options.Concurrency, _ =>
        {
            var r = random.Value!;
            var q = r.Next(4) == 0 ? $"{Words[r.Next(Words.Length)]}+{Words[r.Next(Words.Length)]}" : Words[r.Next(Words.Length)];
            return Get($"/api/models?q={q}&pageSize=20");
        });
        var get = new LoadStream("GET /api/models/{name}", options.Concurrency, _ => Get("/api/models/" + visible[random.Value!.Next(visible.Length)]));
        LoadStream[] streams = [health, list, search, get];

        // Each endpoint alone at every connection (the ratios the targets judge), then all four at once, each on
        // a quarter of the connections: how each endpoint's latency holds up beside the others. In the shared run
        // every stream waits for the same two cores, so its request rates come out nearly equal by construction
        // and their ratios are not a measure of cost.
        var alone = new List<LoadResult>();
        foreach (var stream in streams)
        {
            alone.Add(await Load.RunAsync(stream.Name, anonymous, stream.Connections, warmup, options.Duration, stream.Next));
        }
        var share = Math.Max(1, options.Concurrency / streams.Length);
        var results = await Load.RunTogetherAsync(anonymous, warmup, options.Duration, streams.Select(s => s with { Connections = share }).ToArray());

        var (rss, peak) = server.Memory();
        Console.WriteLine($"  each endpoint alone, {options.Concurrency} connections:");
        Report.Table(alone, alone[0]);
        Console.WriteLine($"  all four at once, {share} connections each ({share * streams.Length} in all; latency beside the others, rates shared):");
        Report.Table(results, results[0]);
        Console.WriteLine($"  server resident memory after the run: {rss:0} MiB (peak {peak:0} MiB)");
        if (emulators is not null)
        {
            await ReportCosmosRequestsAsync(emulators, anonymous, visible);
            // The stand-in is one single-threaded Node.js process evaluating every query over every
            // document: its throughput says nothing about Cosmos DB's, so only correctness is a target here.
            Console.WriteLine("  throughput against the stand-in is shown, not judged: it is no model of Cosmos DB's latency or scale.");
            return Report.Target("no errors", alone.Concat(results).All(r => r.Errors == 0), $"{alone.Concat(results).Sum(r => r.Errors)}");
        }
        var ok = true;
        ok &= Report.Target("list ≥ 0.5 × health", alone[1].RequestsPerSecond >= 0.5 * alone[0].RequestsPerSecond, $"{alone[1].RequestsPerSecond / alone[0].RequestsPerSecond:0.00}");
        ok &= Report.Target("get ≥ 0.5 × health", alone[3].RequestsPerSecond >= 0.5 * alone[0].RequestsPerSecond, $"{alone[3].RequestsPerSecond / alone[0].RequestsPerSecond:0.00}");
        ok &= Report.Target("search p99 < 50 ms (alone, and beside the others)", Math.Max(alone[2].P99Ms, results[2].P99Ms) < 50, $"{alone[2].P99Ms:0.0} ms / {results[2].P99Ms:0.0} ms");
        ok &= Report.Target("start-up < 1 s", startupOk, $"{server.StartupTime.TotalMilliseconds:0} ms");
        ok &= Report.Target("no errors", alone.Concat(results).All(r => r.Errors == 0), $"{alone.Concat(results).Sum(r => r.Errors)}");
        return ok;
    }

    /// <summary>The hub on the Azure profile against the emulators, configured by settings alone, as in production (but with the emulators' connection strings).</summary>
    private static Dictionary<string, string> AzureSettings(LocalEmulators emulators) => new()
    {
        ["Storage__Profile"] = "Azure",
        ["Storage__Azure__CreateIfMissing"] = "true",
        ["Storage__Azure__Cosmos__ConnectionString"] = emulators.CosmosConnectionString,
        ["Storage__Azure__Cosmos__DatabaseName"] = "bench",
        ["Storage__Azure__Blobs__ConnectionString"] = emulators.StorageConnectionString,
        ["Storage__Azure__Queues__ConnectionString"] = emulators.StorageConnectionString,
        // The seeded public models start pull-request workflows against a GitHub the bench does not
        // run; processing them in the background would mix their Cosmos requests into the counts.
        ["Triggers__InProcess"] = "false",
    };

    /// <summary>Cosmos requests per API call, counted in the stand-in's request log over sequential calls (nothing else runs meanwhile).</summary>
    private static async Task ReportCosmosRequestsAsync(LocalEmulators emulators, HttpClient client, string[] visible)
    {
        const int Calls = 20;
        var firstPage = await client.GetFromJsonAsync<JsonElement>("/api/models?pageSize=20");
        var token = Uri.EscapeDataString(firstPage.GetProperty("continuationToken").GetString()!);
        var calls = new (string Name, Func<int, string> Url)[]
        {
            ("GET /api/models/{name}", i => "/api/models/" + visible[i * 7919 % visible.Length]),
            ("GET /api/models (list)", i => (i % 3) switch
            {
                0 => "/api/models?pageSize=20",
                1 => $"/api/models?pageSize=20&type={Types[i % Types.Length]}",
                _ => "/api/models?pageSize=20&sort=updated&order=desc",
            }),
            ("GET /api/models (next page)", _ => "/api/models?pageSize=20&continuationToken=" + token),
            ("GET /api/models?q= (search)", i => $"/api/models?q={Words[i % Words.Length]}&pageSize=20"),
            ("GET /api/models/stats", _ => "/api/models/stats"),
        };
        Console.WriteLine($"  Cosmos requests per API call (stand-in request log, {Calls} sequential calls each):");
        Console.WriteLine($"  {"endpoint",-28} {"total",6} {"point reads",12} {"query pages",12} {"query plans",12} {"other",6}");
        foreach (var (name, url) in calls)
        {
            var counted = await emulators.CountCosmosRequestsAsync(async () =>
            {
                for (var i = 0; i < Calls; i++)
                {
                    using var response = await client.GetAsync(url(i));
                    response.EnsureSuccessStatusCode();
                }
            });
            double Per(int n) => (double)n / Calls;
            Console.WriteLine($"  {name,-28} {Per(counted.Total),6:0.##} {Per(counted.PointReads),12:0.##} {Per(counted.QueryPages),12:0.##} {Per(counted.QueryPlans),12:0.##} {Per(counted.Other + counted.Writes),6:0.##}");
        }
        Console.WriteLine("  (a query plan is the gateway telling the SDK how to run a cross-partition query: no RU charge, one round trip; the SDK asks for it on Linux)");
    }

    public static async Task<string> TokenAsync(HttpClient client, string user, params string[] roles)
    {
        var response = await client.PostAsJsonAsync("/api/dev/token", new { user, roles });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString()!;
    }

    /// <summary>The catalog workload's models (a mix of types, tiers and visibility), for other scenarios.</summary>
    public static Task SeedModelsAsync(HttpClient client, string token, int count, int concurrency) => SeedAsync(client, token, count, concurrency);

    private static async Task<List<(string Name, bool Visible)>> SeedAsync(HttpClient client, string token, int count, int concurrency)
    {
        var clock = Stopwatch.StartNew();
        var created = new List<(string, bool)>[concurrency];
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async w =>
        {
            var mine = created[w] = [];
            var random = new Random(w);
            for (var i = w; i < count; i += concurrency)
            {
                var type = Types[i % Types.Length];
                var (visibility, tier) = (i % 20) switch { 0 or 1 => ("private", "standard"), 2 => ("public", "advanced"), _ => ("public", "standard") };
                var name = $"{Words[random.Next(Words.Length)]}-{Words[random.Next(Words.Length)]}-{i:D5}";
                var body = new Dictionary<string, object?>
                {
                    ["name"] = name,
                    ["type"] = type,
                    ["description"] = $"A {Words[random.Next(Words.Length)]} {Words[random.Next(Words.Length)]} model for {Words[random.Next(Words.Length)]} work, number {i}.",
                    ["tags"] = new[] { Words[random.Next(Words.Length)], Words[random.Next(Words.Length)] },
                    ["framework"] = "pytorch",
                    ["visibility"] = visibility,
                    ["tier"] = tier,
                    ["readme"] = "# " + name,
                    ["spec"] = type == "llm" ? LlmEntry(name) : null,
                };
                if (type is "embedding" or "rerank" or "image" or "audio" or "video")
                {
                    body["visibility"] = "private";
                    visibility = "private";
                }
                var request = new HttpRequestMessage(HttpMethod.Post, "/api/models") { Content = JsonContent.Create(body) };
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                using var response = await client.SendAsync(request);
                if (!response.IsSuccessStatusCode)
                {
                    throw new InvalidOperationException($"Seeding {name} failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                }
                mine.Add((name, visibility == "public" && tier == "standard"));
            }
        }));
        Console.WriteLine($"  seeded {count:N0} models through the API in {clock.Elapsed.TotalSeconds:0.0} s ({count / clock.Elapsed.TotalSeconds:N0}/s)");
        return created.SelectMany(c => c).ToList();
    }

    private static object LlmEntry(string name) => new Dictionary<string, object>
    {
        ["version"] = 2,
        ["context_length"] = 32768,
        ["model_name"] = name,
        ["model_lang"] = new[] { "en", "zh" },
        ["model_ability"] = new[] { "chat", "tools" },
        ["model_description"] = "Benchmark model " + name,
        ["model_specs"] = new object[]
        {
            new Dictionary<string, object>
            {
                ["model_format"] = "pytorch",
                ["model_size_in_billions"] = 7,
                ["model_src"] = new Dictionary<string, object>
                {
                    ["huggingface"] = new Dictionary<string, object> { ["quantizations"] = new[] { "none" }, ["model_id"] = "bench/" + name },
                },
            },
        },
    };
}
