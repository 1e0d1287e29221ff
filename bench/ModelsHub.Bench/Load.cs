using System.Diagnostics;

namespace ModelsHub.Bench;

public sealed record LoadResult(string Name, long Requests, long Errors, double Seconds, double P50Ms, double P99Ms, long Bytes)
{
    public double RequestsPerSecond => Requests / Seconds;

    public double MegabytesPerSecond => Bytes / Seconds / (1024 * 1024);
}

/// <summary>One stream of requests in a load run: its own connections and its own figures.</summary>
public sealed record LoadStream(string Name, int Connections, Func<int, HttpRequestMessage> Next, Func<HttpResponseMessage, bool>? Ok = null);

/// <summary>Closed-loop load: N workers, each sending its next request when the previous one answers.</summary>
public static class Load
{
    public static async Task<LoadResult> RunAsync(string name, HttpClient client, int concurrency, TimeSpan warmup, TimeSpan duration,
        Func<int, HttpRequestMessage> next, Func<HttpResponseMessage, bool>? ok = null)
        => (await RunTogetherAsync(client, warmup, duration, [new LoadStream(name, concurrency, next, ok)]))[0];

    /// <summary>
    /// Runs every stream at the same time over one warm-up and one measuring window, so their figures share the
    /// same machine, the same server and the same moment: a ratio between two of them compares like with like.
    /// </summary>
    public static async Task<IReadOnlyList<LoadResult>> RunTogetherAsync(HttpClient client, TimeSpan warmup, TimeSpan duration, IReadOnlyList<LoadStream> streams)
    {
        var measuring = false;
        var stop = false;
        var figures = streams.Select(s => new StreamFigures(s)).ToArray();
        var workers = figures.SelectMany(f => Enumerable.Range(0, f.Stream.Connections).Select(w => Task.Run(async () =>
        {
            var ok = f.Stream.Ok ?? (r => r.IsSuccessStatusCode);
            var mine = f.Latencies[w] = new List<long>(1 << 16);
            var i = w;
            while (!Volatile.Read(ref stop))
            {
                using var request = f.Stream.Next(i);
                i += f.Stream.Connections;
                var started = Stopwatch.GetTimestamp();
                using var response = await client.SendAsync(request, HttpCompletionOption.ResponseContentRead);
                var body = await response.Content.ReadAsByteArrayAsync();
                var elapsed = Stopwatch.GetTimestamp() - started;
                if (!Volatile.Read(ref measuring)) continue;
                if (!ok(response)) Interlocked.Increment(ref f.Errors);
                Interlocked.Add(ref f.Bytes, body.Length);
                mine.Add(elapsed);
            }
        }))).ToArray();

        await Task.Delay(warmup);
        Volatile.Write(ref measuring, true);
        var clock = Stopwatch.StartNew();
        await Task.Delay(duration);
        Volatile.Write(ref measuring, false);
        var seconds = clock.Elapsed.TotalSeconds;
        Volatile.Write(ref stop, true);
        await Task.WhenAll(workers);
        return figures.Select(f => f.Result(seconds)).ToArray();
    }

    private sealed class StreamFigures(LoadStream stream)
    {
        public LoadStream Stream { get; } = stream;
        public List<long>[] Latencies { get; } = new List<long>[stream.Connections];
        public long Errors;
        public long Bytes;

        public LoadResult Result(double seconds)
        {
            var all = Latencies.SelectMany(l => l).Order().ToArray();
            double Percentile(double p) => all.Length == 0 ? double.NaN : all[Math.Min(all.Length - 1, (int)(p * all.Length))] * 1000.0 / Stopwatch.Frequency;
            return new LoadResult(Stream.Name, all.Length, Errors, seconds, Percentile(0.50), Percentile(0.99), Bytes);
        }
    }
}
