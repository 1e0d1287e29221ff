using System.Buffers;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;

namespace ModelsHub.Bench;

/// <summary>
/// The upload protocol as the bench drives it, for a model's or a dataset's versions alike: the
/// client's own hashing first (untimed), then a version declared with its file, every chunk through
/// the embedded chunk endpoint with <see cref="InFlight"/> in flight (Content-MD5 on each), and
/// complete (commit, server-side SHA-256, publish), timed; and a plain copy of the same bytes to compare.
/// </summary>
public static class BenchUploads
{
    public const int InFlight = 4;
    private const long MiB = 1024 * 1024;

    /// <summary>What the client computes before it uploads: the declared SHA-256 and each chunk's MD5.</summary>
    public sealed record Prepared(string Sha256, long ChunkSize, byte[][] Md5s, double ClientHashSeconds);

    /// <summary>One upload: the chunks' time, complete's time, its answer, and the server's resident memory (MiB) at the start and its peak through complete.</summary>
    public sealed record Upload(double ChunkSeconds, double CompleteSeconds, JsonElement Completion, double StartMiB, double PeakMiB);

    public static async Task<Prepared> PrepareAsync(string source, long size)
    {
        var clock = Stopwatch.StartNew();
        var sha = Convert.ToHexStringLower(await HashFileAsync(source));
        var layout = UploadLayout(size);
        var md5s = await ChunkMd5sAsync(source, size, layout);
        return new Prepared(sha, layout, md5s, clock.Elapsed.TotalSeconds);
    }

    /// <summary>Copies the file on the same disk (the baseline an upload is judged against) and returns the seconds it took.</summary>
    public static async Task<double> PlainCopyAsync(string source, string copy)
    {
        var clock = Stopwatch.StartNew();
        await using (var from = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read, 0, FileOptions.SequentialScan))
        await using (var to = new FileStream(copy, FileMode.Create, FileAccess.Write, FileShare.None, 0))
        {
            await from.CopyToAsync(to, (int)MiB);
        }
        var seconds = clock.Elapsed.TotalSeconds;
        File.Delete(copy);
        return seconds;
    }

    /// <summary>Declares a new version of <paramref name="versionsUrl"/> with the file, sends every chunk, completes.</summary>
    public static async Task<Upload> UploadAsync(ServerProcess server, string token, string versionsUrl, string fileName, string source, long size, Prepared prepared, string notes)
    {
        var version = await SendAsync(server.Client, token, HttpMethod.Post, versionsUrl,
            new { notes, file = new { fileName, size, sha256 = prepared.Sha256 } });
        var upload = version.GetProperty("upload");
        var chunkSize = upload.GetProperty("chunkSize").GetInt64();
        var chunkCount = upload.GetProperty("chunkCount").GetInt32();
        if (chunkSize != prepared.ChunkSize)
        {
            throw new InvalidOperationException($"The hub chose {chunkSize}-byte chunks; the bench prepared {prepared.ChunkSize}-byte ones.");
        }
        var target = upload.GetProperty("target").GetProperty("url").GetString()!;
        var completeUrl = upload.GetProperty("url").GetString() + "/complete";

        var start = server.Memory().Rss;
        server.ResetPeakMemory();
        var chunkSeconds = await SendChunksAsync(server.Client, target, source, size, chunkSize, chunkCount, prepared);
        var clock = Stopwatch.StartNew();
        var completion = await SendAsync(server.Client, token, HttpMethod.Post, completeUrl, null);
        var completeSeconds = clock.Elapsed.TotalSeconds;
        var (_, peak) = server.Memory();
        return new Upload(chunkSeconds, completeSeconds, completion, start, peak);
    }

    /// <summary>Sends every chunk of <paramref name="source"/> to an upload target, <see cref="InFlight"/> at a time with Content-MD5; returns the seconds it took.</summary>
    public static async Task<double> SendChunksAsync(HttpClient client, string target, string source, long size, long chunkSize, int chunkCount, Prepared prepared)
    {
        var clock = Stopwatch.StartNew();
        var next = -1;
        using (var handle = File.OpenHandle(source, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan))
        {
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
                        content.Headers.ContentMD5 = prepared.Md5s[index];
                        var blockId = Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes(index.ToString("D6")));
                        using var response = await client.PutAsync($"{target}&comp=block&blockid={blockId}", content);
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
        }
        return clock.Elapsed.TotalSeconds;
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

    private static async Task<byte[]> HashFileAsync(string path)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, (int)MiB, FileOptions.SequentialScan);
        return await SHA256.HashDataAsync(stream);
    }

    public static async Task<JsonElement> SendAsync(HttpClient client, string token, HttpMethod method, string url, object? body)
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

    public static double Rate(long bytes, double seconds) => bytes / 1e6 / seconds;

    public static string FormatSize(long bytes) => bytes >= 1L << 30 ? $"{bytes / (double)(1L << 30):0.#} GiB" : $"{bytes / (double)MiB:0} MiB";
}
