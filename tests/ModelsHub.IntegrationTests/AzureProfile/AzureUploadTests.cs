using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ModelsHub.Core.Uploads;
using ModelsHub.IntegrationTests.Infrastructure;

namespace ModelsHub.IntegrationTests.AzureProfile;

/// <summary>
/// The upload protocol on the Azure profile: the hub hands out a SAS URL for exactly one blob, the
/// client sends its chunks straight to Blob Storage (Azurite), the hub verifies and publishes, and
/// a download is a redirect to a short-lived read SAS.
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

    private Task<HttpResponseMessage> Send(HttpMethod method, string url, HttpContent content)
    {
        var request = new HttpRequestMessage(method, url) { Content = content };
        // The headers any Blob Storage client sends with a SAS request.
        request.Headers.Add("x-ms-version", "2025-11-05");
        request.Headers.Add("x-ms-date", DateTimeOffset.UtcNow.ToString("R", System.Globalization.CultureInfo.InvariantCulture));
        return _storage.SendAsync(request);
    }
}
