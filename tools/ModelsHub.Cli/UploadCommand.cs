using System.Buffers;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using ModelsHub.Contracts;
using ModelsHub.Contracts.Uploads;
using ModelsHub.Contracts.Versions;

namespace ModelsHub.Cli;

/// <summary>
/// A resumable upload, the way any client of the protocol works: open (or find) the upload, read
/// which chunks the hub already has, send the missing ones with Content-MD5 (to a SAS URL or the
/// hub's mirror of it — the same requests), commit the block list, then ask the hub to verify.
/// Ctrl+C stops it between chunks; the same command later sends only what is missing.
/// </summary>
public sealed class UploadCommand(CliContext cli, FileInfo file, AssetTarget asset, string? label, string? notes, string? contentType, int parallel, long? limitRate, bool wait = true)
{
    public static Command Build(Func<ParseResult, CliContext> context, Func<CliContext, Func<Task<int>>, CancellationToken, Task<int>> run)
    {
        var file = FileArgument();
        var (model, dataset) = AssetTarget.Options("upload into");
        var options = new UploadOptions();
        var command = new Command("upload", "Upload a file into a model's or a dataset's version in chunks; run it again after a cut (or Ctrl+C) and only the missing chunks are sent. A dataset's file is then validated: the command waits for it, prints the records and token estimate, or the first errors with their lines (exit 1).")
        {
            file, model, dataset,
        };
        options.AddTo(command);
        AssetTarget.RequireOne(command, model, dataset);
        command.SetAction((parse, cancellationToken) =>
            options.RunAsync(context(parse), parse, parse.GetValue(file)!, AssetTarget.From(parse.GetValue(model), parse.GetValue(dataset)), run, cancellationToken));
        return command;
    }

    /// <summary>The file argument of an upload: it must exist.</summary>
    public static Argument<FileInfo> FileArgument()
    {
        var file = new Argument<FileInfo>("file") { Description = "The file to upload." };
        file.AcceptExistingOnly();
        return file;
    }

    /// <summary>
    /// The options of every upload command (<c>upload</c>, <c>datasets upload</c>) and the one way they
    /// become an <see cref="UploadCommand"/> run.
    /// </summary>
    public sealed class UploadOptions
    {
        private readonly Option<bool> _noWait = new("--no-wait") { Description = "Do not wait for a dataset file's validation." };
        private readonly Option<string?> _version = new("--version", "-v") { Description = "The version's label (created when missing); without it the file's unfinished upload is resumed, or a new version gets the suggested label." };
        private readonly Option<string?> _notes = new("--notes") { Description = "Notes for a version this creates." };
        private readonly Option<string?> _contentType = new("--content-type") { Description = "The file's media type (default: from its extension)." };
        private readonly Option<int> _parallel = new("--parallel") { Description = "Chunks in flight at once (1-32).", DefaultValueFactory = _ => 4 };
        private readonly Option<long?> _limitRate = CliOptions.Bytes("--limit-rate", "Average upload speed limit in bytes per second (16M, 512K, ...).");

        public UploadOptions() =>
            _parallel.Validators.Add(r => { if (r.GetValueOrDefault<int>() is < 1 or > 32) r.AddError("--parallel must be from 1 to 32."); });

        public void AddTo(Command command)
        {
            foreach (var option in new Option[] { _version, _notes, _contentType, _parallel, _limitRate, _noWait })
            {
                command.Options.Add(option);
            }
        }

        public Task<int> RunAsync(CliContext cli, ParseResult parse, FileInfo file, AssetTarget asset,
            Func<CliContext, Func<Task<int>>, CancellationToken, Task<int>> run, CancellationToken cancellationToken)
        {
            var upload = new UploadCommand(cli, file, asset, parse.GetValue(_version), parse.GetValue(_notes), parse.GetValue(_contentType),
                parse.GetValue(_parallel), parse.GetValue(_limitRate), !parse.GetValue(_noWait));
            return run(cli, () => upload.RunAsync(cancellationToken), cancellationToken);
        }
    }

    private const int MaxAttempts = 5;

    /// <summary>How often a client waiting on a background verification asks for completion again.</summary>
    private static readonly TimeSpan CompleteRetryInterval = TimeSpan.FromSeconds(30);

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var limiter = new RateLimiter(limitRate);
        using var hub = cli.Connect();
        using var blobs = HubClient.CreateBlobClient();

        cli.Say($"hashing {file.Name} ({file.Length:N0} bytes)…");
        var sha = await HashAsync(file.FullName, cancellationToken);
        cli.Say($"sha256 {sha}");

        var upload = await OpenAsync(hub, asset, label, file, sha, cancellationToken);
        var self = upload.Url;
        var chunkSize = upload.ChunkSize;
        var chunkCount = upload.ChunkCount;
        cli.Say($"upload {upload.Id} into {asset.Noun} {asset.Name} {upload.Version}: {chunkCount} chunks of {chunkSize:N0} bytes");

        var state = await hub.ExpectAsync<UploadDto>(HttpMethod.Get, self, null, cancellationToken, HttpStatusCode.OK);
        if (state.Status == UploadStatus.Open)
        {
            var received = Received(state);
            if (received.Count > 0)
            {
                cli.Say($"resuming: {received.Count} of {chunkCount} chunks already uploaded");
            }
            var missing = new Queue<int>(Enumerable.Range(0, chunkCount).Where(i => !received.Contains(i)));
            var target = new TargetHolder(TargetOf(state));
            var clock = Stopwatch.StartNew();
            long sent = 0;
            var done = received.Count;
            var sentChunks = 0;
            var already = received.Sum(i => Math.Min(chunkSize, file.Length - i * chunkSize));
            using var handle = File.OpenHandle(file.FullName, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan);
            try
            {
                await TransferProgress.RunAsync(cli, $"{file.Name} → {asset.Name} {upload.Version}", file.Length, already, progress => SendAsync(progress));
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                cli.Say($"interrupted: {Volatile.Read(ref done)} of {chunkCount} chunks are on the hub; run the same command again to resume.");
                return ExitCodes.Interrupted;
            }
            cli.Say(string.Create(CultureInfo.InvariantCulture,
                $"sent {sentChunks} chunks ({sent:N0} bytes) in {clock.Elapsed.TotalSeconds:0.0} s, {sent / 1e6 / Math.Max(clock.Elapsed.TotalSeconds, 0.001):0.0} MB/s"));
            await CommitAsync(blobs, hub, self, target, chunkCount, upload.ContentType, cancellationToken);

            async Task<int> SendAsync(ITransferProgress progress)
            {
                await Task.WhenAll(Enumerable.Range(0, parallel).Select(async _ =>
            {
                var buffer = ArrayPool<byte>.Shared.Rent((int)chunkSize);
                try
                {
                    while (true)
                    {
                        int index;
                        lock (missing)
                        {
                            if (!missing.TryDequeue(out index)) return;
                        }
                        var length = (int)Math.Min(chunkSize, file.Length - index * chunkSize);
                        await RandomAccess.ReadAsync(handle, buffer.AsMemory(0, length), index * chunkSize, cancellationToken);
                        await limiter.WaitAsync(length, cancellationToken);
                        await PutBlockAsync(blobs, hub, self, target, index, buffer, length, cancellationToken);
                        var total = Interlocked.Increment(ref done);
                        Interlocked.Increment(ref sentChunks);
                        Interlocked.Add(ref sent, length);
                        progress.Advance(length);
                        progress.Chunk(index, total, chunkCount);
                    }
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
            }));
                return sentChunks;
            }
        }
        var result = await CompleteAsync(hub, self, sha, cancellationToken);
        if (result != ExitCodes.Ok || !asset.IsDataset || !wait || _completedLabel is not { } completed)
        {
            return result;
        }
        return await new ValidationReport(cli).WaitAsync(hub, asset, completed, cancellationToken);
    }

    /// <summary>The file's unfinished upload if there is one, else a new upload (and a new version when needed).</summary>
    private async Task<UploadDto> OpenAsync(HubClient hub, AssetTarget asset, string? label, FileInfo file, string sha, CancellationToken cancellationToken)
    {
        var modelPath = asset.Path;
        var declaration = new UploadRequestBody(file.Name, file.Length, sha, contentType);
        if (label is not null)
        {
            var answer = await hub.SendAsync<UploadDto>(HttpMethod.Post, $"{modelPath}/versions/{Uri.EscapeDataString(label)}/uploads", declaration, cancellationToken);
            if (answer is { Status: HttpStatusCode.Created or HttpStatusCode.OK, Value: { } opened })
            {
                return opened;
            }
            // A version that does not exist yet is created below; any other refusal stops here.
            if (answer.Status != HttpStatusCode.NotFound || answer.Problem?.Detail is { } detail && !detail.StartsWith("Version", StringComparison.Ordinal))
            {
                throw HubClient.Problem(HttpMethod.Post, $"{modelPath}/versions/{label}/uploads", answer);
            }
        }
        else
        {
            var open = await hub.ExpectAsync<UploadListResponse>(HttpMethod.Get, $"{modelPath}/uploads", null, cancellationToken, HttpStatusCode.OK);
            var unfinished = open.Items.FirstOrDefault(u => u.FileName == file.Name && u.Size == file.Length && u.Sha256 == sha && u.Status == UploadStatus.Open);
            if (unfinished is not null)
            {
                return unfinished;
            }
        }
        var version = await hub.ExpectAsync<VersionDto>(HttpMethod.Post, $"{modelPath}/versions", new VersionRequest(label, notes, null, declaration),
            cancellationToken, HttpStatusCode.Created);
        cli.Say($"version {version.Label} created");
        return version.Upload ?? throw new HubRequestException($"The hub created version {version.Label} but opened no upload into it.");
    }

    private async Task PutBlockAsync(HttpClient blobs, HubClient hub, string self, TargetHolder target, int index, byte[] buffer, int length, CancellationToken cancellationToken)
    {
        var md5 = MD5.HashData(buffer.AsSpan(0, length));
        var blockId = Convert.ToBase64String(Encoding.ASCII.GetBytes(index.ToString("D6", CultureInfo.InvariantCulture)));
        for (var attempt = 1; ; attempt++)
        {
            var url = target.Url;
            try
            {
                using var content = new ByteArrayContent(buffer, 0, length);
                content.Headers.ContentMD5 = md5;
                using var request = new HttpRequestMessage(HttpMethod.Put, $"{url}&comp=block&blockid={blockId}") { Content = content };
                request.Headers.Add("x-ms-version", "2023-11-03");
                using var response = await blobs.SendAsync(request, cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
                if (response.StatusCode == HttpStatusCode.Forbidden && attempt < MaxAttempts)
                {
                    // The target (a SAS, or the hub's signed URL) expired: the upload's state carries a fresh one.
                    await target.RefreshAsync(url, hub, self, cancellationToken);
                    continue;
                }
                if ((int)response.StatusCode >= 500 && attempt < MaxAttempts)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), cancellationToken);
                    continue;
                }
                throw new HubRequestException($"chunk {index}: {(int)response.StatusCode} {response.StatusCode} — {await response.Content.ReadAsStringAsync(cancellationToken)}");
            }
            catch (HttpRequestException ex) when (attempt < MaxAttempts)
            {
                await cli.Errors.WriteLineAsync($"chunk {index}: {ex.Message}; retrying");
                await Task.Delay(TimeSpan.FromMilliseconds(500 * attempt), cancellationToken);
            }
        }
    }

    /// <summary>Put Block List with every chunk in order: works against a SAS URL and the hub alike.</summary>
    private async Task CommitAsync(HttpClient blobs, HubClient hub, string self, TargetHolder target, int chunkCount, string contentType, CancellationToken cancellationToken)
    {
        var xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"utf-8\"?><BlockList>");
        for (var i = 0; i < chunkCount; i++)
        {
            xml.Append("<Latest>").Append(Convert.ToBase64String(Encoding.ASCII.GetBytes(i.ToString("D6", CultureInfo.InvariantCulture)))).Append("</Latest>");
        }
        xml.Append("</BlockList>");
        for (var attempt = 1; ; attempt++)
        {
            var url = target.Url;
            using var request = new HttpRequestMessage(HttpMethod.Put, $"{url}&comp=blocklist") { Content = new StringContent(xml.ToString(), Encoding.UTF8, "application/xml") };
            request.Headers.Add("x-ms-version", "2023-11-03");
            request.Headers.Add("x-ms-blob-content-type", contentType);
            using var response = await blobs.SendAsync(request, cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                cli.Say($"committed {chunkCount} chunks");
                return;
            }
            if (response.StatusCode == HttpStatusCode.Forbidden && attempt < MaxAttempts)
            {
                await target.RefreshAsync(url, hub, self, cancellationToken);
                continue;
            }
            throw new HubRequestException($"commit: {(int)response.StatusCode} {response.StatusCode} — {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }
    }

    private string? _completedLabel;

    /// <summary>Asks the hub to verify and publish; waits while it works in the background.</summary>
    private async Task<int> CompleteAsync(HubClient hub, string self, string sha, CancellationToken cancellationToken)
    {
        var answer = await hub.SendAsync<UploadCompletionResponse>(HttpMethod.Post, self + "/complete", null, cancellationToken);
        var deadline = DateTime.UtcNow.AddHours(2);
        var lastAsked = DateTime.UtcNow;
        while (answer.Status == HttpStatusCode.Accepted && DateTime.UtcNow < deadline)
        {
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            var state = await hub.ExpectAsync<UploadDto>(HttpMethod.Get, self, null, cancellationToken, HttpStatusCode.OK);
            // Complete is idempotent: asking again now and then lets the hub take over a verification
            // whose worker died (its lease lapsed) instead of waiting for the sweeper.
            if (state.Status is UploadStatus.Completed or UploadStatus.Failed || DateTime.UtcNow - lastAsked >= CompleteRetryInterval)
            {
                answer = await hub.SendAsync<UploadCompletionResponse>(HttpMethod.Post, self + "/complete", null, cancellationToken);
                lastAsked = DateTime.UtcNow;
            }
        }
        if (answer is not { Status: HttpStatusCode.OK, Value: { } completion })
        {
            throw HubClient.Problem(HttpMethod.Post, self + "/complete", answer);
        }
        var computed = completion.Upload.ComputedSha256;
        var version = completion.Version;
        _completedLabel = version?.Label ?? completion.Upload.Version;
        cli.Say(version is null
            ? $"verified: {asset.Name} {completion.Upload.Version}, sha256 {computed}"
            : $"verified: {version.Model ?? version.Dataset} {version.Label} is {EnumNames<VersionStatus>.NameOf(version.Status)}, sha256 {computed}");
        if (cli.Json && !(asset.IsDataset && wait))
        {
            // A dataset upload that waits prints one document: the validated version (ValidationReport).
            cli.WriteJson(completion);
        }
        if (computed != sha)
        {
            await cli.Errors.WriteLineAsync($"The hub computed SHA-256 {computed}, not {sha}.");
            return ExitCodes.Failed;
        }
        return ExitCodes.Ok;
    }

    /// <summary>The chunk indexes the hub has, from its <c>[first, last]</c> ranges.</summary>
    private static HashSet<int> Received(UploadDto state)
    {
        var received = new HashSet<int>();
        foreach (var range in state.ReceivedChunks)
        {
            for (var i = range[0]; i <= range[1]; i++) received.Add(i);
        }
        return received;
    }

    private static string TargetOf(UploadDto state) =>
        state.Target?.Url ?? throw new HubRequestException("The upload is open but the hub gave no target to send chunks to.");

    private static async Task<string> HashAsync(string path, CancellationToken cancellationToken)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1024 * 1024, FileOptions.SequentialScan);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken));
    }

    /// <summary>The current target URL, refreshed once by whichever worker first sees it expired.</summary>
    private sealed class TargetHolder(string url)
    {
        private readonly SemaphoreSlim _refresh = new(1, 1);

        public string Url { get; private set; } = url;

        public async Task RefreshAsync(string expired, HubClient hub, string self, CancellationToken cancellationToken)
        {
            await _refresh.WaitAsync(cancellationToken);
            try
            {
                if (Url == expired)
                {
                    Url = TargetOf(await hub.ExpectAsync<UploadDto>(HttpMethod.Get, self, null, cancellationToken, HttpStatusCode.OK));
                }
            }
            finally
            {
                _refresh.Release();
            }
        }
    }

    /// <summary>Keeps the average send rate under a limit (--limit-rate), like curl's option of that name.</summary>
    private sealed class RateLimiter(long? bytesPerSecond)
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private long _scheduled;

        public Task WaitAsync(long bytes, CancellationToken cancellationToken)
        {
            if (bytesPerSecond is not { } rate) return Task.CompletedTask;
            var at = TimeSpan.FromSeconds((double)Interlocked.Add(ref _scheduled, bytes) / rate) - _clock.Elapsed;
            return at > TimeSpan.Zero ? Task.Delay(at, cancellationToken) : Task.CompletedTask;
        }
    }
}
