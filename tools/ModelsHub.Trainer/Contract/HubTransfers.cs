using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using ModelsHub.Contracts;
using ModelsHub.Contracts.Uploads;

namespace ModelsHub.Trainer.Contract;

/// <summary>
/// The trainer's side of the hub's file protocols: inputs are read from signed read links (checked
/// against the SHA-256 the hub states), the output goes up through the hub's upload protocol
/// (declare the file, Put Block per chunk with Content-MD5 to the target the hub hands out) with the
/// job-scoped output URL instead of a user's token. A request that fails for want of the hub (it
/// restarts, the network blips, 5xx, 429) is tried again with back-off for up to <see cref="GiveUpAfter"/>,
/// as events are: a hub that comes back finds its trainer still at work.
/// </summary>
public sealed class HubTransfers(HttpClient http, TextWriter log, TimeSpan? giveUpAfter = null)
{
    public TimeSpan GiveUpAfter { get; } = giveUpAfter ?? TimeSpan.FromMinutes(10);

    /// <summary>Downloads <paramref name="url"/> to <paramref name="path"/> and checks its size and SHA-256.</summary>
    public async Task DownloadAsync(Uri url, string path, long size, string sha256, CancellationToken cancellationToken)
    {
        var started = DateTime.UtcNow;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
                if (!response.IsSuccessStatusCode)
                {
                    var reason = $"reading {Describe(url)} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}";
                    if ((int)response.StatusCode is >= 400 and < 500 and not 408 and not 429)
                    {
                        throw new InvalidOperationException(reason);
                    }
                    throw new HttpRequestException(reason);
                }
                await using (var file = File.Create(path))
                {
                    await response.Content.CopyToAsync(file, cancellationToken);
                }
                var length = new FileInfo(path).Length;
                var actual = await HashAsync(path, cancellationToken);
                if (length != size || !string.Equals(actual, sha256, StringComparison.OrdinalIgnoreCase))
                {
                    throw new InvalidDataException($"{Path.GetFileName(path)} arrived as {length} bytes with SHA-256 {actual}; the hub stated {size} bytes and {sha256}.");
                }
                return;
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException && DateTime.UtcNow - started < GiveUpAfter)
            {
                await log.WriteLineAsync($"download: {ex.Message}; trying again");
                await Task.Delay(Backoff(attempt), cancellationToken);
            }
        }
    }

    /// <summary>
    /// Uploads <paramref name="path"/> through the hub's upload protocol: opens the upload at
    /// <paramref name="outputUrl"/> (or finds the one already open for the same file), sends the
    /// chunks the hub does not have yet and returns the upload. The hub commits and verifies it once
    /// the trainer's <c>output</c> event names it.
    /// </summary>
    public async Task<UploadDto> UploadAsync(Uri outputUrl, string path, string sha256, CancellationToken cancellationToken)
    {
        var file = new FileInfo(path);
        var upload = await SendAsync(() => http.PostAsJsonAsync(outputUrl,
            new UploadRequestBody(file.Name, file.Length, sha256, "application/zip"), ContractJson.RequestOptions, cancellationToken), cancellationToken);
        var target = upload.Target ?? throw new InvalidOperationException($"The hub opened upload {upload.Id} without a target (it is {upload.Status}).");
        var received = new HashSet<int>(upload.ReceivedChunks.SelectMany(r => Enumerable.Range(r[0], r[1] - r[0] + 1)));
        var buffer = ArrayPool<byte>.Shared.Rent((int)upload.ChunkSize);
        try
        {
            await using var stream = file.OpenRead();
            for (var index = 0; index < upload.ChunkCount; index++)
            {
                var length = (int)Math.Min(upload.ChunkSize, file.Length - index * upload.ChunkSize);
                if (received.Contains(index))
                {
                    continue;
                }
                stream.Position = index * upload.ChunkSize;
                await stream.ReadExactlyAsync(buffer.AsMemory(0, length), cancellationToken);
                var md5 = Convert.ToBase64String(MD5.HashData(buffer.AsSpan(0, length)));
                var blockUrl = new Uri(new Uri(outputUrl, target.Url) + "&comp=block&blockid=" + BlockId(index));
                await SendAsync(async () =>
                {
                    var content = new ByteArrayContent(buffer, 0, length);
                    content.Headers.TryAddWithoutValidation("Content-MD5", md5);
                    var request = new HttpRequestMessage(HttpMethod.Put, blockUrl) { Content = content };
                    request.Headers.TryAddWithoutValidation("x-ms-version", "2025-01-05");
                    request.Headers.TryAddWithoutValidation("x-ms-blob-type", "BlockBlob");
                    return await http.SendAsync(request, cancellationToken);
                }, cancellationToken);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return upload;
    }

    /// <summary>Block ids as the hub's protocol names them: the base64 of the chunk index as six digits.</summary>
    public static string BlockId(int index) => Convert.ToBase64String(Encoding.ASCII.GetBytes(index.ToString("D6", CultureInfo.InvariantCulture)));

    public static async Task<string> HashAsync(string path, CancellationToken cancellationToken)
    {
        await using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken));
    }

    private async Task<UploadDto> SendAsync(Func<Task<HttpResponseMessage>> send, CancellationToken cancellationToken)
    {
        var started = DateTime.UtcNow;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                using var response = await send();
                if (response.IsSuccessStatusCode)
                {
                    return response.Content.Headers.ContentType?.MediaType == "application/json"
                        ? (await response.Content.ReadFromJsonAsync<UploadDto>(ContractJson.Options, cancellationToken))!
                        : null!;
                }
                var text = await response.Content.ReadAsStringAsync(cancellationToken);
                if (response.StatusCode == HttpStatusCode.Conflict)
                {
                    throw new JobEndedException($"The hub refused the output: {text}");
                }
                if ((int)response.StatusCode is >= 400 and < 500 and not 408 and not 429)
                {
                    throw new InvalidOperationException($"The hub refused the output upload ({(int)response.StatusCode}): {text}");
                }
                throw new HttpRequestException($"The hub answered {(int)response.StatusCode}: {text}");
            }
            catch (HttpRequestException ex) when (DateTime.UtcNow - started < GiveUpAfter)
            {
                await log.WriteLineAsync($"upload: {ex.Message}; trying again");
                await Task.Delay(Backoff(attempt), cancellationToken);
            }
        }
    }

    private static TimeSpan Backoff(int attempt) => TimeSpan.FromMilliseconds(Math.Min(250 * Math.Pow(2, attempt - 1), 10_000));

    /// <summary>A URL without its query (signatures stay out of logs).</summary>
    private static string Describe(Uri url) => url.GetLeftPart(UriPartial.Path);
}
