using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace ModelsHub.Bench;

/// <summary>
/// Issue 12's workload: a jsonl-chat dataset uploaded through the same chunk endpoint as model files
/// (beside a plain copy of the same bytes), then validated by the hub's workflow; the validation's
/// MB/s beside reading the same file in the same run (a plain read of its bytes, and a bare JSON
/// Lines parse of it: each line through Utf8JsonReader, nothing checked); and the server's peak
/// resident memory through upload and validation for 64 MiB and 1 GiB, which must not grow with the file.
/// </summary>
public static class DatasetBench
{
    private const long MiB = 1024 * 1024;

    /// <summary>1 GiB unless <c>BENCH_DATASET_MIB</c> says otherwise.</summary>
    private static long LargeBytes => long.TryParse(Environment.GetEnvironmentVariable("BENCH_DATASET_MIB"), out var mib) && mib > 0 ? mib * MiB : 1024 * MiB;

    private const long SmallBytes = 64 * MiB;

    public static async Task<bool> RunAsync(string serverDll, BenchOptions options)
    {
        Console.WriteLine($"== datasets: a jsonl-chat file of {BenchUploads.FormatSize(SmallBytes)} and {BenchUploads.FormatSize(LargeBytes)} uploaded ({BenchUploads.InFlight} chunks in flight) and validated, beside a plain copy and a plain read");
        var work = Path.Combine(Path.GetTempPath(), "modelshub-bench-datasets", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(work);
        try
        {
            await using var server = await ServerProcess.StartAsync(serverDll, new Dictionary<string, string>());
            var token = await CatalogBench.TokenAsync(server.Client, "bench-trainer", "trainer");
            await BenchUploads.SendAsync(server.Client, token, HttpMethod.Post, "/api/datasets", new { name = "bench-chat", format = "jsonl-chat" });

            // A warm-up first (JIT, pools, the tokenizer's tables), then the two measured sizes.
            await RunOneAsync(server, token, work, "warmup", 16 * MiB, measureReads: false);
            var small = await RunOneAsync(server, token, work, "small", Math.Min(SmallBytes, LargeBytes), measureReads: false);
            var large = await RunOneAsync(server, token, work, "large", LargeBytes, measureReads: true);

            Console.WriteLine($"  {"",-40} {"size",9} {"seconds",8} {"MB/s",8}");
            Row("plain copy (same bytes, same disk)", large.Size, large.CopySeconds);
            Row("upload: chunks + complete", large.Size, large.UploadSeconds);
            Row("plain read of the file", large.Size, large.ReadSeconds);
            Row("bare JSON Lines parse (Utf8JsonReader)", large.Size, large.ParseSeconds);
            Row("validation (hub workflow)", large.Size, large.ValidationSeconds);
            Console.WriteLine($"  validation found {large.Records:N0} records, {large.Errors} errors, ~{large.Tokens:N0} tokens (o200k_base, {large.Sampled:N0} records tokenized)");
            var upload = large.CopySeconds / large.UploadSeconds;
            var read = large.ReadSeconds / large.ValidationSeconds;
            var parse = large.ParseSeconds / large.ValidationSeconds;
            Console.WriteLine($"  upload ÷ plain copy: {upload:0.00}; validation ÷ plain read: {read:0.00}; validation ÷ bare parse: {parse:0.00}");
            Console.WriteLine($"  server peak resident memory through upload and validation: {small.PeakMiB:0} MiB for {BenchUploads.FormatSize(small.Size)}, {large.PeakMiB:0} MiB for {BenchUploads.FormatSize(large.Size)} (at start {small.StartMiB:0} MiB)");

            var ok = true;
            ok &= Report.Target("dataset upload ≥ 0.7 × plain copy", upload >= 0.7, $"{upload:0.00}");
            ok &= Report.Target("validation ≥ 0.5 × plain read of the same file", read >= 0.5, $"{read:0.00}");
            ok &= Report.Target("validation ≥ 0.5 × a bare JSON Lines parse of the same file", parse >= 0.5, $"{parse:0.00}");
            ok &= Report.Target("both files ready, every record counted", small.Ready && large.Ready, small.Ready && large.Ready ? "ready" : "NOT READY");
            var growth = large.PeakMiB - small.PeakMiB;
            ok &= Report.Target($"peak memory does not grow with file size ({BenchUploads.FormatSize(small.Size)} → {BenchUploads.FormatSize(large.Size)})",
                large.Size == small.Size || growth < 64, $"{growth:+0;-0;0} MiB");
            return ok;
        }
        finally
        {
            try { Directory.Delete(work, recursive: true); } catch (IOException) { }
        }

        static void Row(string what, long size, double seconds) =>
            Console.WriteLine($"  {what,-40} {BenchUploads.FormatSize(size),9} {seconds,8:0.00} {BenchUploads.Rate(size, seconds),8:0}");
    }

    private sealed record Run(long Size, double CopySeconds, double UploadSeconds, double ReadSeconds, double ParseSeconds, double ValidationSeconds,
        long Records, long Errors, long Tokens, long Sampled, double StartMiB, double PeakMiB, bool Ready);

    private static async Task<Run> RunOneAsync(ServerProcess server, string token, string work, string label, long size, bool measureReads)
    {
        var source = Path.Combine(work, $"{label}.jsonl");
        var records = WriteSource(source, size);
        size = new FileInfo(source).Length;
        var prepared = await BenchUploads.PrepareAsync(source, size);
        double copy = 0, read = 0, parse = 0;
        if (measureReads)
        {
            copy = await BenchUploads.PlainCopyAsync(source, Path.Combine(work, $"{label}.copy"));
            read = await PlainReadAsync(source);
            parse = await BareParseAsync(source);
        }
        var upload = await BenchUploads.UploadAsync(server, token, "/api/datasets/bench-chat/versions", $"{label}.jsonl", source, size, prepared, label);
        var versionUrl = $"/api/datasets/bench-chat/versions/{upload.Completion.GetProperty("version").GetProperty("label").GetString()}";

        // The version is validating once its file is verified; the workflow finishes it.
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(20);
        JsonElement version;
        while (true)
        {
            version = await BenchUploads.SendAsync(server.Client, token, HttpMethod.Get, versionUrl, null);
            if (version.GetProperty("status").GetString() is "ready" or "invalid" or "failed" || DateTime.UtcNow > deadline)
            {
                break;
            }
            await Task.Delay(200);
        }
        var (_, peak) = server.Memory();
        File.Delete(source);
        var status = version.GetProperty("status").GetString();
        if (!version.TryGetProperty("validation", out var validation) || validation.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidOperationException($"{label}: the version is {status} without a validation: {version}");
        }
        var seconds = (validation.GetProperty("finishedAt").GetDateTimeOffset() - validation.GetProperty("startedAt").GetDateTimeOffset()).TotalSeconds;
        var tokens = validation.GetProperty("tokens");
        var counted = validation.GetProperty("recordCount").GetInt64();
        return new Run(size, copy, upload.ChunkSeconds + upload.CompleteSeconds, read, parse, Math.Max(seconds, 0.001),
            counted, validation.GetProperty("errorCount").GetInt64(), tokens.GetProperty("tokens").GetInt64(), tokens.GetProperty("sampledRecords").GetInt64(),
            upload.StartMiB, peak, status == "ready" && counted == records);
    }

    private static async Task<double> PlainReadAsync(string path)
    {
        var clock = Stopwatch.StartNew();
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 0, FileOptions.SequentialScan | FileOptions.Asynchronous);
        var buffer = new byte[4 * MiB];
        while (await stream.ReadAsync(buffer) > 0)
        {
        }
        return clock.Elapsed.TotalSeconds;
    }

    /// <summary>What any reader of a JSON Lines file does at the least: split the lines and tokenize each as JSON.</summary>
    private static async Task<double> BareParseAsync(string path)
    {
        var clock = Stopwatch.StartNew();
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 0, FileOptions.SequentialScan | FileOptions.Asynchronous);
        var buffer = new byte[4 * MiB];
        int start = 0, end = 0, read;
        long tokens = 0;
        while ((read = await stream.ReadAsync(buffer.AsMemory(end))) > 0)
        {
            end += read;
            tokens += ParseLines(buffer.AsSpan(start, end - start), out var consumed);
            start += consumed;
            buffer.AsSpan(start, end - start).CopyTo(buffer);
            (start, end) = (0, end - start);
        }
        return tokens > 0 ? clock.Elapsed.TotalSeconds : throw new InvalidOperationException("Nothing was parsed.");

        static long ParseLines(ReadOnlySpan<byte> span, out int consumed)
        {
            long count = 0;
            consumed = 0;
            int newline;
            while ((newline = span[consumed..].IndexOf((byte)'\n')) >= 0)
            {
                var reader = new Utf8JsonReader(span.Slice(consumed, newline));
                while (reader.Read()) count++;
                consumed += newline + 1;
            }
            return count;
        }
    }

    /// <summary>Chat records of varied lengths (a system prompt, a question, a reply; some CJK text) up to <paramref name="size"/>; returns how many.</summary>
    private static long WriteSource(string path, long size)
    {
        var random = new Random(12);
        var words = "the quick brown fox jumps over the lazy dog while seven wizards quietly judge boxing matches 你好 世界 fine-tuning data".Split(' ');
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 0);
        using var writer = new StreamWriter(stream, new UTF8Encoding(false), (int)MiB);
        var line = new StringBuilder();
        long written = 0, records = 0;
        while (written < size)
        {
            line.Clear().Append("{\"messages\":[{\"role\":\"system\",\"content\":\"You answer briefly.\"},{\"role\":\"user\",\"content\":\"");
            for (var i = 20 + random.Next(60); i > 0; i--) line.Append(words[random.Next(words.Length)]).Append(' ');
            line.Append("\"},{\"role\":\"assistant\",\"content\":\"");
            for (var i = 40 + random.Next(160); i > 0; i--) line.Append(words[random.Next(words.Length)]).Append(' ');
            line.Append("\"}]}\n");
            writer.Write(line);
            written += Encoding.UTF8.GetByteCount(line.ToString());
            records++;
        }
        writer.Flush();
        // On disk before anything is timed.
        stream.Flush(flushToDisk: true);
        return records;
    }
}
