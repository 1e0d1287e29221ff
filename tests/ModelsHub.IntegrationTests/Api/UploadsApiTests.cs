using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using ModelsHub.Contracts.Versions;
using ModelsHub.Core.Assets;
using ModelsHub.Core.Storage;
using ModelsHub.Core.Uploads;
using ModelsHub.Core.Versions;
using ModelsHub.IntegrationTests.Infrastructure;

namespace ModelsHub.IntegrationTests.Api;

/// <summary>The upload protocol through the API: chunks checked by MD5, whole files by SHA-256, resume, abort, download, events, expiry.</summary>
public sealed class UploadsApiTests : IDisposable
{
    private const int Chunk = 256 * 1024;

    private readonly HubApplication _app = new HubApplication().With("Uploads:ChunkSizeBytes", Chunk.ToString());

    public void Dispose() => _app.Dispose();

    private HttpClient Owner => _app.ClientFor("omar", "user");

    [Fact]
    public async Task ACorruptedChunkIsRefusedAndCanBeSentAgain()
    {
        var client = Owner;
        await Uploads.CreateModelAsync(client, "md5");
        var content = Uploads.RandomBytes(Chunk * 2 + 5, 10);
        var (_, upload) = await Uploads.CreateVersionAsync(client, "md5", null, "m.bin", content);

        var wrongMd5 = System.Security.Cryptography.MD5.HashData(Encoding.UTF8.GetBytes("something else"));
        var refused = await Uploads.PutChunkAsync(client, upload, 1, content, wrongMd5).ExpectAsync(HttpStatusCode.BadRequest);
        var problem = await refused.JsonAsync();
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Content-MD5", problem.GetProperty("errors").EnumerateObject().Select(p => p.Name));

        var state = await Uploads.GetAsync(client, upload.GetProperty("url").GetString()!);
        Assert.Equal(0, state.GetProperty("chunksReceived").GetInt32());

        await Uploads.PutChunksAsync(client, upload, content, [1, 0]);
        state = await Uploads.GetAsync(client, upload.GetProperty("url").GetString()!);
        Assert.Equal((2, (long)Chunk * 2), (state.GetProperty("chunksReceived").GetInt32(), state.GetProperty("bytesReceived").GetInt64()));
        Assert.Equal("[[0,1]]", state.GetProperty("receivedChunks").GetRawText());

        var missing = await Uploads.CompleteAsync(client, upload).ExpectAsync(HttpStatusCode.Conflict);
        Assert.Contains("Chunks 2 of 0-2", (await missing.JsonAsync()).GetProperty("detail").GetString());
        Assert.Equal("open", (await Uploads.GetAsync(client, upload.GetProperty("url").GetString()!)).GetProperty("status").GetString());

        await Uploads.PutChunksAsync(client, upload, content, [2]);
        var done = await (await Uploads.CompleteAsync(client, upload).ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.Equal(Uploads.Sha256(content), done.GetProperty("upload").GetProperty("computedSha256").GetString());
    }

    [Fact]
    public async Task AWrongWholeFileHashFailsTheVersionAndKeepsThePreviousDefault()
    {
        var client = Owner;
        await Uploads.CreateModelAsync(client, "hashes");
        var good = Uploads.RandomBytes(Chunk + 100, 11);
        await Uploads.UploadVersionAsync(client, "hashes", null, "model.onnx", good);

        var sent = Uploads.RandomBytes(Chunk + 100, 12);
        var (_, upload) = await Uploads.CreateVersionAsync(client, "hashes", null, "model.onnx", sent, sha256: Uploads.Sha256(good));
        await Uploads.PutChunksAsync(client, upload, sent);
        var refused = await Uploads.CompleteAsync(client, upload).ExpectAsync(HttpStatusCode.Conflict);
        Assert.Contains(Uploads.Sha256(sent), (await refused.JsonAsync()).GetProperty("detail").GetString());

        var v2 = await Uploads.GetAsync(client, "/api/models/hashes/versions/v2");
        Assert.Equal("failed", v2.GetProperty("status").GetString());
        Assert.Contains("SHA-256", v2.GetProperty("failureReason").GetString());
        Assert.Empty(v2.GetProperty("files").EnumerateArray());
        Assert.Equal("failed", (await Uploads.GetAsync(client, upload.GetProperty("url").GetString()!)).GetProperty("status").GetString());

        Assert.Equal("v1", (await Uploads.GetAsync(client, "/api/models/hashes")).GetProperty("defaultVersion").GetString());
        var download = await client.GetByteArrayAsync("/api/models/hashes/versions/v1/files/model.onnx");
        Assert.Equal(Uploads.Sha256(good), Uploads.Sha256(download));
        Assert.False(Directory.Exists(Path.Combine(_app.DataDirectory, "blobs", "models", "hashes", "v2")));
        Assert.False(Directory.Exists(Path.Combine(_app.DataDirectory, "blobs", "uploads", upload.GetProperty("id").GetString()!)));

        // Completing again answers the same outcome; a new upload puts the failed version back to uploading.
        await Uploads.CompleteAsync(client, upload).ExpectAsync(HttpStatusCode.Conflict);
        var retry = await (await client.PostAsJsonAsync("/api/models/hashes/versions/v2/uploads", Uploads.Declaration("model.onnx", sent)).ExpectAsync(HttpStatusCode.Created)).JsonAsync();
        Assert.Equal("uploading", (await Uploads.GetAsync(client, "/api/models/hashes/versions/v2")).GetProperty("status").GetString());
        await Uploads.PutChunksAsync(client, retry, sent);
        await Uploads.CompleteAsync(client, retry).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("v2", (await Uploads.GetAsync(client, "/api/models/hashes")).GetProperty("defaultVersion").GetString());
    }

    [Fact]
    public async Task DeclaringTheSameFileAgainResumesItsUploadAndADifferentOneIsRefused()
    {
        var client = Owner;
        await Uploads.CreateModelAsync(client, "resume");
        var content = Uploads.RandomBytes(Chunk * 3, 13);
        var (_, upload) = await Uploads.CreateVersionAsync(client, "resume", "v1", "r.gguf", content);
        await Uploads.PutChunksAsync(client, upload, content, [0, 2]);

        var again = await (await client.PostAsJsonAsync("/api/models/resume/versions/v1/uploads", Uploads.Declaration("r.gguf", content)).ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.Equal(upload.GetProperty("id").GetString(), again.GetProperty("id").GetString());
        Assert.Equal("[[0,0],[2,2]]", again.GetProperty("receivedChunks").GetRawText());
        var listed = await Uploads.GetAsync(client, "/api/models/resume/uploads");
        var item = Assert.Single(listed.GetProperty("items").EnumerateArray());
        Assert.Equal(upload.GetProperty("id").GetString(), item.GetProperty("id").GetString());
        Assert.Equal("[[0,0],[2,2]]", item.GetProperty("receivedChunks").GetRawText());

        var other = await client.PostAsJsonAsync("/api/models/resume/versions/v1/uploads", Uploads.Declaration("R.GGUF", Uploads.RandomBytes(10, 1))).ExpectAsync(HttpStatusCode.Conflict);
        Assert.Contains(upload.GetProperty("id").GetString()!, (await other.JsonAsync()).GetProperty("detail").GetString());

        await Uploads.PutChunksAsync(client, again, content, [1]);
        await Uploads.CompleteAsync(client, again).ExpectAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task AbortingDropsTheChunksAndTheTargetStopsAnswering()
    {
        var client = Owner;
        await Uploads.CreateModelAsync(client, "abort");
        var content = Uploads.RandomBytes(Chunk * 2, 14);
        var (_, upload) = await Uploads.CreateVersionAsync(client, "abort", null, "a.h5", content);
        await Uploads.PutChunksAsync(client, upload, content, [0]);
        var id = upload.GetProperty("id").GetString()!;
        Assert.True(Directory.Exists(Path.Combine(_app.DataDirectory, "blobs", "uploads", id)));

        await client.DeleteAsync(upload.GetProperty("url").GetString()!, null).ExpectAsync(HttpStatusCode.NoContent);
        // Gone: deleting it again is a 404, as reading it is.
        await client.DeleteAsync(upload.GetProperty("url").GetString()!, null).ExpectAsync(HttpStatusCode.NotFound);
        Assert.False(Directory.Exists(Path.Combine(_app.DataDirectory, "blobs", "uploads", id)));
        await client.GetAsync(upload.GetProperty("url").GetString()!).ExpectAsync(HttpStatusCode.NotFound);
        await Uploads.PutChunkAsync(client, upload, 1, content).ExpectAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task TheTargetIsASignedUrlThatNeedsNoTokenAndRefusesTampering()
    {
        var client = Owner;
        await Uploads.CreateModelAsync(client, "signed");
        var content = Uploads.RandomBytes(1000, 15);
        var (_, upload) = await Uploads.CreateVersionAsync(client, "signed", null, "s.json", content);
        var anonymous = _app.ClientFor(null);
        await Uploads.PutChunkAsync(anonymous, upload, 0, content).ExpectAsync(HttpStatusCode.Created);

        var url = upload.GetProperty("target").GetProperty("url").GetString()!;
        var body = new ByteArrayContent(content);
        await anonymous.PutAsync(url.Replace("sig=", "sig=x") + $"&comp=block&blockid={Uploads.BlockId(0)}", body).ExpectAsync(HttpStatusCode.Forbidden);
        var otherKey = url.Replace("/s.json?", "/t.json?");
        await anonymous.PutAsync(otherKey + $"&comp=block&blockid={Uploads.BlockId(0)}", new ByteArrayContent(content)).ExpectAsync(HttpStatusCode.Forbidden);
        var listing = await anonymous.GetStringAsync(url + "&comp=blocklist&blocklisttype=all");
        Assert.Contains($"<Name>{Uploads.BlockId(0)}</Name><Size>1000</Size>", listing);
    }

    [Fact]
    public async Task DownloadsAreStreamedWithRangesAndTheirDigest()
    {
        var client = Owner;
        await Uploads.CreateModelAsync(client, "fetch");
        var content = Uploads.RandomBytes(Chunk + 333, 16);
        await Uploads.UploadVersionAsync(client, "fetch", null, "weights.pth", content);
        var url = "/api/models/fetch/versions/v1/files/WEIGHTS.pth";

        var whole = await client.GetAsync(url).ExpectAsync(HttpStatusCode.OK);
        var sha = Uploads.Sha256(content);
        Assert.Equal($"sha-256=:{Convert.ToBase64String(Convert.FromHexString(sha))}:", whole.Headers.GetValues("Repr-Digest").Single());
        Assert.Equal(sha, whole.Headers.GetValues("X-Content-SHA256").Single());
        Assert.Equal(content, await whole.Content.ReadAsByteArrayAsync());

        var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(1000, 1999);
        var part = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.PartialContent, part.StatusCode);
        Assert.Equal($"bytes 1000-1999/{content.Length}", part.Content.Headers.ContentRange?.ToString());
        Assert.Equal(content[1000..2000], await part.Content.ReadAsByteArrayAsync());

        var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, url));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(content.Length, head.Content.Headers.ContentLength);

        // Anyone who may see the model may download; a hidden model's file is a 404.
        await _app.ClientFor("stranger", "user").GetAsync(url).ExpectAsync(HttpStatusCode.NotFound);
        await client.GetAsync("/api/models/fetch/versions/v1/files/other.bin").ExpectAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task AnUnknownRangeUnitIsIgnoredAndTheWholeFileServed()
    {
        var client = Owner;
        await Uploads.CreateModelAsync(client, "units");
        var content = Uploads.RandomBytes(5000, 23);
        await Uploads.UploadVersionAsync(client, "units", null, "u.bin", content);

        var request = new HttpRequestMessage(HttpMethod.Get, "/api/models/units/versions/v1/files/u.bin");
        request.Headers.TryAddWithoutValidation("Range", "items=0-1");
        var response = await client.SendAsync(request).ExpectAsync(HttpStatusCode.OK);
        Assert.Null(response.Content.Headers.ContentRange);
        Assert.Equal(content, await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task AFileIsServedAsOctetStreamUnlessItsTypeIsOnTheSafeList()
    {
        var client = Owner;
        await Uploads.CreateModelAsync(client, "types");
        async Task<HttpResponseMessage> UploadAndGetAsync(string label, string fileName, string? contentType)
        {
            var content = Encoding.UTF8.GetBytes("<html><script>alert(document.cookie)</script></html>");
            var response = await client.PostAsJsonAsync("/api/models/types/versions",
                new { label, file = new { fileName, size = content.Length, sha256 = Uploads.Sha256(content), contentType } }, HubApplication.Json).ExpectAsync(HttpStatusCode.Created);
            var upload = (await response.JsonAsync()).GetProperty("upload");
            await Uploads.PutChunksAsync(client, upload, content);
            await Uploads.CompleteAsync(client, upload).ExpectAsync(HttpStatusCode.OK);
            return await client.GetAsync($"/api/models/types/versions/{label}/files/{fileName}").ExpectAsync(HttpStatusCode.OK);
        }

        foreach (var (label, name, declared, served) in new[]
        {
            ("v1", "page.txt", "text/html", "application/octet-stream"),
            ("v2", "image.bin", "image/svg+xml", "application/octet-stream"),
            ("v3", "script.json", "application/javascript", "application/octet-stream"),
            ("v4", "config.json", (string?)null, "application/json"),
            ("v5", "notes.txt", "text/plain; charset=utf-8", "text/plain"),
            ("v6", "weights.tar.gz", (string?)null, "application/gzip"),
        })
        {
            var download = await UploadAndGetAsync(label, name, declared);
            Assert.Equal(served, download.Content.Headers.ContentType?.MediaType);
            Assert.Equal("nosniff", download.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.Equal("attachment", download.Content.Headers.ContentDisposition?.DispositionType);
        }
    }

    [Fact]
    public async Task TheUploadTargetNamesTheHubsOwnAddressNotTheRequestsHost()
    {
        var client = Owner;
        client.DefaultRequestHeaders.Host = "attacker.example";
        await Uploads.CreateModelAsync(client, "hosts");
        var (_, upload) = await Uploads.CreateVersionAsync(client, "hosts", null, "h.bin", Uploads.RandomBytes(100, 24));
        var target = upload.GetProperty("target").GetProperty("url").GetString()!;
        Assert.StartsWith("http://localhost:7071/api/blobs/uploads/", target);
        var again = await Uploads.GetAsync(client, upload.GetProperty("url").GetString()!);
        Assert.StartsWith("http://localhost:7071/api/blobs/uploads/", again.GetProperty("target").GetProperty("url").GetString());

        using var configured = new HubApplication().With("Hub:PublicBaseUrl", "https://hub.example.org/");
        var other = configured.ClientFor("omar", "user");
        other.DefaultRequestHeaders.Host = "attacker.example";
        await Uploads.CreateModelAsync(other, "hosts");
        var (_, second) = await Uploads.CreateVersionAsync(other, "hosts", null, "h.bin", Uploads.RandomBytes(100, 24));
        Assert.StartsWith("https://hub.example.org/api/blobs/uploads/", second.GetProperty("target").GetProperty("url").GetString());
    }

    [Fact]
    public async Task AnUnknownUploadIsA404ToDeleteAsToRead()
    {
        var client = Owner;
        await Uploads.CreateModelAsync(client, "unknown");
        await client.PostAsJsonAsync("/api/models/unknown/versions", new { label = "v1" }, HubApplication.Json).ExpectAsync(HttpStatusCode.Created);
        var url = "/api/models/unknown/versions/v1/uploads/0123456789abcdef0123456789abcdef";
        await client.GetAsync(url).ExpectAsync(HttpStatusCode.NotFound);
        var deleted = await client.DeleteAsync(url).ExpectAsync(HttpStatusCode.NotFound);
        Assert.Equal("application/problem+json", deleted.Content.Headers.ContentType?.MediaType);

        // An upload that existed: deleting it is a 204, and once gone it is a 404 like any other.
        var (_, upload) = await Uploads.CreateVersionAsync(client, "unknown", "v2", "a.bin", Uploads.RandomBytes(100, 25));
        var existing = upload.GetProperty("url").GetString()!;
        await client.DeleteAsync(existing).ExpectAsync(HttpStatusCode.NoContent);
        await client.DeleteAsync(existing).ExpectAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task AClientThatCommitsItselfIsCompletedByTheInProcessBlobCreatedEvent()
    {
        var client = Owner;
        await Uploads.CreateModelAsync(client, "events");
        var content = Uploads.RandomBytes(Chunk * 2 + 7, 17);
        var (_, upload) = await Uploads.CreateVersionAsync(client, "events", null, "e.tar.gz", content);
        await Uploads.PutChunksAsync(client, upload, content);

        var partial = await Uploads.PutBlockListAsync(client, upload, count: 2).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Contains("blocklist", (await partial.JsonAsync()).GetProperty("errors").EnumerateObject().Select(p => p.Name));
        await Uploads.PutBlockListAsync(client, upload).ExpectAsync(HttpStatusCode.Created);

        var done = await Uploads.WaitForAsync(client, upload.GetProperty("url").GetString()!, s => s.GetProperty("status").GetString() is "completed" or "failed");
        Assert.Equal("completed", done.GetProperty("status").GetString());
        var version = await Uploads.GetAsync(client, "/api/models/events/versions/v1");
        Assert.Equal("ready", version.GetProperty("status").GetString());
        Assert.Equal(Uploads.Sha256(content), version.GetProperty("files")[0].GetProperty("sha256").GetString());
        Assert.Equal("application/gzip", version.GetProperty("files")[0].GetProperty("contentType").GetString());
    }

    [Fact]
    public async Task TheStoreRefusesChunksOfTheWrongLengthOrIndex()
    {
        var client = Owner;
        await Uploads.CreateModelAsync(client, "lengths");
        var content = Uploads.RandomBytes(Chunk + 10, 18);
        var (_, upload) = await Uploads.CreateVersionAsync(client, "lengths", null, "l.bin", content);
        var target = upload.GetProperty("target").GetProperty("url").GetString()!;

        async Task<JsonElement> RefusedAsync(string query, byte[] body, HttpStatusCode status = HttpStatusCode.BadRequest) =>
            await (await client.PutAsync(target + query, new ByteArrayContent(body)).ExpectAsync(status)).JsonAsync();

        Assert.True((await RefusedAsync($"&comp=block&blockid={Uploads.BlockId(0)}", new byte[10])).GetProperty("errors").TryGetProperty("Content-Length", out _));
        Assert.True((await RefusedAsync($"&comp=block&blockid={Uploads.BlockId(2)}", new byte[10])).GetProperty("errors").TryGetProperty("blockid", out _));
        Assert.True((await RefusedAsync("&comp=block&blockid=bm9wZQ==", new byte[10])).GetProperty("errors").TryGetProperty("blockid", out _));
        Assert.True((await RefusedAsync("&comp=page", new byte[10])).GetProperty("errors").TryGetProperty("comp", out _));
        Assert.True((await RefusedAsync("&comp=blocklist", Encoding.UTF8.GetBytes("<nope"))).GetProperty("errors").TryGetProperty("blocklist", out _));
        var md5 = new ByteArrayContent(content, 0, Chunk);
        md5.Headers.TryAddWithoutValidation("Content-MD5", "not-base64");
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PutAsync(target + $"&comp=block&blockid={Uploads.BlockId(0)}", md5)).StatusCode);
    }
}

/// <summary>The BlobCreated function as the Functions host invokes it, with the embedded store's own events switched off.</summary>
public sealed class BlobCreatedFunctionTests : IDisposable
{
    private readonly Application _app = new();

    public void Dispose() => _app.Dispose();

    private sealed class SilentEvents : IBlobEventPublisher
    {
        public ValueTask PublishAsync(BlobCreated blobCreated, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }

    private sealed class Application : HubApplication
    {
        public Application()
        {
            With("Uploads:ChunkSizeBytes", "262144");
            // The host invokes the functions.
            With("Triggers:InProcess", "false");
        }

        protected override void ConfigureTestServices(IServiceCollection services) =>
            services.Replace(ServiceDescriptor.Singleton<IBlobEventPublisher>(new SilentEvents()));
    }

    private static object Event(string subject, long length) => new
    {
        Data = new
        {
            @event = new
            {
                topic = "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/models",
                subject,
                eventType = "Microsoft.Storage.BlobCreated",
                id = Guid.NewGuid().ToString(),
                eventTime = DateTimeOffset.UtcNow,
                data = new { api = "PutBlockList", contentLength = length, blobType = "BlockBlob", url = "https://models.blob.core.windows.net/models/" + subject.Split("/blobs/")[1] },
                dataVersion = "",
                metadataVersion = "1",
            },
        },
        Metadata = new { },
    };

    private async Task<string> InvokeAsync(object payload)
    {
        var response = await _app.CreateClient().PostAsJsonAsync("/BlobCreated", payload, new JsonSerializerOptions()).ExpectAsync(HttpStatusCode.OK);
        return (await response.JsonAsync()).GetProperty("ReturnValue").GetString()!;
    }

    [Fact]
    public async Task TheEventCompletesACommittedUploadAndHandlingItTwiceChangesNothing()
    {
        var client = _app.ClientFor("erin", "user");
        await Uploads.CreateModelAsync(client, "eg");
        var content = Uploads.RandomBytes(300_000, 19);
        var (_, upload) = await Uploads.CreateVersionAsync(client, "eg", null, "g.safetensors", content);
        await Uploads.PutChunksAsync(client, upload, content);
        var subject = $"/blobServices/default/containers/models/blobs/uploads/{upload.GetProperty("id").GetString()}/g.safetensors";

        // Before the client commits, an event (say, a stray one) completes nothing.
        Assert.Equal("ignored", await InvokeAsync(Event(subject, content.Length)));
        await Uploads.PutBlockListAsync(client, upload).ExpectAsync(HttpStatusCode.Created);
        var url = upload.GetProperty("url").GetString()!;
        Assert.Equal("open", (await Uploads.GetAsync(client, url)).GetProperty("status").GetString());

        Assert.Equal("completed", await InvokeAsync(Event(subject, content.Length)));
        var version = await client.GetAsync("/api/models/eg/versions/v1").ExpectAsync(HttpStatusCode.OK);
        var model = await client.GetAsync("/api/models/eg").ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("ready", (await version.JsonAsync()).GetProperty("status").GetString());

        Assert.Equal("already_finished", await InvokeAsync(Event(subject, content.Length)));
        Assert.Equal(version.ETagOf(), (await client.GetAsync("/api/models/eg/versions/v1")).ETagOf());
        Assert.Equal(model.ETagOf(), (await client.GetAsync("/api/models/eg")).ETagOf());
        Assert.Equal("completed", (await Uploads.GetAsync(client, url)).GetProperty("status").GetString());

        // A published file's own event, an unknown upload and another event type are ignored.
        Assert.Equal("ignored", await InvokeAsync(Event("/blobServices/default/containers/models/blobs/models/eg/v1/g.safetensors", content.Length)));
        Assert.Equal("ignored", await InvokeAsync(Event("/blobServices/default/containers/models/blobs/uploads/ffff/x.bin", 1)));
        Assert.Equal("ignored", await InvokeAsync(new { Data = new { @event = new { eventType = "Microsoft.Storage.BlobDeleted", subject } }, Metadata = new { } }));
    }

    [Theory]
    [InlineData("{\"Data\": {\"event\": 5}}")]
    [InlineData("{\"Data\": {\"event\": \"not json\"}}")]
    [InlineData("{\"Data\": {\"event\": {\"eventType\": \"Microsoft.Storage.BlobCreated\"}}}")]
    [InlineData("{\"Data\": {}}")]
    public async Task AMalformedEventIsA400(string payload)
    {
        var response = await _app.CreateClient().PostAsync("/BlobCreated", new StringContent(payload, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task TheEventAlsoArrivesAsAStringAndInCloudEventsSchema()
    {
        var client = _app.ClientFor("erin", "user");
        await Uploads.CreateModelAsync(client, "eg-cloud");
        var content = Uploads.RandomBytes(1000, 20);
        var (_, upload) = await Uploads.CreateVersionAsync(client, "eg-cloud", null, "c.txt", content);
        await Uploads.PutChunksAsync(client, upload, content);
        await Uploads.PutBlockListAsync(client, upload).ExpectAsync(HttpStatusCode.Created);
        var cloudEvent = JsonSerializer.Serialize(new
        {
            specversion = "1.0",
            type = "Microsoft.Storage.BlobCreated",
            source = "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/models",
            subject = $"/blobServices/default/containers/models/blobs/uploads/{upload.GetProperty("id").GetString()}/c.txt",
            data = new { contentLength = 1000 },
        });
        Assert.Equal("completed", await InvokeAsync(new { Data = new { @event = cloudEvent }, Metadata = new { } }));
    }
}

/// <summary>The UploadExpiry timer, with the hub's clock moved past the uploads' expiry.</summary>
public sealed class UploadExpiryTests : IDisposable
{
    private readonly Application _app = new();

    public void Dispose() => _app.Dispose();

    private sealed class MovableClock : TimeProvider
    {
        public TimeSpan Offset { get; set; }

        public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + Offset;
    }

    private sealed class Application : HubApplication
    {
        public MovableClock Clock { get; } = new();

        public Application()
        {
            With("Uploads:ChunkSizeBytes", "262144");
            With("Uploads:OrphanGracePeriod", "00:00:00");
            // The host's timer invokes the function.
            With("Triggers:InProcess", "false");
        }

        protected override void ConfigureTestServices(IServiceCollection services) => services.Replace(ServiceDescriptor.Singleton<TimeProvider>(Clock));
    }

    private Task<HttpResponseMessage> RunJobAsync() =>
        _app.CreateClient().PostAsJsonAsync("/UploadExpiry", new { Data = new { timer = new { IsPastDue = false } }, Metadata = new { } }).ExpectAsync(HttpStatusCode.OK);

    [Fact]
    public async Task TheTimerRemovesExpiredUploadsAndEverythingNothingReferences()
    {
        var client = _app.ClientFor("eve", "user");
        await Uploads.CreateModelAsync(client, "expiry");
        var kept = Uploads.RandomBytes(1000, 21);
        await Uploads.UploadVersionAsync(client, "expiry", null, "kept.bin", kept);
        var content = Uploads.RandomBytes(600_000, 22);
        var (_, stale) = await Uploads.CreateVersionAsync(client, "expiry", null, "stale.bin", content);
        await Uploads.PutChunksAsync(client, stale, content, [0]);
        var staleId = stale.GetProperty("id").GetString()!;

        // Leftovers a crash could leave: versions of a model that is gone, and blobs nobody lists.
        var services = _app.Services;
        var versions = services.GetRequiredService<IVersionStore>();
        await versions.CreateAsync(AssetVersion.New(AssetRef.Model("ghost"), "v1", "eve", DateTimeOffset.UtcNow), CancellationToken.None);
        var blobs = Path.Combine(_app.DataDirectory, "blobs");
        var ghostFile = Path.Combine(blobs, "models", "ghost", "v1", "x.bin");
        var strayFile = Path.Combine(blobs, "models", "expiry", "v1", "stray.bin");
        var strayUpload = Path.Combine(blobs, "uploads", "0123456789abcdef0123456789abcdef", "y.bin");
        foreach (var path in new[] { ghostFile, strayFile, strayUpload })
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await File.WriteAllBytesAsync(path, [1, 2, 3]);
        }

        // Nothing has expired yet: only the unreferenced blobs and the ghost's versions go.
        await RunJobAsync();
        var sessions = services.GetRequiredService<IUploadSessionStore>();
        Assert.NotNull(await sessions.FindAsync(staleId, CancellationToken.None));
        Assert.True(Directory.Exists(Path.Combine(blobs, "uploads", staleId)));
        Assert.False(File.Exists(ghostFile) || File.Exists(strayFile) || File.Exists(strayUpload));
        Assert.Empty(await versions.ListAsync(AssetRef.Model("ghost"), CancellationToken.None));
        Assert.True(File.Exists(Path.Combine(blobs, "models", "expiry", "v1", "kept.bin")));

        _app.Clock.Offset = TimeSpan.FromDays(8);
        await RunJobAsync();
        Assert.Null(await sessions.FindAsync(staleId, CancellationToken.None));
        Assert.False(Directory.Exists(Path.Combine(blobs, "uploads", staleId)));
        var v2 = await versions.FindAsync(AssetRef.Model("expiry"), "v2", CancellationToken.None);
        Assert.Equal(VersionStatus.Failed, v2!.Status);
        Assert.Contains("No file was uploaded", v2.FailureReason);
        var v1 = await versions.FindAsync(AssetRef.Model("expiry"), "v1", CancellationToken.None);
        Assert.Equal(VersionStatus.Ready, v1!.Status);
        Assert.True(File.Exists(Path.Combine(blobs, "models", "expiry", "v1", "kept.bin")));

        // Running it again finds nothing more to do.
        var report = await services.GetRequiredService<UploadSweeper>().SweepAsync(CancellationToken.None);
        Assert.Equal(new SweepReport(0, 0, 0, 0, 0), report);
    }
}
