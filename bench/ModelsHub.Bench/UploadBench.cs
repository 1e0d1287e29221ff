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

    /// <summary>1 GiB unless <c>BENCH_UPLOAD_MIB</c> says otherwise.</summary>
    private static long UploadBytes => long.TryParse(Environment.GetEnvironmentVariable("BENCH_UPLOAD_MIB"), out var mib) && mib > 0 ? mib * MiB : 1024 * MiB;

    public static async Task<bool> RunAsync(string serverDll, BenchOptions options)
    {
        Console.WriteLine($"== upload: {BenchUploads.FormatSize(UploadBytes)} through the embedded chunk endpoint, {BenchUploads.InFlight} chunks in flight, beside a plain copy");
        var work = Path.Combine(Path.GetTempPath(), "modelshub-bench-upload", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(work);
        try
        {
            await using var server = await ServerProcess.StartAsync(serverDll, new Dictionary<string, string>());
            var token = await CatalogBench.TokenAsync(server.Client, "bench-uploader", "user");
            await BenchUploads.SendAsync(server.Client, token, HttpMethod.Post, "/api/models", new { name = "bench-upload", type = "custom" });

            // A warm-up first (JIT, pools, GC budgets settle), then a smaller file: the peak memory of
            // the two measured runs must be about the same.
            await RunOneAsync(server, token, work, "warmup", 128 * MiB, copyFirst: false);
            var smallSize = Math.Min(UploadBytes, 256 * MiB);
            var small = await RunOneAsync(server, token, work, "small", smallSize, copyFirst: false);
            var large = await RunOneAsync(server, token, work, "large", UploadBytes, copyFirst: true);

            Console.WriteLine($"  {"",-34} {"size",9} {"seconds",8} {"MB/s",8}");
            Console.WriteLine($"  {"plain copy (same bytes, same disk)",-34} {BenchUploads.FormatSize(large.Size),9} {large.CopySeconds,8:0.00} {BenchUploads.Rate(large.Size, large.CopySeconds),8:0}");
            Console.WriteLine($"  {"upload: chunks",-34} {BenchUploads.FormatSize(large.Size),9} {large.ChunkSeconds,8:0.00} {BenchUploads.Rate(large.Size, large.ChunkSeconds),8:0}");
            Console.WriteLine($"  {"upload: complete (commit+SHA-256)",-34} {"",9} {large.CompleteSeconds,8:0.00}");
            Console.WriteLine($"  {"upload: total",-34} {BenchUploads.FormatSize(large.Size),9} {large.UploadSeconds,8:0.00} {BenchUploads.Rate(large.Size, large.UploadSeconds),8:0}");
            Console.WriteLine($"  (the client's own hashing — the SHA-256 it declares and each chunk's Content-MD5 — took {large.ClientHashSeconds:0.00} s before the clock started)");
            var ratio = large.CopySeconds / large.UploadSeconds;
            Console.WriteLine($"  upload ÷ plain copy: {ratio:0.00}");
            Console.WriteLine($"  server peak resident memory: {small.PeakMiB:0} MiB during {BenchUploads.FormatSize(small.Size)}, {large.PeakMiB:0} MiB during {BenchUploads.FormatSize(large.Size)} (at start {small.StartMiB:0} MiB)");

            var ok = true;
            ok &= Report.Target("upload ≥ 0.7 × plain copy", ratio >= 0.7, $"{ratio:0.00}");
            ok &= Report.Target("SHA-256 verified by the server", large.Verified && small.Verified, large.Verified && small.Verified ? "match" : "MISMATCH");
            var growth = large.PeakMiB - small.PeakMiB;
            ok &= Report.Target($"peak memory does not grow with file size ({BenchUploads.FormatSize(small.Size)} → {BenchUploads.FormatSize(large.Size)})",
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
        var prepared = await BenchUploads.PrepareAsync(source, size);
        var copySeconds = copyFirst ? await BenchUploads.PlainCopyAsync(source, Path.Combine(work, $"{label}.copy")) : 0.0;
        var upload = await BenchUploads.UploadAsync(server, token, "/api/models/bench-upload/versions", $"{label}.bin", source, size, prepared, label);
        File.Delete(source);
        var verified = upload.Completion.GetProperty("upload").GetProperty("computedSha256").GetString() == prepared.Sha256
            && upload.Completion.GetProperty("version").GetProperty("status").GetString() == "ready";
        return new Run(size, copySeconds, upload.ChunkSeconds, upload.CompleteSeconds, prepared.ClientHashSeconds, upload.PeakMiB, upload.StartMiB, verified);
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
}
