using System.Diagnostics;
using System.Net;
using System.Text;
using Microsoft.JSInterop;
using ModelsHub.Contracts;
using ModelsHub.Web.Services.Api;

namespace ModelsHub.Web.Services.Uploads;

/// <summary>Sends one chunk of a held file to a URL; answers the HTTP status (0 for a network error, -1 when the file is gone).</summary>
public interface IChunkSender
{
    Task<int> PutAsync(string fileKey, string url, long start, long end);
}

/// <summary>How far an upload is: bytes, speed and time left, for the progress bar.</summary>
public sealed record UploadProgress(long BytesDone, long TotalBytes, double BytesPerSecond, TimeSpan? Remaining, int ChunksDone, int ChunkCount)
{
    public double Percent => TotalBytes == 0 ? 100 : 100.0 * BytesDone / TotalBytes;
}

/// <summary>
/// The browser side of the upload protocol (DESIGN.md "Blob uploads"): it asks the hub which chunks arrived,
/// sends only the missing ones straight to the upload target (Put Block; the hub's mirror or a SAS URL),
/// a few at a time, with retries and a fresh target when one expires, then asks the hub to commit and verify.
/// Closing the tab loses nothing: the hub keeps the session, and the next run sends what is still missing.
/// </summary>
public sealed class ChunkedUpload(UploadsService uploads, IChunkSender sender, TimeProvider clock)
{
    public const int Parallelism = 3;
    public const int MaxTriesPerChunk = 4;

    /// <summary>Block id of chunk <paramref name="index"/>: base64 of the index as six ASCII digits (chunk 12 is MDAwMDEy).</summary>
    public static string BlockId(int index) => Convert.ToBase64String(Encoding.ASCII.GetBytes(index.ToString("D6", System.Globalization.CultureInfo.InvariantCulture)));

    /// <summary>The chunks the hub has not received, in order.</summary>
    public static IReadOnlyList<int> Missing(UploadDto upload)
    {
        var received = new bool[upload.ChunkCount];
        foreach (var range in upload.ReceivedChunks)
        {
            var (from, to) = range.Length == 1 ? (range[0], range[0]) : (range[0], range[1]);
            for (var i = Math.Max(0, from); i <= Math.Min(upload.ChunkCount - 1, to); i++)
            {
                received[i] = true;
            }
        }
        return Enumerable.Range(0, upload.ChunkCount).Where(i => !received[i]).ToList();
    }

    public static (long Start, long End) RangeOf(UploadDto upload, int index) =>
        (index * upload.ChunkSize, Math.Min(upload.Size, (index + 1) * upload.ChunkSize));

    /// <summary>Sends what is missing and completes the upload; answers the completed upload and its version.</summary>
    public async Task<UploadCompletionResponse> RunAsync(UploadDto upload, string fileKey, IProgress<UploadProgress>? progress, CancellationToken cancellationToken)
    {
        upload = await uploads.GetAsync(upload, cancellationToken);
        if (upload.Status is UploadStatus.Open)
        {
            upload = await SendMissingAsync(upload, fileKey, progress, cancellationToken);
        }
        return await CompleteAsync(upload, cancellationToken);
    }

    private async Task<UploadDto> SendMissingAsync(UploadDto upload, string fileKey, IProgress<UploadProgress>? progress, CancellationToken cancellationToken)
    {
        var missing = new Queue<int>(Missing(upload));
        var done = upload.ChunkCount - missing.Count;
        var bytesDone = upload.Size - missing.Sum(i => RangeOf(upload, i) is var (start, end) ? end - start : 0);
        var meter = new SpeedMeter(clock);
        var target = upload.Target ?? throw new InvalidOperationException("The upload has no target; it is not open.");
        var gate = new object();
        var refresh = new SemaphoreSlim(1, 1);
        progress?.Report(new UploadProgress(bytesDone, upload.Size, 0, null, done, upload.ChunkCount));

        async Task WorkerAsync()
        {
            while (true)
            {
                int index;
                lock (gate)
                {
                    if (missing.Count == 0) return;
                    index = missing.Dequeue();
                }
                var (start, end) = RangeOf(upload, index);
                for (var attempt = 1; ; attempt++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    UploadTargetDto current;
                    lock (gate) current = target;
                    var status = await sender.PutAsync(fileKey, current.PutBlock.Replace("{blockId}", Uri.EscapeDataString(BlockId(index)), StringComparison.Ordinal), start, end);
                    if (status is >= 200 and < 300)
                    {
                        break;
                    }
                    if (status == -1)
                    {
                        throw new UploadFailedException("file-gone");
                    }
                    if (attempt >= MaxTriesPerChunk)
                    {
                        throw new UploadFailedException(status == 0 ? "network" : $"http-{status}");
                    }
                    if (status is (int)HttpStatusCode.Forbidden or (int)HttpStatusCode.Unauthorized)
                    {
                        // The signed URL expired: reading the upload issues a fresh one.
                        await refresh.WaitAsync(cancellationToken);
                        try
                        {
                            var fresh = await uploads.GetAsync(upload, cancellationToken);
                            lock (gate) target = fresh.Target ?? target;
                        }
                        finally
                        {
                            refresh.Release();
                        }
                    }
                    await Task.Delay(TimeSpan.FromMilliseconds(250 * Math.Pow(2, attempt - 1)), cancellationToken);
                }
                lock (gate)
                {
                    done++;
                    bytesDone += end - start;
                    meter.Add(end - start);
                    var speed = meter.BytesPerSecond;
                    var remaining = speed > 0 ? TimeSpan.FromSeconds((upload.Size - bytesDone) / speed) : (TimeSpan?)null;
                    progress?.Report(new UploadProgress(bytesDone, upload.Size, speed, remaining, done, upload.ChunkCount));
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, Math.Min(Parallelism, Math.Max(1, missing.Count))).Select(_ => WorkerAsync()));
        return upload;
    }

    private async Task<UploadCompletionResponse> CompleteAsync(UploadDto upload, CancellationToken cancellationToken)
    {
        var result = await uploads.CompleteAsync(upload, cancellationToken);
        var completion = result.Value!;
        // 202: the hub finishes committing and verifying in the background; follow the session until it ends.
        var delay = TimeSpan.FromMilliseconds(500);
        while (completion.Upload.Status is UploadStatus.Completing or UploadStatus.Verified or UploadStatus.Open && result.Status == HttpStatusCode.Accepted)
        {
            await Task.Delay(delay, cancellationToken);
            var current = await uploads.GetAsync(completion.Upload, cancellationToken);
            completion = completion with { Upload = current };
            if (current.Status is UploadStatus.Completed or UploadStatus.Failed)
            {
                break;
            }
            delay = TimeSpan.FromMilliseconds(Math.Min(5000, delay.TotalMilliseconds * 1.5));
        }
        if (completion.Upload.Status == UploadStatus.Failed)
        {
            throw new UploadFailedException("verification", completion.Upload.FailureReason);
        }
        return completion;
    }

    /// <summary>Bytes per second over the last few seconds, so the speed follows the connection as it changes.</summary>
    private sealed class SpeedMeter(TimeProvider clock)
    {
        private static readonly TimeSpan Window = TimeSpan.FromSeconds(5);
        private readonly Queue<(long At, long Bytes)> _samples = new();
        private readonly long _started = clock.GetTimestamp();

        public void Add(long bytes)
        {
            var now = clock.GetTimestamp();
            _samples.Enqueue((now, bytes));
            while (_samples.Count > 1 && clock.GetElapsedTime(_samples.Peek().At, now) > Window)
            {
                _samples.Dequeue();
            }
        }

        public double BytesPerSecond
        {
            get
            {
                if (_samples.Count == 0) return 0;
                var now = clock.GetTimestamp();
                var since = _samples.Count == 1 ? _started : _samples.Peek().At;
                var seconds = Math.Max(0.05, clock.GetElapsedTime(since, now).TotalSeconds);
                return _samples.Sum(s => s.Bytes) / seconds;
            }
        }
    }
}

/// <summary>An upload that could not go on: <see cref="Reason"/> is a text key (network, http-403, verification…).</summary>
public sealed class UploadFailedException(string reason, string? detail = null) : Exception(detail ?? reason)
{
    public string Reason { get; } = reason;

    public string? Detail { get; } = detail;
}

/// <summary>The browser's side of a chunk PUT: the held File's slice, sent by fetch (no copy through .NET memory).</summary>
public sealed class BrowserChunkSender(IJSRuntime js) : IChunkSender
{
    public async Task<int> PutAsync(string fileKey, string url, long start, long end) =>
        await js.InvokeAsync<int>("modelsHub.putChunk", fileKey, url, start, end);
}
