using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using ModelsHub.EndToEndTests.Infrastructure;

namespace ModelsHub.Bench;

/// <summary>
/// The web app as a newcomer's browser gets it from the published hub (trimmed, Brotli), in headless Chromium on
/// loopback, with 10,000 models in the catalog: bytes over the wire for a first and a repeat visit, time from
/// navigation start to the Models list on screen (cold: empty cache; warm: the same browser again), and the time
/// from a keystroke in the search box to the list answering the new text.
/// </summary>
public static class WebBench
{
    private const int Visits = 5;

    public static async Task<bool> RunAsync(string publishedHub, BenchOptions options)
    {
        Console.WriteLine($"== web: the published hub serving the web app; {options.Models:N0} models; headless Chromium, {Visits} cold and {Visits} warm visits; a training job's page at {JobEventsPerSecond} events/s");
        var marks = Directory.CreateTempSubdirectory("modelshub-bench-web-").FullName;
        await using var server = await ServerProcess.StartExecutableAsync(publishedHub, TrainingBench.MarkerTrainer(marks));
        var admin = await CatalogBench.TokenAsync(server.Client, "bench-admin", "admin");
        await CatalogBench.SeedModelsAsync(server.Client, admin, options.Models, options.Concurrency);
        var (playwright, browser) = await Chromium.LaunchAsync();
        try
        {
            var url = $"http://127.0.0.1:{server.Port}/";
            var cold = new List<(double Ms, long Bytes, int Requests)>();
            var warm = new List<(double Ms, long Bytes, int Requests)>();
            for (var i = 0; i < Visits; i++)
            {
                var context = await browser.NewContextAsync();
                cold.Add(await VisitAsync(context, url));
                warm.Add(await VisitAsync(context, url));
                await context.CloseAsync();
            }
            var keystrokes = await KeystrokesAsync(browser, url, server.Client);
            var charts = await UsageChartAsync(browser, server, url, admin);
            var job = await JobPageAsync(browser, url, server, marks);

            Console.WriteLine($"  first visit:  {Kb(cold.Median(v => v.Bytes))} over the wire ({cold[0].Requests} requests, compressed)");
            Console.WriteLine($"  repeat visit: {Kb(warm.Median(v => v.Bytes))} over the wire ({warm[0].Requests} requests)");
            Console.WriteLine($"  navigation start → Models list visible: cold median {cold.Median(v => v.Ms):0} ms (max {cold.Max(v => v.Ms):0}), warm median {warm.Median(v => v.Ms):0} ms (max {warm.Max(v => v.Ms):0})");
            Console.WriteLine($"  keystroke → list updated: p50 {Percentile(keystrokes, 50):0} ms, p95 {Percentile(keystrokes, 95):0} ms over {keystrokes.Count} keystrokes");
            Console.WriteLine($"  AI model usage, 'Last 90 days' chosen → 90 daily bars drawn: first {charts[0]:0} ms, median {charts.Median(c => c):0} ms, max {charts.Max():0} ms over {charts.Count} renders");
            Console.WriteLine($"  training job page, {job.Posted:N0} events posted at {JobEventsPerSecond}/s over {JobSeconds} s: frame time p50 {Percentile(job.Frames, 50):0.0} ms, " +
                $"p95 {Percentile(job.Frames, 95):0.0} ms, max {job.Frames.Max():0} ms over {job.Frames.Count:N0} frames; loss curve {job.Shown:N0} of {job.Metrics:N0} points " +
                $"{job.CaughtUpMs:0} ms after the last post");
            var met = Report.Target("cold < 2.5 s", cold.Median(v => v.Ms) < 2500, $"{cold.Median(v => v.Ms):0} ms");
            met &= Report.Target("warm < 500 ms", warm.Median(v => v.Ms) < 500, $"{warm.Median(v => v.Ms):0} ms");
            met &= Report.Target("keystroke p95 < 150 ms", Percentile(keystrokes, 95) < 150, $"{Percentile(keystrokes, 95):0} ms");
            met &= Report.Target("a usage chart over 90 days renders < 500 ms", charts.Median(c => c) < 500, $"median {charts.Median(c => c):0} ms");
            met &= Report.Target($"job page at {JobEventsPerSecond} events/s: frame p95 < 50 ms", Percentile(job.Frames, 95) < 50 && job.Shown == job.Metrics,
                $"{Percentile(job.Frames, 95):0.0} ms, {job.Shown:N0}/{job.Metrics:N0} points shown");
            return met;
        }
        finally
        {
            await browser.CloseAsync();
            playwright.Dispose();
            try { Directory.Delete(marks, recursive: true); } catch (IOException) { }
        }
    }

    private const int JobEventsPerSecond = 100;
    private const int JobSeconds = 15;

    private sealed record JobPage(List<double> Frames, long Posted, long Metrics, long Shown, double CaughtUpMs);

    /// <summary>
    /// A training job's page while its trainer (the bench, through the contract's events URL) posts
    /// <see cref="JobEventsPerSecond"/> events a second in batches of ten (loss metrics, with progress and log lines
    /// among them): the time between animation frames the page paints meanwhile, and whether every loss point arrived.
    /// </summary>
    private static async Task<JobPage> JobPageAsync(IBrowser browser, string url, ServerProcess server, string marks)
    {
        var token = await CatalogBench.TokenAsync(server.Client, "bench-trainer", "trainer");
        await TrainingBench.SeedAsync(server, token);
        var id = (await TrainingBench.StartJobAsync(server, token, "wait")).GetProperty("id").GetString()!;
        var events = TrainingBench.PathOf((await TrainingBench.EnvironmentOfAsync(marks, id))["MODELSHUB_EVENTS_URL"]);
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        await context.AddInitScriptAsync($"localStorage.setItem('modelshub.devToken', {JsonSerializer.Serialize(token)});");
        var page = await context.NewPageAsync();
        await page.GotoAsync($"{url}training/{id}");
        await page.Locator("[data-testid=training-state]").WaitForAsync(new LocatorWaitForOptions { Timeout = 60_000 });
        await page.EvaluateAsync("""
            () => {
              window.__frames = [];
              let last = performance.now();
              const tick = now => { window.__frames.push(now - last); last = now; if (!window.__stop) requestAnimationFrame(tick); };
              requestAnimationFrame(tick);
            }
            """);
        long seq = 0, metrics = 0;
        var clock = Stopwatch.StartNew();
        var batches = JobEventsPerSecond / 10 * JobSeconds;
        for (var b = 0; b < batches; b++)
        {
            var body = new System.Text.StringBuilder();
            for (var i = 0; i < 10; i++)
            {
                seq++;
                var line = seq % 10 == 0 ? $$"""{"seq":{{seq}},"type":"progress","step":{{seq}},"totalSteps":{{batches * 10}}}"""
                    : seq % 25 == 3 ? $$"""{"seq":{{seq}},"type":"log","level":"info","message":"step {{seq}}: loss going down"}"""
                    : $$"""{"seq":{{seq}},"type":"metric","name":"loss","value":{{(2.0 / Math.Sqrt(seq)).ToString("R", System.Globalization.CultureInfo.InvariantCulture)}},"step":{{seq}}}""";
                metrics += line.Contains("\"metric\"", StringComparison.Ordinal) ? 1 : 0;
                body.Append(line).Append('\n');
            }
            using var response = await server.Client.PostAsync(events, new StringContent(body.ToString(), System.Text.Encoding.UTF8, "application/x-ndjson"));
            response.EnsureSuccessStatusCode();
            // Paced: batch b goes at b × 100 ms.
            var due = TimeSpan.FromMilliseconds((b + 1) * 100);
            if (due > clock.Elapsed)
            {
                await Task.Delay(due - clock.Elapsed);
            }
        }
        var posted = Stopwatch.StartNew();
        var loss = page.Locator("polyline[data-metric=loss]");
        long shown = 0;
        while (posted.Elapsed < TimeSpan.FromSeconds(20) && (shown = long.TryParse(await loss.GetAttributeAsync("data-count"), out var n) ? n : 0) < metrics)
        {
            await Task.Delay(20);
        }
        var caughtUp = posted.Elapsed.TotalMilliseconds;
        var frames = await page.EvaluateAsync<double[]>("() => { window.__stop = true; return window.__frames.slice(1); }");
        await BenchUploads.SendAsync(server.Client, token, HttpMethod.Post, $"/api/training-jobs/{id}/cancel", null);
        await context.CloseAsync();
        return new JobPage([.. frames], seq, metrics, shown, caughtUp);
    }

    /// <summary>One visit in <paramref name="context"/> (whose cache a first visit fills): ms from navigation start to 20 rows, and bytes received.</summary>
    private static async Task<(double Ms, long Bytes, int Requests)> VisitAsync(IBrowserContext context, string url)
    {
        var page = await context.NewPageAsync();
        var session = await context.NewCDPSessionAsync(page);
        long bytes = 0;
        var requests = 0;
        // Bytes as they arrive from the network (compressed, headers included); cache hits never appear here.
        session.Event("Network.loadingFinished").OnEvent += (_, e) =>
        {
            if (e is { } json && json.TryGetProperty("encodedDataLength", out var length))
            {
                Interlocked.Add(ref bytes, (long)length.GetDouble());
                Interlocked.Increment(ref requests);
            }
        };
        await session.SendAsync("Network.enable");
        await page.GotoAsync(url, new PageGotoOptions { WaitUntil = WaitUntilState.Commit });
        var shown = await page.WaitForFunctionAsync("() => document.querySelectorAll('a.model-link').length >= 20 && performance.now()", null,
            new PageWaitForFunctionOptions { Timeout = 60_000, PollingInterval = 5 });
        var ms = await shown.JsonValueAsync<double>();
        if (Environment.GetEnvironmentVariable("BENCH_WEB_TRACE") == "1")
        {
            var entries = await page.EvaluateAsync<string[]>("() => performance.getEntriesByType('resource').map(e => `${e.startTime.toFixed(0)}-${e.responseEnd.toFixed(0)} ${e.transferSize} ${e.name.replace(location.origin, '')}`)");
            Console.WriteLine($"  trace (list at {ms:0} ms):\n    " + string.Join("\n    ", entries.Where(e => e.Contains("/api/") || e.Contains("dotnet") || e.Contains("blazor") || e.Contains("ModelsHub.Web"))));
        }
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        await page.CloseAsync();
        return (ms, Interlocked.Read(ref bytes), requests);
    }

    /// <summary>Types search texts one key at a time; each key's time runs from its keydown to the list answering the text typed so far.</summary>
    private static async Task<List<double>> KeystrokesAsync(IBrowser browser, string url, HttpClient api)
    {
        var context = await browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(url);
        await page.Locator("a.model-link").First.WaitForAsync();
        await page.EvaluateAsync("""
            () => {
              window.__keys = [];
              document.addEventListener('keydown', () => window.__keys.push({ at: performance.now(), done: null }), true);
              const summary = document.querySelector('[data-testid=result-summary]');
              const search = () => document.querySelector('[data-testid=search] input, [data-testid=search]');
              new MutationObserver(() => {
                const last = window.__keys[window.__keys.length - 1];
                const text = (search().value || '').trim();
                if (last && last.done === null && summary.dataset.query === text) last.done = performance.now() - last.at;
              }).observe(summary, { attributes: true, childList: true, subtree: true, characterData: true });
            }
            """);
        var input = page.Locator("[data-testid=search] input").First;
        await input.ClickAsync();
        var samples = new List<double>();
        foreach (var word in new[] { "mistral", "whisper", "vision", "medical", "finance", "instruct" })
        {
            foreach (var key in word)
            {
                await page.Keyboard.PressAsync(key.ToString());
                var done = await page.WaitForFunctionAsync("() => { const k = window.__keys[window.__keys.length - 1]; return k && k.done !== null && k.done; }", null,
                    new PageWaitForFunctionOptions { Timeout = 10_000, PollingInterval = 5 });
                samples.Add(await done.JsonValueAsync<double>());
            }
            await input.FillAsync("");
            await page.WaitForFunctionAsync("() => document.querySelector('[data-testid=result-summary]').dataset.query === ''");
        }
        await context.CloseAsync();
        return samples;
    }

    /// <summary>
    /// An AI model's page with 90 days of usage (200,000 calls recorded into the hub's store): each time 'Last 90 days'
    /// is chosen, the time from the choice to the chart's 90 daily bars on screen (the report's request and the render),
    /// switching back to the last 24 hours in between. The first is the report's cold read.
    /// </summary>
    private static async Task<List<double>> UsageChartAsync(IBrowser browser, ServerProcess server, string url, string admin)
    {
        const string model = "bench-usage";
        using (var create = new HttpRequestMessage(HttpMethod.Post, "/api/models")
        {
            Headers = { Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", admin) },
            Content = JsonContent.Create(new { name = model, type = "llm", source = "openai", visibility = "private" }),
        })
        {
            (await server.Client.SendAsync(create)).EnsureSuccessStatusCode();
        }
        await GatewayBench.SeedUsageAsync(server, 200_000, 90, [model]);
        var context = await browser.NewContextAsync();
        await context.AddInitScriptAsync($"localStorage.setItem('modelshub.devToken', {JsonSerializer.Serialize(admin)});");
        var page = await context.NewPageAsync();
        await page.GotoAsync($"{url}ai-models/{model}");
        await page.Locator("[data-testid=usage-chart] svg g").First.WaitForAsync(new LocatorWaitForOptions { Timeout = 60_000 });
        var samples = new List<double>();
        for (var i = 0; i < 6; i++)
        {
            await page.Locator("[data-testid=ai-period]").ClickAsync();
            var start = await page.EvaluateAsync<double>("() => performance.now()");
            await page.Locator("[data-testid=ai-period] fluent-option", new PageLocatorOptions { HasTextString = "Last 90 days" }).ClickAsync();
            var drawn = await page.WaitForFunctionAsync("() => document.querySelectorAll('[data-testid=usage-chart] svg g').length >= 90 && performance.now()", null,
                new PageWaitForFunctionOptions { Timeout = 30_000, PollingInterval = 5 });
            samples.Add(await drawn.JsonValueAsync<double>() - start);
            await page.Locator("[data-testid=ai-period]").ClickAsync();
            await page.Locator("[data-testid=ai-period] fluent-option", new PageLocatorOptions { HasTextString = "Last 24 hours" }).ClickAsync();
            await page.WaitForFunctionAsync("() => document.querySelectorAll('[data-testid=usage-chart] svg g').length <= 25");
        }
        await context.CloseAsync();
        return samples;
    }

    private static double Percentile(List<double> values, int percent)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Clamp((int)Math.Ceiling(percent / 100.0 * sorted.Count) - 1, 0, sorted.Count - 1)];
    }

    private static double Median<T>(this List<T> values, Func<T, double> of) => Percentile(values.Select(of).ToList(), 50);

    private static string Kb(double bytes) => $"{bytes / 1024:N0} KiB";
}
