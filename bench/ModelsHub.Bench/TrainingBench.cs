using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.ServerSentEvents;
using System.Text;
using System.Text.Json;

namespace ModelsHub.Bench;

/// <summary>
/// Issue 13's workload, on the local compute with shell trainers that note when they start (and their
/// environment, so the bench can play the trainer through the contract's URLs):
/// job start overhead (create → trainer process started) over 50 jobs; event ingestion on one job's
/// events endpoint at 32 connections; the delay from a posted event to a server-sent-events reader;
/// registering a 1 GiB output as a version (upload through the job-scoped target, the output event,
/// verification and registration) beside a plain copy of the same bytes; and the reference trainer's
/// rows per second on this machine's CPU.
/// </summary>
public static class TrainingBench
{
    private const long MiB = 1024 * 1024;
    private const int StartJobs = 50;
    private const int BatchLines = 100;

    private static long OutputBytes => long.TryParse(Environment.GetEnvironmentVariable("BENCH_TRAINING_OUTPUT_MIB"), out var mib) && mib > 0 ? mib * MiB : 1024 * MiB;

    public static async Task<bool> RunAsync(string serverDll, BenchOptions options)
    {
        Console.WriteLine($"== training: job start over {StartJobs} jobs, events at {options.Concurrency} connections, post → SSE delay, a {BenchUploads.FormatSize(OutputBytes)} output, the reference trainer");
        var work = Path.Combine(Path.GetTempPath(), "modelshub-bench-training", Guid.NewGuid().ToString("N"));
        var marks = Path.Combine(work, "marks");
        Directory.CreateDirectory(marks);
        try
        {
            await using var server = await ServerProcess.StartAsync(serverDll, MarkerTrainer(marks));
            var token = await CatalogBench.TokenAsync(server.Client, "bench-trainer", "trainer");
            await SeedAsync(server, token);

            var start = await StartOverheadAsync(server, token, marks);
            var ingestion = await IngestionAsync(server, token, marks, options);
            var delay = await SseDelayAsync(server, token, marks);
            var output = await RegisterOutputAsync(server, token, marks, work);
            var trainer = await ReferenceTrainerAsync(serverDll, work);

            Console.WriteLine($"  job start (create → trainer process started), {StartJobs} jobs: p50 {start.P50:0.0} ms, p99 {start.P99:0.0} ms, max {start.Max:0.0} ms");
            Console.WriteLine($"  event ingestion, one job, {options.Concurrency} connections, {BatchLines} lines a batch: {ingestion.EventsPerSecond:N0} events/s ({ingestion.Events:N0} in {ingestion.Seconds:0.0} s, {ingestion.Errors} errors), batch p50 {ingestion.P50:0.0} ms, p99 {ingestion.P99:0.0} ms");
            Console.WriteLine($"  post → SSE reader, {delay.Samples} events: p50 {delay.P50:0.0} ms, p99 {delay.P99:0.0} ms");
            Console.WriteLine($"  {BenchUploads.FormatSize(output.Size)} output: plain copy {output.CopySeconds:0.00} s ({BenchUploads.Rate(output.Size, output.CopySeconds):0} MB/s); registered as a version in {output.RegisterSeconds:0.00} s ({BenchUploads.Rate(output.Size, output.RegisterSeconds):0} MB/s: chunks {output.ChunkSeconds:0.00} s, output event → succeeded {output.FinishSeconds:0.00} s)");
            Console.WriteLine($"  reference trainer, {trainer.Rows:N0} training rows × {trainer.Epochs} epochs: {trainer.RowsPerSecond:N0} rows/s; loss {trainer.FirstLoss:0.####} → {trainer.LastLoss:0.####}; held-out accuracy {trainer.AccuracyBefore:0.###} → {trainer.AccuracyAfter:0.###}");

            var ratio = output.CopySeconds / output.RegisterSeconds;
            var ok = true;
            ok &= Report.Target("job start p50 < 300 ms", start.P50 < 300, $"{start.P50:0.0} ms");
            ok &= Report.Target($"event ingestion ≥ 5,000 events/s at {options.Concurrency} connections", ingestion.EventsPerSecond >= 5000, $"{ingestion.EventsPerSecond:N0}/s");
            ok &= Report.Target("post → SSE delay p99 < 100 ms", delay.P99 < 100, $"{delay.P99:0.0} ms");
            ok &= Report.Target($"registering a {BenchUploads.FormatSize(output.Size)} output ≥ 0.7 × plain copy", ratio >= 0.7, $"{ratio:0.00}");
            ok &= Report.Target("the reference trainer lowers the loss and raises accuracy", trainer.LastLoss < trainer.FirstLoss && trainer.AccuracyAfter > trainer.AccuracyBefore,
                $"loss ÷ {trainer.FirstLoss / Math.Max(trainer.LastLoss, 1e-9):0.0}, accuracy +{trainer.AccuracyAfter - trainer.AccuracyBefore:0.00}");
            return ok;
        }
        finally
        {
            try { Directory.Delete(work, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>
    /// Settings for a shell trainer (<c>marker</c>, the default) that notes when it starts and its environment in
    /// <paramref name="marks"/>, so a bench can play the trainer through the contract's URLs; method <c>wait</c> keeps it running.
    /// </summary>
    internal static Dictionary<string, string> MarkerTrainer(string marks) => new()
    {
        ["Training__Trainers__marker__Local__Command"] = "/bin/sh",
        ["Training__Trainers__marker__Local__Arguments__0"] = "-c",
        // The first thing the trainer does: note the time (and its environment); then it exits (start overhead) or waits (the other phases).
        ["Training__Trainers__marker__Local__Arguments__1"] =
            $"date +%s%N > '{marks}/'$MODELSHUB_JOB_ID.started; env > '{marks}/'$MODELSHUB_JOB_ID.env; if [ \"$MODELSHUB_METHOD\" = wait ]; then exec sleep 3600; fi",
        ["Training__Trainers__marker__DatasetFormats__0"] = "csv",
        ["Training__Trainers__marker__Methods__0"] = "quick",
        ["Training__Trainers__marker__Methods__1"] = "wait",
        ["Training__DefaultTrainer"] = "marker",
        ["Training__Local__MaxConcurrent"] = "8",
        ["Training__MonitorInterval"] = "00:00:00.250",
    };

    /// <summary>A model version and a ready csv dataset version to start jobs from.</summary>
    internal static async Task SeedAsync(ServerProcess server, string token)
    {
        await BenchUploads.SendAsync(server.Client, token, HttpMethod.Post, "/api/models", new { name = "bench-base", type = "custom" });
        await UploadSmallAsync(server, token, "/api/models/bench-base/versions", "model.zip", Encoding.UTF8.GetBytes("a base model"));
        await BenchUploads.SendAsync(server.Client, token, HttpMethod.Post, "/api/datasets", new { name = "bench-data", format = "csv" });
        await UploadSmallAsync(server, token, "/api/datasets/bench-data/versions", "data.csv", Encoding.UTF8.GetBytes("text,label\nhello,a\nworld,b\n"));
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while ((await BenchUploads.SendAsync(server.Client, token, HttpMethod.Get, "/api/datasets/bench-data/versions/v1", null)).GetProperty("status").GetString() != "ready")
        {
            if (DateTime.UtcNow > deadline) throw new InvalidOperationException("The bench dataset never became ready.");
            await Task.Delay(100);
        }
    }

    private static async Task UploadSmallAsync(ServerProcess server, string token, string versionsUrl, string fileName, byte[] content)
    {
        var version = await BenchUploads.SendAsync(server.Client, token, HttpMethod.Post, versionsUrl,
            new { label = "v1", file = new { fileName, size = content.Length, sha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(content)) } });
        var upload = version.GetProperty("upload");
        using var chunk = new ByteArrayContent(content);
        chunk.Headers.ContentMD5 = System.Security.Cryptography.MD5.HashData(content);
        (await server.Client.PutAsync(upload.GetProperty("target").GetProperty("url").GetString() + "&comp=block&blockid=MDAwMDAw", chunk)).EnsureSuccessStatusCode();
        await BenchUploads.SendAsync(server.Client, token, HttpMethod.Post, upload.GetProperty("url").GetString() + "/complete", null);
    }

    internal static Task<JsonElement> StartJobAsync(ServerProcess server, string token, string method) =>
        BenchUploads.SendAsync(server.Client, token, HttpMethod.Post, "/api/training-jobs",
            new { model = "bench-base", version = "v1", dataset = "bench-data", datasetVersion = "v1", method });

    private sealed record Latencies(double P50, double P99, double Max);

    /// <summary>Create → the trainer's first instruction, per job, one job at a time (each trainer exits at once, so none waits for a slot).</summary>
    private static async Task<Latencies> StartOverheadAsync(ServerProcess server, string token, string marks)
    {
        var samples = new List<double>();
        for (var i = 0; i < StartJobs + 3; i++)
        {
            var sent = UnixNanoseconds();
            var id = (await StartJobAsync(server, token, "quick")).GetProperty("id").GetString()!;
            var started = await WaitForMarkAsync(marks, id, TimeSpan.FromSeconds(30));
            if (i >= 3)
            {
                samples.Add((started - sent) / 1e6);
            }
        }
        samples.Sort();
        return new Latencies(Percentile(samples, 0.5), Percentile(samples, 0.99), samples[^1]);
    }

    private sealed record Ingestion(long Events, double Seconds, long Errors, double P50, double P99)
    {
        public double EventsPerSecond => Events / Seconds;
    }

    /// <summary>Connections post batches of lines with seqs from one counter, as a trainer posting on several connections would.</summary>
    private static async Task<Ingestion> IngestionAsync(ServerProcess server, string token, string marks, BenchOptions options)
    {
        var id = (await StartJobAsync(server, token, "wait")).GetProperty("id").GetString()!;
        var url = PathOf((await EnvironmentOfAsync(marks, id))["MODELSHUB_EVENTS_URL"]);
        long next = 0, events = 0, errors = 0;
        var latencies = new List<double>[options.Concurrency];
        var warmup = DateTime.UtcNow.AddSeconds(1);
        var end = warmup + options.Duration;
        await Task.WhenAll(Enumerable.Range(0, options.Concurrency).Select(async c =>
        {
            latencies[c] = [];
            var body = new StringBuilder();
            while (DateTime.UtcNow < end)
            {
                var first = Interlocked.Add(ref next, BatchLines) - BatchLines + 1;
                body.Clear();
                for (var seq = first; seq < first + BatchLines; seq++)
                {
                    body.Append(seq % 10 == 0
                        ? $$"""{"seq":{{seq}},"type":"progress","step":{{seq}},"totalSteps":100000000}"""
                        : $$"""{"seq":{{seq}},"type":"metric","name":"loss","value":{{(1.0 / seq).ToString("R", CultureInfo.InvariantCulture)}},"step":{{seq}}}""").Append('\n');
                }
                var clock = Stopwatch.StartNew();
                using var response = await server.Client.PostAsync(url, new StringContent(body.ToString(), Encoding.UTF8, "application/x-ndjson"));
                var measured = DateTime.UtcNow >= warmup;
                if (!response.IsSuccessStatusCode)
                {
                    Interlocked.Increment(ref errors);
                    Console.WriteLine($"  ingestion error: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                    return;
                }
                if (measured)
                {
                    Interlocked.Add(ref events, BatchLines);
                    latencies[c].Add(clock.Elapsed.TotalMilliseconds);
                }
            }
        }));
        var all = latencies.SelectMany(l => l).Order().ToList();
        await BenchUploads.SendAsync(server.Client, token, HttpMethod.Post, $"/api/training-jobs/{id}/cancel", null);
        return new Ingestion(events, options.Duration.TotalSeconds, errors, Percentile(all, 0.5), Percentile(all, 0.99));
    }

    private sealed record Delay(int Samples, double P50, double P99);

    /// <summary>One event every 10 ms on the trainer's URL; a reader on the live stream notes when each arrives.</summary>
    private static async Task<Delay> SseDelayAsync(ServerProcess server, string token, string marks)
    {
        const int count = 400;
        var id = (await StartJobAsync(server, token, "wait")).GetProperty("id").GetString()!;
        var url = PathOf((await EnvironmentOfAsync(marks, id))["MODELSHUB_EVENTS_URL"]);
        var sent = new long[count + 1];
        var received = new long[count + 1];
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/training-jobs/{id}/events");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await server.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        var stream = await response.Content.ReadAsStreamAsync();
        var reader = Task.Run(async () =>
        {
            await foreach (var item in SseParser.Create(stream).EnumerateAsync())
            {
                if (item.EventId is { } eventId && long.TryParse(eventId, out var seq))
                {
                    received[seq] = Stopwatch.GetTimestamp();
                    if (seq == count) return;
                }
            }
        });
        for (var seq = 1; seq <= count; seq++)
        {
            sent[seq] = Stopwatch.GetTimestamp();
            using var posted = await server.Client.PostAsync(url, new StringContent($$"""{"seq":{{seq}},"type":"metric","name":"loss","value":0.5,"step":{{seq}}}""" + "\n", Encoding.UTF8, "application/x-ndjson"));
            posted.EnsureSuccessStatusCode();
            await Task.Delay(10);
        }
        await reader.WaitAsync(TimeSpan.FromMinutes(1));
        var delays = Enumerable.Range(20, count - 19).Select(s => Stopwatch.GetElapsedTime(sent[s], received[s]).TotalMilliseconds).Order().ToList();
        await BenchUploads.SendAsync(server.Client, token, HttpMethod.Post, $"/api/training-jobs/{id}/cancel", null);
        return new Delay(delays.Count, Percentile(delays, 0.5), Percentile(delays, 0.99));
    }

    private sealed record Output(long Size, double CopySeconds, double ChunkSeconds, double FinishSeconds)
    {
        public double RegisterSeconds => ChunkSeconds + FinishSeconds;
    }

    /// <summary>The bench plays the trainer: opens the output's upload through the job-scoped URL, sends the chunks, posts the output event, and waits for the version.</summary>
    private static async Task<Output> RegisterOutputAsync(ServerProcess server, string token, string marks, string work)
    {
        var source = Path.Combine(work, "output.zip");
        var size = OutputBytes;
        await using (var file = File.Create(source))
        {
            var block = new byte[MiB];
            var random = new Random(13);
            for (long written = 0; written < size; written += block.Length)
            {
                random.NextBytes(block);
                await file.WriteAsync(block.AsMemory(0, (int)Math.Min(block.Length, size - written)));
            }
        }
        var prepared = await BenchUploads.PrepareAsync(source, size);
        var copy = await BenchUploads.PlainCopyAsync(source, Path.Combine(work, "output.copy"));

        var id = (await StartJobAsync(server, token, "wait")).GetProperty("id").GetString()!;
        var env = await EnvironmentOfAsync(marks, id);
        var clock = Stopwatch.StartNew();
        using var opened = await server.Client.PostAsJsonAsync(PathOf(env["MODELSHUB_OUTPUT_URL"]), new { fileName = "model.zip", size, sha256 = prepared.Sha256 });
        var upload = JsonDocument.Parse(await opened.Content.ReadAsStringAsync()).RootElement;
        if (!opened.IsSuccessStatusCode) throw new InvalidOperationException($"opening the output: {(int)opened.StatusCode} {upload}");
        await BenchUploads.SendChunksAsync(server.Client, upload.GetProperty("target").GetProperty("url").GetString()!, source, size,
            upload.GetProperty("chunkSize").GetInt64(), upload.GetProperty("chunkCount").GetInt32(), prepared);
        var chunks = clock.Elapsed.TotalSeconds;
        clock.Restart();
        var line = $$$"""{"seq":1,"type":"output","uploadId":"{{{upload.GetProperty("id").GetString()}}}","fileName":"model.zip","size":{{{size}}},"sha256":"{{{prepared.Sha256}}}","metrics":{"loss":0.1}}""";
        (await server.Client.PostAsync(PathOf(env["MODELSHUB_EVENTS_URL"]), new StringContent(line + "\n", Encoding.UTF8, "application/x-ndjson"))).EnsureSuccessStatusCode();
        var deadline = DateTime.UtcNow.AddMinutes(20);
        while (true)
        {
            var job = await BenchUploads.SendAsync(server.Client, token, HttpMethod.Get, $"/api/training-jobs/{id}", null);
            var state = job.GetProperty("state").GetString();
            if (state == "succeeded") break;
            if (state is "failed" or "cancelled" || DateTime.UtcNow > deadline) throw new InvalidOperationException($"the output job ended {state}: {job}");
            await Task.Delay(20);
        }
        var finish = clock.Elapsed.TotalSeconds;
        File.Delete(source);
        return new Output(size, copy, chunks, finish);
    }

    private sealed record Trainer(long Rows, int Epochs, double RowsPerSecond, double FirstLoss, double LastLoss, double AccuracyBefore, double AccuracyAfter);

    /// <summary>The reference trainer by hand on its sample dataset (2,000 rows, 5 epochs), reading its own event lines.</summary>
    private static async Task<Trainer> ReferenceTrainerAsync(string serverDll, string work)
    {
        var dll = Path.Combine(Path.GetDirectoryName(serverDll)!, "ModelsHub.Trainer.dll");
        await RunAsync(dll, work, "sample", "--output", "news.csv", "--rows", "2000");
        await RunAsync(dll, work, "init", "--data", "news.csv", "--output", "base.zip");
        var lines = (await RunAsync(dll, work, "train", "--base", "base.zip", "--data", "news.csv", "--output", "tuned.zip", "--hyperparameters", "{\"epochs\":5}"))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var losses = lines.Where(l => l.GetProperty("type").GetString() == "metric" && l.GetProperty("name").GetString() == "loss").Select(l => l.GetProperty("value").GetDouble()).ToList();
        var accuracy = lines.Where(l => l.GetProperty("type").GetString() == "metric" && l.GetProperty("name").GetString() == "accuracy").Select(l => l.GetProperty("value").GetDouble()).ToList();
        var metrics = lines[^1].GetProperty("metrics");
        return new Trainer(metrics.GetProperty("trainRows").GetInt64(), 5, metrics.GetProperty("rowsPerSecond").GetDouble(), losses[0], losses[^1], accuracy[0], accuracy[^1]);
    }

    private static async Task<string> RunAsync(string dll, string folder, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(dll);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return process.ExitCode == 0 ? await output : throw new InvalidOperationException($"trainer {args[0]}: {await output}{await errors}");
    }

    private static async Task<long> WaitForMarkAsync(string marks, string id, TimeSpan within)
    {
        var path = Path.Combine(marks, id + ".started");
        var deadline = DateTime.UtcNow + within;
        while (true)
        {
            if (File.Exists(path) && long.TryParse((await File.ReadAllTextAsync(path)).Trim(), out var nanoseconds))
            {
                return nanoseconds;
            }
            if (DateTime.UtcNow > deadline) throw new InvalidOperationException($"The trainer of {id} never started.");
            await Task.Delay(2);
        }
    }

    internal static async Task<Dictionary<string, string>> EnvironmentOfAsync(string marks, string id)
    {
        await WaitForMarkAsync(marks, id, TimeSpan.FromSeconds(30));
        var path = Path.Combine(marks, id + ".env");
        for (var i = 0; i < 500 && !(File.Exists(path) && (await File.ReadAllTextAsync(path)).Contains("MODELSHUB_OUTPUT_URL")); i++)
        {
            await Task.Delay(10);
        }
        return (await File.ReadAllLinesAsync(path)).Where(l => l.Contains('=')).Select(l => l.Split('=', 2)).GroupBy(p => p[0]).ToDictionary(g => g.Key, g => g.Last()[1]);
    }

    internal static string PathOf(string url) => new Uri(url).PathAndQuery;

    private static long UnixNanoseconds() => (DateTime.UtcNow - DateTime.UnixEpoch).Ticks * 100;

    private static double Percentile(List<double> sorted, double p) => sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
}
