using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelsHub.Testing;

namespace ModelsHub.Bench;

/// <summary>
/// The review → pull request workflow: 1,000 pending registrations approved at 32 connections,
/// each becoming a pull request on the fake GitHub (through Octokit, over loopback HTTP). Prints
/// completed workflows per second and the p50/p99 from approval to pull request opened.
/// </summary>
public static class WorkflowBench
{
    public const int Approvals = 1_000;

    public static async Task<bool> RunAsync(string serverDll, BenchOptions options)
    {
        Console.WriteLine($"== workflow: {Approvals:N0} approvals → pull requests on the fake GitHub (embedded profile, in-process dispatcher)");
        await using var github = await FakeGitHub.StartAsync();
        github.AddToken("ghp_benchdefault0000", "modelshub-bot");
        await using var server = await ServerProcess.StartAsync(serverDll, new Dictionary<string, string>
        {
            ["GitHub__ApiUrl"] = github.ApiUrl.ToString(),
            ["GitHub__DefaultToken"] = "ghp_benchdefault0000",
            ["Hub__PublicBaseUrl"] = "https://hub.example.test",
        });
        var reviewer = Authorized(server, await CatalogBench.TokenAsync(server.Client, "bench-reviewer", "reviewer"));
        var submitter = Authorized(server, await CatalogBench.TokenAsync(server.Client, "bench-submitter", "user"));
        var template = JsonNode.Parse(UpstreamFixtures.Read("video")[0].GetRawText())!.AsObject();

        var ids = new string[Approvals];
        var submitClock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, Approvals), new ParallelOptions { MaxDegreeOfParallelism = options.Concurrency }, async (i, ct) =>
        {
            var name = $"bench-video-{i:D4}";
            var entry = (JsonObject)template.DeepClone();
            entry["model_name"] = name;
            var body = new JsonObject { ["name"] = name, ["type"] = "video", ["visibility"] = "public", ["spec"] = entry };
            using var response = await submitter.PostAsJsonAsync("/api/models", body, ct);
            if (response.StatusCode != HttpStatusCode.Accepted) throw new InvalidOperationException($"submission {i}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
            ids[i] = (await response.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("id").GetString()!;
        });
        Console.WriteLine($"  {Approvals:N0} submissions pending after {submitClock.Elapsed.TotalSeconds:0.0} s");

        var approvedAt = new DateTimeOffset[Approvals];
        var workflowIds = new string[Approvals];
        var errors = 0;
        var start = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, Approvals), new ParallelOptions { MaxDegreeOfParallelism = options.Concurrency }, async (i, ct) =>
        {
            approvedAt[i] = DateTimeOffset.UtcNow;
            using var response = await reviewer.PostAsJsonAsync($"/api/reviews/{ids[i]}/decision", new { decision = "approve" }, ct);
            if (!response.IsSuccessStatusCode)
            {
                Interlocked.Increment(ref errors);
                return;
            }
            workflowIds[i] = (await response.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("workflowId").GetString()!;
        });
        var approveSeconds = clock.Elapsed.TotalSeconds;

        var deadline = DateTime.UtcNow.AddMinutes(10);
        while (github.CountPullRequests() < Approvals - errors && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }
        var lastOpened = clock.Elapsed;

        // Every workflow's own completion time (its last write), read once they are all done.
        var completedAt = new List<DateTimeOffset>();
        var failed = 0;
        foreach (var id in workflowIds.Where(w => w is not null))
        {
            while (true)
            {
                var workflow = await reviewer.GetFromJsonAsync<JsonElement>($"/api/workflows/{id}");
                var status = workflow.GetProperty("status").GetString();
                if (status == "completed") { completedAt.Add(workflow.GetProperty("updatedAt").GetDateTimeOffset()); break; }
                if (status == "failed" || DateTime.UtcNow > deadline) { failed++; break; }
                await Task.Delay(20);
            }
        }

        var pulls = github.PullRequests();
        var latencies = pulls
            .Select(p => (p, i: int.Parse(p.HeadBranch[^4..], System.Globalization.CultureInfo.InvariantCulture)))
            .Select(x => (x.p.CreatedAt - approvedAt[x.i]).TotalMilliseconds)
            .Order().ToArray();
        double Percentile(double q) => latencies.Length == 0 ? double.NaN : latencies[Math.Min(latencies.Length - 1, (int)(q * latencies.Length))];
        var span = (completedAt.Count == 0 ? TimeSpan.Zero : completedAt.Max() - start).TotalSeconds;
        var perSecond = completedAt.Count / Math.Max(span, 0.001);
        var distinct = pulls.Select(p => p.HeadBranch).Distinct().Count();
        var (rss, peak) = server.Memory();

        Console.WriteLine($"  approvals sent in {approveSeconds:0.0} s ({Approvals / approveSeconds:N0}/s); last pull request opened after {lastOpened.TotalSeconds:0.0} s");
        Console.WriteLine($"  completed workflows: {completedAt.Count:N0} in {span:0.0} s = {perSecond:N1} workflows/s ({failed} failed, {errors} approval errors)");
        Console.WriteLine($"  approval → pull request opened: p50 {Percentile(0.50):N0} ms, p99 {Percentile(0.99):N0} ms, max {Percentile(1):N0} ms");
        Console.WriteLine($"  pull requests: {pulls.Count:N0} ({distinct:N0} distinct branches); fake GitHub served {github.RequestCount:N0} requests");
        Console.WriteLine($"  server resident memory after the run: {rss:0} MiB (peak {peak:0} MiB)");
        var ok = true;
        ok &= Report.Target("every approval became one pull request", pulls.Count == Approvals && distinct == Approvals, $"{pulls.Count} / {distinct} distinct");
        ok &= Report.Target("no failed workflow or approval", failed == 0 && errors == 0, $"{failed} failed, {errors} errors");
        return ok;
    }

    private static HttpClient Authorized(ServerProcess server, string token)
    {
        var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256 }) { BaseAddress = server.Client.BaseAddress, Timeout = TimeSpan.FromMinutes(5) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }
}
