using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using ModelsHub.Testing;

namespace ModelsHub.Bench;

/// <summary>
/// Xinference's "update models" for llm (the largest list, ~1.4 MB): full responses and 304s
/// beside /api/health in the same run, after the upstream sync loaded the lists (and a second sync
/// proved it writes nothing when the repository did not change).
/// </summary>
public static class DownloadBench
{
    public static async Task<bool> RunAsync(string serverDll, BenchOptions options)
    {
        Console.WriteLine("== download: GET /api/models/download?model_type=llm beside /api/health (embedded profile, loaded by the upstream sync)");
        // The lists are loaded the way production loads them: the upstream sync reads the six files
        // from the model repository (here the fake GitHub holding the fixtures, read anonymously).
        await using var github = await FakeGitHub.StartAsync();
        await using var server = await ServerProcess.StartAsync(serverDll, new Dictionary<string, string>
        {
            ["GitHub__ApiUrl"] = github.ApiUrl.ToString(),
        });
        var admin = await CatalogBench.TokenAsync(server.Client, "bench-admin", "admin");
        var initial = await SyncAsync(server.Client, admin);
        Console.WriteLine($"  sync 1: {Counts(initial)} from {initial.GetProperty("entries").GetInt32()} entries in {initial.GetProperty("durationMs").GetInt64():N0} ms");
        var second = await SyncAsync(server.Client, admin);
        Console.WriteLine($"  sync 2 (no upstream change): {Counts(second)} in {second.GetProperty("durationMs").GetInt64():N0} ms");

        const string url = "/api/models/download?model_type=llm";
        var first = await server.Client.GetAsync(url);
        first.EnsureSuccessStatusCode();
        var etag = first.Headers.ETag!;
        var size = (await first.Content.ReadAsByteArrayAsync()).Length;
        Console.WriteLine($"  llm list: {size / 1024.0 / 1024.0:0.00} MB, ETag {etag.Tag}");

        var warmup = TimeSpan.FromSeconds(1);
        HttpRequestMessage Conditional(int _)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.IfNoneMatch.Add(etag);
            return request;
        }
        HttpRequestMessage Encoded(string encoding)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue(encoding));
            return request;
        }
        static bool IsNotModified(HttpResponseMessage r) => r.StatusCode == System.Net.HttpStatusCode.NotModified;

        var health = await Load.RunAsync("GET /api/health", server.Client, options.Concurrency, warmup, options.Duration, _ => new HttpRequestMessage(HttpMethod.Get, "/api/health"));
        var notModified = await Load.RunAsync("download llm, If-None-Match (304)", server.Client, options.Concurrency, warmup, options.Duration, Conditional, IsNotModified);
        var full = await Load.RunAsync("download llm, full (identity)", server.Client, options.Concurrency, warmup, options.Duration,
            _ => new HttpRequestMessage(HttpMethod.Get, url));
        var gzip = await Load.RunAsync("download llm, full (gzip)", server.Client, options.Concurrency, warmup, options.Duration, _ => Encoded("gzip"));
        var brotli = await Load.RunAsync("download llm, full (br)", server.Client, options.Concurrency, warmup, options.Duration, _ => Encoded("br"));
        var results = new List<LoadResult> { health, notModified, full, gzip, brotli };
        Console.WriteLine($"  each alone, {options.Concurrency} connections:");
        Report.Table(results, health);

        // 304s and health at the same moment, half the connections each: the ratio the target judges.
        var half = Math.Max(1, options.Concurrency / 2);
        var together = await Load.RunTogetherAsync(server.Client, warmup, options.Duration,
        [
            new LoadStream("GET /api/health", half, _ => new HttpRequestMessage(HttpMethod.Get, "/api/health")),
            new LoadStream("download llm, If-None-Match (304)", half, Conditional, IsNotModified),
        ]);
        Console.WriteLine($"  304s beside health, {half} connections each:");
        Report.Table(together, together[0]);
        results.AddRange(together);
        Console.WriteLine($"  full responses: identity {full.MegabytesPerSecond:N0} MB/s, gzip {gzip.MegabytesPerSecond:N0} MB/s, br {brotli.MegabytesPerSecond:N0} MB/s on the wire " +
                          $"(gzip {gzip.RequestsPerSecond * size / 1024 / 1024:N0}, br {brotli.RequestsPerSecond * size / 1024 / 1024:N0} MB/s of list delivered)");
        var ok = true;
        var written = new[] { "added", "updated", "removed" }.Sum(c => second.GetProperty("counts").GetProperty(c).GetInt32());
        ok &= Report.Target("a sync without an upstream change writes nothing", written == 0 && second.GetProperty("status").GetString() == "succeeded", $"{written} writes");
        ok &= Report.Target("304s ≥ 0.8 × health (same window)", together[1].RequestsPerSecond >= 0.8 * together[0].RequestsPerSecond,
            $"{together[1].RequestsPerSecond / together[0].RequestsPerSecond:0.00} (alone: {notModified.RequestsPerSecond / health.RequestsPerSecond:0.00})");
        ok &= Report.Target("full responses bound by bytes (≥ 200 MB/s on loopback)", full.MegabytesPerSecond >= 200, $"{full.MegabytesPerSecond:N0} MB/s");
        ok &= Report.Target("no errors", results.All(r => r.Errors == 0), $"{results.Sum(r => r.Errors)}");
        return ok;
    }

    /// <summary>POST /api/sync, then the run once it ended.</summary>
    private static async Task<JsonElement> SyncAsync(HttpClient client, string adminToken)
    {
        var start = new HttpRequestMessage(HttpMethod.Post, "/api/sync");
        start.Headers.Authorization = new AuthenticationHeaderValue("Bearer", adminToken);
        using var started = await client.SendAsync(start);
        started.EnsureSuccessStatusCode();
        var runId = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("runId").GetString()!;
        var deadline = DateTime.UtcNow.AddMinutes(5);
        while (true)
        {
            var get = new HttpRequestMessage(HttpMethod.Get, $"/api/sync/{runId}");
            get.Headers.Authorization = new AuthenticationHeaderValue("Bearer", adminToken);
            using var response = await client.SendAsync(get);
            response.EnsureSuccessStatusCode();
            var run = await response.Content.ReadFromJsonAsync<JsonElement>();
            if (run.GetProperty("status").GetString() != "running")
            {
                return run.GetProperty("status").GetString() == "succeeded"
                    ? run
                    : throw new InvalidOperationException($"sync {runId} failed: {run.GetProperty("lastError")}");
            }
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"sync {runId} is still running");
            await Task.Delay(50);
        }
    }

    private static string Counts(JsonElement run)
    {
        var c = run.GetProperty("counts");
        return $"{c.GetProperty("added").GetInt32()} added, {c.GetProperty("updated").GetInt32()} updated, {c.GetProperty("unchanged").GetInt32()} unchanged, " +
               $"{c.GetProperty("removed").GetInt32()} removed, {c.GetProperty("errors").GetInt32()} errors";
    }
}
