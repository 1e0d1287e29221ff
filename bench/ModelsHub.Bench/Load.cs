using System.Diagnostics;

namespace ModelsHub.Bench;

public sealed record LoadResult(string Name, long Requests, long Errors, double Seconds, double P50Ms, double P99Ms, long Bytes)
{
    public double RequestsPerSecond => Requests / Seconds;

    public double MegabytesPerSecond => Bytes / Seconds / (1024 * 1024);
}

/// <summary>Closed-loop load: N workers, each sending its next request when the previous one answers.</summary>
public static class Load
{
    public static async Task<LoadResult> RunAsync(string name, HttpClient client, int concurrency, TimeSpan warmup, TimeSpan duration,
        Func<int, HttpRequestMessage> next, Func<HttpResponseMessage, bool>? ok = null)
    {
        ok ??= r => r.IsSuccessStatusCode;
        var latencies = new List<long>[concurrency];
        long errors = 0, bytes = 0;
        var measuring = false;
        var stop = false;
        var workers = Enumerable.Range(0, concurrency).Select(w => Task.Run(async () =>
        {
            var mine = latencies[w] = new List<long>(1 << 16);
            var i = w;
            while (!Volatile.Read(ref stop))
            {
                using var request = next(i);
                i += concurrency;
                var started = Stopwatch.GetTimestamp();
                using var response = await client.SendAsync(request, HttpCompletionOption.ResponseContentRead);
                var body = await response.Content.ReadAsByteArrayAsync();
                var elapsed = Stopwatch.GetTimestamp() - started;
                if (!Volatile.Read(ref measuring)) continue;
                if (!ok(response)) Interlocked.Increment(ref errors);
                Interlocked.Add(ref bytes, body.Length);
                mine.Add(elapsed);
            }
        })).ToArray();

        await Task.Delay(warmup);
        Volatile.Write(ref measuring, true);
        var clock = Stopwatch.StartNew();
        await Task.Delay(duration);
        Volatile.Write(ref measuring, false);
        var seconds = clock.Elapsed.TotalSeconds;
        Volatile.Write(ref stop, true);
        await Task.WhenAll(workers);

        var all = latencies.SelectMany(l => l).Order().ToArray();
        double Percentile(double p) => all.Length == 0 ? double.NaN : all[Math.Min(all.Length - 1, (int)(p * all.Length))] * 1000.0 / Stopwatch.Frequency;
        return new LoadResult(name, all.Length, errors, seconds, Percentile(0.50), Percentile(0.99), bytes);
    }
}
