using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ModelsHub.Core.Assets;
using ModelsHub.Core.Identity;
using ModelsHub.Core.Uploads;
using ModelsHub.Core.Versions;
using ModelsHub.IntegrationTests.Infrastructure;
using Parquet;
using Parquet.Schema;

namespace ModelsHub.IntegrationTests.AzureProfile;

/// <summary>
/// The upload protocol on the Azure profile: the hub hands out a SAS URL for exactly one blob, the
/// client sends its chunks straight to Blob Storage (Azurite), the hub verifies and publishes, and
/// a download is a redirect to a short-lived read SAS. A dataset's file takes the same way under
/// <c>datasets/…</c>, and its validation reads it back from Blob Storage (seeking, for Parquet).
/// </summary>
[Collection(AzureEmulatorsCollection.Name)]
public sealed class AzureUploadTests(AzureEmulators emulators) : IDisposable
{
    private const int Chunk = 256 * 1024;

    private readonly AzureHubApplication _app = (AzureHubApplication)emulators.NewHub().With("Uploads:ChunkSizeBytes", Chunk.ToString(System.Globalization.CultureInfo.InvariantCulture));

    // The client's own connection to Blob Storage: no hub token, only the SAS in the URL.
    private readonly HttpClient _storage = new();

    public void Dispose()
    {
        _storage.Dispose();
        _app.Dispose();
    }

    [Fact]
    public async Task ChunksGoStraightToBlobStorageWithTheSasAndTheDownloadRedirectsToARead()
    {
        var owner = _app.ClientFor("olga", "user");
        await Uploads.CreateModelAsync(owner, "azure-upload");
        var content = Uploads.RandomBytes(Chunk * 2 + 4321, 61);
        var (_, upload) = await Uploads.CreateVersionAsync(owner, "azure-upload", null, "weights.safetensors", content);

        var target = new Uri(upload.GetProperty("target").GetProperty("url").GetString()!);
        Assert.Equal((Uri.UriSchemeHttp, "127.0.0.1", emulators.Emulators.BlobPort), (target.Scheme, target.Host, target.Port));
        Assert.Contains("/uploads/", target.AbsolutePath);
        Assert.Contains("sig=", target.Query);

        // A tampered signature is refused by the service, not by the hub.
        using (var forged = new ByteArrayContent(content, 0, Chunk))
        {
            var wrong = await _storage.PutAsync(target.AbsoluteUri.Replace("sig=", "sig=x", StringComparison.Ordinal) + "&comp=block&blockid=" + Uploads.BlockId(0), forged);
            Assert.Equal(HttpStatusCode.Forbidden, wrong.StatusCode);
        }

        var chunks = upload.GetProperty("chunkCount").GetInt32();
        foreach (var i in Enumerable.Range(0, chunks).Reverse())
        {
            var length = Math.Min(Chunk, content.Length - i * Chunk);
            using var body = new ByteArrayContent(content, i * Chunk, length);
            body.Headers.ContentMD5 = MD5.HashData(content.AsSpan(i * Chunk, length));
            await Send(HttpMethod.Put, target.AbsoluteUri + "&comp=block&blockid=" + Uploads.BlockId(i), body).ExpectAsync(HttpStatusCode.Created);
        }
        var list = new StringBuilder("<?xml version=\"1.0\" encoding=\"utf-8\"?><BlockList>");
        for (var i = 0; i < chunks; i++) list.Append("<Latest>").Append(Uploads.BlockId(i)).Append("</Latest>");
        await Send(HttpMethod.Put, target.AbsoluteUri + "&comp=blocklist", new StringContent(list.Append("</BlockList>").ToString(), Encoding.UTF8, "application/xml"))
            .ExpectAsync(HttpStatusCode.Created);

        var completed = await (await Uploads.CompleteAsync(owner, upload).ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.Equal("ready", completed.GetProperty("version").GetProperty("status").GetString());

        var noRedirects = _app.CreateDefaultClient();
        noRedirects.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _app.TokenFor("olga", "user"));
        var download = await noRedirects.GetAsync("/api/models/azure-upload/versions/v1/files/weights.safetensors");
        Assert.Equal(HttpStatusCode.Redirect, download.StatusCode);
        var link = download.Headers.Location!;
        Assert.Equal(emulators.Emulators.BlobPort, link.Port);
        Assert.Contains("/models/azure-upload/v1/weights.safetensors", link.AbsolutePath);
        var bytes = await _storage.GetByteArrayAsync(link);
        Assert.Equal(SHA256.HashData(content), SHA256.HashData(bytes));
    }

    [Fact]
    public async Task TheTargetIsAShortLivedReadWriteCreateSasForExactlyOneBlob()
    {
        var owner = _app.ClientFor("olga", "user");
        await Uploads.CreateModelAsync(owner, "azure-sas");
        var content = Uploads.RandomBytes(1000, 62);
        var issuedAfter = DateTimeOffset.UtcNow;
        var (_, upload) = await Uploads.CreateVersionAsync(owner, "azure-sas", null, "only.bin", content);
        var target = new Uri(upload.GetProperty("target").GetProperty("url").GetString()!);
        var sas = QueryHelpers.ParseQuery(target.Query);

        Assert.Equal("b", sas["sr"].ToString());
        Assert.Equal("crw", string.Concat(sas["sp"].ToString().Order()));
        var expiry = DateTimeOffset.Parse(sas["se"].ToString(), System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal);
        var lifetime = _app.Services.GetRequiredService<IOptions<UploadOptions>>().Value.TargetLifetime;
        Assert.InRange(expiry, issuedAfter, DateTimeOffset.UtcNow + lifetime + TimeSpan.FromSeconds(1));
        Assert.True(expiry > DateTimeOffset.UtcNow + lifetime - TimeSpan.FromMinutes(1), $"The SAS expires at {expiry:O}, well before {lifetime} from now.");

        // The same signature on another blob's name is refused by Blob Storage itself.
        var elsewhere = new UriBuilder(target) { Path = target.AbsolutePath.Replace("/only.bin", "/other.bin", StringComparison.Ordinal) }.Uri;
        Assert.NotEqual(target.AbsolutePath, elsewhere.AbsolutePath);
        var refused = await Send(HttpMethod.Put, elsewhere.AbsoluteUri + "&comp=block&blockid=" + Uploads.BlockId(0), new ByteArrayContent(content));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        await Send(HttpMethod.Put, target.AbsoluteUri + "&comp=block&blockid=" + Uploads.BlockId(0), new ByteArrayContent(content)).ExpectAsync(HttpStatusCode.Created);
    }

    /// <summary>Declares the version, sends the chunks to the SAS URL, commits there, and completes through the hub.</summary>
    private async Task<JsonElement> UploadDatasetFileAsync(HttpClient client, string dataset, string fileName, byte[] content)
    {
        var (_, upload) = await Uploads.CreateVersionAtAsync(client, $"/api/datasets/{dataset}", null, fileName, content);
        var target = upload.GetProperty("target").GetProperty("url").GetString()!;
        Assert.StartsWith($"http://127.0.0.1:{emulators.Emulators.BlobPort}/", target);
        var chunks = upload.GetProperty("chunkCount").GetInt32();
        for (var i = 0; i < chunks; i++)
        {
            var length = Math.Min(Chunk, content.Length - i * Chunk);
            using var body = new ByteArrayContent(content, i * Chunk, length);
            body.Headers.ContentMD5 = MD5.HashData(content.AsSpan(i * Chunk, length));
            await Send(HttpMethod.Put, $"{target}&comp=block&blockid={Uploads.BlockId(i)}", body).ExpectAsync(HttpStatusCode.Created);
        }
        var list = new StringBuilder("<?xml version=\"1.0\" encoding=\"utf-8\"?><BlockList>");
        for (var i = 0; i < chunks; i++) list.Append("<Latest>").Append(Uploads.BlockId(i)).Append("</Latest>");
        await Send(HttpMethod.Put, $"{target}&comp=blocklist", new StringContent(list.Append("</BlockList>").ToString(), Encoding.UTF8, "application/xml"))
            .ExpectAsync(HttpStatusCode.Created);
        var completed = await (await Uploads.CompleteAsync(client, upload).ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        return await DatasetTesting.WaitForValidationAsync(client, dataset, completed.GetProperty("version").GetProperty("label").GetString()!);
    }

    [Fact]
    public async Task AChatFileGoesThroughBlobStorageAndIsValidatedFromThere()
    {
        var client = _app.ClientFor("tess", "trainer");
        await DatasetTesting.CreateAsync(client, "azure-chats");
        var content = DatasetTesting.ChatFile(9000);
        Assert.True(content.Length > 2 * Chunk);

        var version = await UploadDatasetFileAsync(client, "azure-chats", "train.jsonl", content);
        Assert.Equal("ready", version.GetProperty("status").GetString());
        Assert.Equal(9000, version.GetProperty("validation").GetProperty("recordCount").GetInt64());
        await DatasetTesting.WaitForDatasetAsync(client, "azure-chats", d => d.GetProperty("status").GetString() == "ready", "ready");
        var listed = await Uploads.GetAsync(client, "/api/datasets?status=ready");
        Assert.Equal(["azure-chats"], listed.GetProperty("items").EnumerateArray().Select(d => d.GetProperty("name").GetString()));

        // The trainer's read link is a read SAS for exactly that blob.
        var link = await _app.Services.GetRequiredService<VersionCatalog>().GetReadLinkAsync(new Caller("tess", Roles.Bundles[Roles.Trainer]),
            new AssetVersionRef(AssetRef.Dataset("azure-chats"), "v1"), null, TimeSpan.FromMinutes(5), CancellationToken.None);
        Assert.True(link.Url.IsAbsoluteUri);
        Assert.Contains("/datasets/azure-chats/v1/train.jsonl", link.Url.AbsolutePath);
        Assert.Equal(SHA256.HashData(content), SHA256.HashData(await _storage.GetByteArrayAsync(link.Url)));

        var broken = await UploadDatasetFileAsync(client, "azure-chats", "broken.jsonl", Encoding.UTF8.GetBytes(DatasetTesting.Chat("a", "b") + "\nnot json\n"));
        Assert.Equal("invalid", broken.GetProperty("status").GetString());
        Assert.Equal(2, broken.GetProperty("validation").GetProperty("errors")[0].GetProperty("line").GetInt64());
    }

    [Fact]
    public async Task AParquetFileIsReadBackWithSeeksFromBlobStorage()
    {
        var client = _app.ClientFor("tess", "trainer");
        await DatasetTesting.CreateAsync(client, "azure-table", "parquet");
        var text = new DataField<string>("text");
        using var file = new MemoryStream();
        await using (var writer = await ParquetWriter.CreateAsync(new ParquetSchema(text), file))
        {
            for (var group = 0; group < 3; group++)
            {
                using var rows = writer.CreateRowGroup();
                await rows.WriteAsync(text, Enumerable.Range(0, 20_000).Select(i => $"row {group}.{i} with some text to make it larger").ToArray());
            }
        }
        var version = await UploadDatasetFileAsync(client, "azure-table", "rows.parquet", file.ToArray());
        Assert.Equal("ready", version.GetProperty("status").GetString());
        Assert.Equal(60_000, version.GetProperty("validation").GetProperty("recordCount").GetInt64());
    }

    private Task<HttpResponseMessage> Send(HttpMethod method, string url, HttpContent content)
    {
        var request = new HttpRequestMessage(method, url) { Content = content };
        // The headers any Blob Storage client sends with a SAS request.
        request.Headers.Add("x-ms-version", "2025-11-05");
        request.Headers.Add("x-ms-date", DateTimeOffset.UtcNow.ToString("R", System.Globalization.CultureInfo.InvariantCulture));
        return _storage.SendAsync(request);
    }
}
