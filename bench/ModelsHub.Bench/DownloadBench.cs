using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace ModelsHub.Bench;

/// <summary>
/// Xinference's "update models" for llm (the largest list, ~1.4 MB): full responses and 304s
/// beside /api/health in the same run.
/// </summary>
public static class DownloadBench
{
    public static async Task<bool> RunAsync(string serverDll, BenchOptions options)
    {
        Console.WriteLine("== download: GET /api/models/download?model_type=llm beside /api/health (embedded profile)");
        await using var server = await ServerProcess.StartAsync(serverDll, new Dictionary<string, string>());
        var admin = await CatalogBench.TokenAsync(server.Client, "bench-admin", "admin");
        var fixtures = Path.Combine(BenchOptions.RepositoryRoot(), "..", "shared", "fixtures", "xinference");
        var files = new JsonObject();
        foreach (var type in new[] { "llm", "embedding", "rerank", "image", "audio", "video" })
        {
            files[type] = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(fixtures, type + ".json")));
        }
        var import = new HttpRequestMessage(HttpMethod.Post, "/api/admin/upstream-import") { Content = JsonContent.Create(files) };
        import.Headers.Authorization = new AuthenticationHeaderValue("Bearer", admin);
        (await server.Client.SendAsync(import)).EnsureSuccessStatusCode();

        const string url = "/api/models/download?model_type=llm";
        var first = await server.Client.GetAsync(url);
        first.EnsureSuccessStatusCode();
        var etag = first.Headers.ETag!;
        var size = (await first.Content.ReadAsByteArrayAsync()).Length;
        Console.WriteLine($"  llm list: {size / 1024.0 / 1024.0:0.00} MB, ETag {etag.Tag}");

        var warmup = TimeSpan.FromSeconds(1);
        var health = await Load.RunAsync("GET /api/health", server.Client, options.Concurrency, warmup, options.Duration, _ => new HttpRequestMessage(HttpMethod.Get, "/api/health"));
        var notModified = await Load.RunAsync("download llm, If-None-Match (304)", server.Client, options.Concurrency, warmup, options.Duration, _ =>
        {
            var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.IfNoneMatch.Add(etag);
            return request;
        }, r => r.StatusCode == System.Net.HttpStatusCode.NotModified);
        var full = await Load.RunAsync("download llm, full (identity)", server.Client, options.Concurrency, warmup, options.Duration,
            _ => new HttpRequestMessage(HttpMethod.Get, url));
        var gzip = await Load.RunAsync("download llm, full (gzip)", server.Client, options.Concurrency, warmup, options.Duration, _ =>
        {
            var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("gzip"));
            return request;
        });
        var results = new List<LoadResult> { health, notModified, full, gzip };
        Report.Table(results, health);
        Console.WriteLine($"  full responses: identity {full.MegabytesPerSecond:N0} MB/s, gzip {gzip.MegabytesPerSecond:N0} MB/s on the wire " +
                          $"({gzip.RequestsPerSecond * size / 1024 / 1024:N0} MB/s of list delivered)");
        var ok = true;
        ok &= Report.Target("304s ≥ 0.8 × health", notModified.RequestsPerSecond >= 0.8 * health.RequestsPerSecond, $"{notModified.RequestsPerSecond / health.RequestsPerSecond:0.00}");
        ok &= Report.Target("full responses bound by bytes (≥ 200 MB/s on loopback)", full.MegabytesPerSecond >= 200, $"{full.MegabytesPerSecond:N0} MB/s");
        ok &= Report.Target("no errors", results.All(r => r.Errors == 0), $"{results.Sum(r => r.Errors)}");
        return ok;
    }
}
