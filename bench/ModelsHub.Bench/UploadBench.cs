using System.Buffers;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;

namespace ModelsHub.Bench;

/// <summary>
/// Issue 3's workload: a large file through the embedded chunk endpoint with 4 chunks in flight
/// (Content-MD5 on each, then complete: commit, server-side SHA-256, publish), beside a plain copy
/// of the same bytes to the same disk in the same run; and the server's peak resident memory for
/// two file sizes, which must not grow with the file.
/// </summary>
public static class UploadBench
{
    private const long MiB = 1024 * 1024;
    private const int InFlight = 4;

    /// <summary>1 GiB unless <c>BENCH_UPLOAD_MIB</c> says otherwise.</summary>
    private static long UploadBytes => long.TryParse(Environment.GetEnvironmentVariable("BENCH_UPLOAD_MIB"), out var mib) && mib > 0 ? mib * MiB : 1024 * MiB;

    public static async Task<bool> RunAsync(string serverDll, BenchOptions options)
    {
        Console.WriteLine($"== upload: {FormatSize(UploadBytes)} through the embedded chunk endpoint, {InFlight} chunks in flight, beside a plain copy");
        var work = Path.Combine(Path.GetTempPath(), "modelshub-bench-upload", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(work);
        try
        {
            await using var server = await ServerProcess.StartAsync(serverDll, new Dictionary<string, string>());
            var token = await CatalogBench.TokenAsync(server.Client, "bench-uploader", "user");
            await SendAsync(server.Client, token, HttpMethod.Post, "/api/models", new { name = "bench-upload", type = "custom" });

            // A warm-up first (JIT, pools, GC budgets settle), then a smaller file: the peak memory of
            // the two measured runs must be about the same.
            await RunOneAsync(server, token, work, "warmup", 128 * MiB, copyFirst: false);
            var smallSize = Math.Min(UploadBytes, 256 * MiB);
            var small = await RunOneAsync(server, token, work, "small", smallSize, copyFirst: false);
            var large = await RunOneAsync(server, token, work, "large", UploadBytes, copyFirst: true);

            Console.WriteLine($"  {"",-34} {"size",9} {"seconds",8} {"MB/s",8}");
            Console.WriteLine($"  {"plain copy (same bytes, same disk)",-34} {FormatSize(large.Size),9} {large.CopySeconds,8:0.00} {Rate(large.Size, large.CopySeconds),8:0}");
            Console.WriteLine($"  {"upload: chunks",-34} {FormatSize(large.Size),9} {large.ChunkSeconds,8:0.00} {Rate(large.Size, large.ChunkSeconds),8:0}");
            Console.WriteLine($"  {"upload: complete (commit+SHA-256)",-34} {"",9} {large.CompleteSeconds,8:0.00}");
            Console.WriteLine($"  {"upload: total",-34} {FormatSize(large.Size),9} {large.UploadSeconds,8:0.00} {Rate(large.Size, large.UploadSeconds),8:0}");
            Console.WriteLine($"  (the client's own hashing — the SHA-256 it declares and each chunk's Content-MD5 — took {large.ClientHashSeconds:0.00} s before the clock started)");
            var ratio = large.CopySeconds / large.UploadSeconds;
            Console.WriteLine($"  upload ÷ plain copy: {ratio:0.00}");
            Console.WriteLine($"  server peak resident memory: {small.PeakMiB:0} MiB during {FormatSize(small.Size)}, {large.PeakMiB:0} MiB during {FormatSize(large.Size)} (at start {small.StartMiB:0} MiB)");

            var ok = true;
            ok &= Report.Target("upload ≥ 0.7 × plain copy", ratio >= 0.7, $"{ratio:0.00}");
            ok &= Report.Target("SHA-256 verified by the server", large.Verified && small.Verified, large.Verified && small.Verified ? "match" : "MISMATCH");
            var growth = large.PeakMiB - small.PeakMiB;
            ok &= Report.Target($"peak memory does not grow with file size ({FormatSize(small.Size)} → {FormatSize(large.Size)})",
                large.Size == small.Size || growth < 64, $"{growth:+0;-0;0} MiB");
            return ok;
        }
        finally
        {
            try { Directory.Delete(work, recursive: true); } catch (IOException) { }
        }
    }

    private sealed record Run(long Size, double CopySeconds, double ChunkSeconds, double CompleteSeconds, double ClientHashSeconds, double PeakMiB, double StartMiB, bool Verified)
    {
        public double UploadSeconds => ChunkSeconds + CompleteSeconds;
    }

    private static async Task<Run> RunOneAsync(ServerProcess server, string token, string work, string label, long size, bool copyFirst)
    {
        var source = Path.Combine(work, $"{label}.bin");
        WriteSource(source, size);

        // The client's own work happens before the clock starts: the SHA-256 it declares and the
        // Content-MD5 of every chunk. The server's work (MD5 check, SHA-256, commit) is all timed.
        var clock = Stopwatch.StartNew();
        var sha = Convert.ToHexStringLower(await HashFileAsync(source));
        var layout = UploadLayout(size);
        var md5s = await ChunkMd5sAsync(source, size, layout);
        var clientHash = clock.Elapsed.TotalSeconds;

        var copySeconds = 0.0;
        if (copyFirst)
        {
            var copy = Path.Combine(work, $"{label}.copy");
            clock.Restart();
            await using (var from = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read, 0, FileOptions.SequentialScan))
            await using (var to = new FileStream(copy, FileMode.Create, FileAccess.Write, FileShare.None, 0))
            {
                await from.CopyToAsync(to, (int)MiB);
            }
            copySeconds = clock.Elapsed.TotalSeconds;
            File.Delete(copy);
        }

        var version = await SendAsync(server.Client, token, HttpMethod.Post, "/api/models/bench-upload/versions",
            new { notes = label, file = new { fileName = $"{label}.bin", size, sha256 = sha } });
        var upload = version.GetProperty("upload");
        var chunkSize = upload.GetProperty("chunkSize").GetInt64();
        var chunkCount = upload.GetProperty("chunkCount").GetInt32();
        if (chunkSize != layout)
        {
            throw new InvalidOperationException($"The hub chose {chunkSize}-byte chunks; the bench prepared {layout}-byte ones.");
        }
        var target = upload.GetProperty("target").GetProperty("url").GetString()!;
        var completeUrl = upload.GetProperty("url").GetString() + "/complete";

        var start = server.Memory().Rss;
        server.ResetPeakMemory();
        clock.Restart();
        var next = -1;
        using var handle = File.OpenHandle(source, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan);
        await Task.WhenAll(Enumerable.Range(0, InFlight).Select(async _ =>
        {
            var buffer = ArrayPool<byte>.Shared.Rent((int)chunkSize);
            try
            {
                int index;
                while ((index = Interlocked.Increment(ref next)) < chunkCount)
                {
                    var length = (int)Math.Min(chunkSize, size - index * chunkSize);
                    var read = 0;
                    while (read < length) read += await RandomAccess.ReadAsync(handle, buffer.AsMemory(read, length - read), index * chunkSize + read);
                    using var content = new ByteArrayContent(buffer, 0, length);
                    content.Headers.ContentMD5 = md5s[index];
                    var blockId = Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes(index.ToString("D6")));
                    using var response = await server.Client.PutAsync($"{target}&comp=block&blockid={blockId}", content);
                    if (!response.IsSuccessStatusCode)
                    {
                        throw new InvalidOperationException($"chunk {index}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                    }
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }));
        var chunkSeconds = clock.Elapsed.TotalSeconds;
        clock.Restart();
        var completion = await SendAsync(server.Client, token, HttpMethod.Post, completeUrl, null);
        var completeSeconds = clock.Elapsed.TotalSeconds;
        var (_, peak) = server.Memory();
        File.Delete(source);

        var verified = completion.GetProperty("upload").GetProperty("computedSha256").GetString() == sha
            && completion.GetProperty("version").GetProperty("status").GetString() == "ready";
        return new Run(size, copySeconds, chunkSeconds, completeSeconds, clientHash, peak, start, verified);
    }

    /// <summary>The hub's default chunk size (5 MiB, larger only past 250 GiB).</summary>
    private static long UploadLayout(long size) => Math.Max(5 * MiB, (size + 49_999) / 50_000 + MiB - 1) / MiB * MiB;

    private static async Task<byte[][]> ChunkMd5sAsync(string path, long size, long chunkSize)
    {
        var count = (int)((size + chunkSize - 1) / chunkSize);
        var result = new byte[count][];
        var buffer = new byte[chunkSize];
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 0, FileOptions.SequentialScan);
        for (var i = 0; i < count; i++)
        {
            var length = (int)Math.Min(chunkSize, size - i * chunkSize);
            await stream.ReadExactlyAsync(buffer.AsMemory(0, length));
            result[i] = MD5.HashData(buffer.AsSpan(0, length));
        }
        return result;
    }

    /// <summary>Incompressible bytes, quickly: one random MiB, each copy stamped with its index so no two chunks are equal.</summary>
    private static void WriteSource(string path, long size)
    {
        var block = new byte[MiB];
        Random.Shared.NextBytes(block);
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 0);
        for (long written = 0, i = 0; written < size; i++)
        {
            BitConverter.TryWriteBytes(block, i);
            var n = (int)Math.Min(block.Length, size - written);
            stream.Write(block, 0, n);
            written += n;
        }
        // On disk before anything is timed, so neither the copy nor the upload pays for writing the source.
        stream.Flush(flushToDisk: true);
    }

    private static async Task<byte[]> HashFileAsync(string path)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, (int)MiB, FileOptions.SequentialScan);
        return await SHA256.HashDataAsync(stream);
    }

    internal static async Task<JsonElement> SendAsync(HttpClient client, string token, HttpMethod method, string url, object? body)
    {
        using var request = new HttpRequestMessage(method, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (body is not null) request.Content = JsonContent.Create(body);
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{method} {url}: {(int)response.StatusCode} {text}");
        }
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    internal static double Rate(long bytes, double seconds) => bytes / 1e6 / seconds;

    internal static string FormatSize(long bytes) => bytes >= 1L << 30 ? $"{bytes / (double)(1L << 30):0.#} GiB" : $"{bytes / (double)MiB:0} MiB";
}
