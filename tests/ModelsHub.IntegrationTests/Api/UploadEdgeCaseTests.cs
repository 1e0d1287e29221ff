using System.Net;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using ModelsHub.Contracts.Uploads;
using ModelsHub.Core.Assets;
using ModelsHub.Core.Common;
using ModelsHub.Core.Storage;
using ModelsHub.Core.Uploads;
using ModelsHub.Core.Versions;
using ModelsHub.Infrastructure.LocalFiles;
using ModelsHub.IntegrationTests.Infrastructure;

namespace ModelsHub.IntegrationTests.Api;

/// <summary>A clock a test moves forward (the hub's uploads expire after days).</summary>
public sealed class MovableClock : TimeProvider
{
    public TimeSpan Offset { get; set; }

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + Offset;
}

/// <summary>
/// Uploads at the edges of their life: expired before the sweeper came, their staged file gone
/// under a chunk, their version deleted and added again while they were verified.
/// </summary>
public sealed class UploadEdgeCaseTests : IDisposable
{
    private const int Chunk = 256 * 1024;

    private readonly Application _app = new();

    public void Dispose() => _app.Dispose();

    private sealed class Application : HubApplication
    {
        public MovableClock Clock { get; } = new();

        public Application() => With("Uploads:ChunkSizeBytes", Chunk.ToString(System.Globalization.CultureInfo.InvariantCulture));

        protected override void ConfigureTestServices(IServiceCollection services) => services.Replace(ServiceDescriptor.Singleton<TimeProvider>(Clock));
    }

    private HttpClient Owner => _app.ClientFor("omar", "user");

    [Fact]
    public async Task AnExpiredUploadIsGoneBeforeTheSweepAndDeclaringTheFileAgainOpensAFreshOne()
    {
        var client = Owner;
        await Uploads.CreateModelAsync(client, "lapsed");
        var content = Uploads.RandomBytes(Chunk * 2 + 10, 31);
        var (_, upload) = await Uploads.CreateVersionAsync(client, "lapsed", null, "w.bin", content);
        await Uploads.PutChunksAsync(client, upload, content, [0]);
        var oldId = upload.GetProperty("id").GetString()!;

        _app.Clock.Offset = TimeSpan.FromDays(8);
        await client.GetAsync(upload.GetProperty("url").GetString()!).ExpectAsync(HttpStatusCode.NotFound);
        await Uploads.CompleteAsync(client, upload).ExpectAsync(HttpStatusCode.NotFound);
        Assert.Empty((await Uploads.GetAsync(client, "/api/models/lapsed/uploads")).GetProperty("items").EnumerateArray());

        // The same declaration again: a new upload with a live target, not the expired one.
        var fresh = await (await client.PostAsJsonAsync("/api/models/lapsed/versions/v1/uploads", Uploads.Declaration("w.bin", content))
            .ExpectAsync(HttpStatusCode.Created)).JsonAsync();
        Assert.NotEqual(oldId, fresh.GetProperty("id").GetString());
        Assert.Equal(0, fresh.GetProperty("chunksReceived").GetInt32());
        await Uploads.PutChunksAsync(client, fresh, content);
        await Uploads.CompleteAsync(client, fresh).ExpectAsync(HttpStatusCode.OK);
        Assert.False(Directory.Exists(Path.Combine(_app.DataDirectory, "blobs", "uploads", oldId)));
    }

    [Fact]
    public async Task AnExpiredUploadDoesNotBlockADifferentFileOfTheSameName()
    {
        var client = Owner;
        await Uploads.CreateModelAsync(client, "lapsed-other");
        var (_, upload) = await Uploads.CreateVersionAsync(client, "lapsed-other", null, "w.bin", Uploads.RandomBytes(1000, 32));

        _app.Clock.Offset = TimeSpan.FromDays(8);
        var other = Uploads.RandomBytes(2000, 33);
        var fresh = await (await client.PostAsJsonAsync("/api/models/lapsed-other/versions/v1/uploads", Uploads.Declaration("w.bin", other))
            .ExpectAsync(HttpStatusCode.Created)).JsonAsync();
        Assert.NotEqual(upload.GetProperty("id").GetString(), fresh.GetProperty("id").GetString());
    }

    [Fact]
    public async Task AChunkWhoseStagedFileVanishedUnderItIsA404NotA500()
    {
        var client = Owner;
        await Uploads.CreateModelAsync(client, "vanish");
        var content = Uploads.RandomBytes(Chunk * 2, 34);
        var (_, upload) = await Uploads.CreateVersionAsync(client, "vanish", null, "v.bin", content);
        var id = upload.GetProperty("id").GetString()!;

        // What an abort or a publish does between the store reading the upload's layout and opening its file.
        File.Delete(Path.Combine(_app.DataDirectory, "blobs", "uploads", id, "v.bin"));
        var refused = await Uploads.PutChunkAsync(client, upload, 0, content).ExpectAsync(HttpStatusCode.NotFound);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);

        // And the plain race outcome: aborted, then a chunk to the old target.
        await client.DeleteAsync(upload.GetProperty("url").GetString()!, null).ExpectAsync(HttpStatusCode.NoContent);
        var late = await Uploads.PutChunkAsync(client, upload, 1, content);
        Assert.InRange((int)late.StatusCode, 400, 499);
    }

    [Fact]
    public async Task AFileVerifiedForADeletedVersionIsNotAttachedToANewVersionWithItsLabel()
    {
        var client = Owner;
        await Uploads.CreateModelAsync(client, "namesake");
        await Uploads.UploadVersionAsync(client, "namesake", null, "first.bin", Uploads.RandomBytes(1000, 35));
        var content = Uploads.RandomBytes(Chunk + 5, 36);
        var (_, upload) = await Uploads.CreateVersionAsync(client, "namesake", "v2", "old.bin", content);
        await Uploads.PutChunksAsync(client, upload, content);

        // v2 deleted and added again while its upload is still around (as when the delete races the verification).
        var versions = _app.Services.GetRequiredService<IVersionStore>();
        await versions.DeleteAsync(AssetRef.Model("namesake"), "v2", null, CancellationToken.None);
        await client.PostAsJsonAsync("/api/models/namesake/versions", new { label = "v2" }, HubApplication.Json).ExpectAsync(HttpStatusCode.Created);

        var refused = await Uploads.CompleteAsync(client, upload).ExpectAsync(HttpStatusCode.Conflict);
        Assert.Contains("deleted", (await refused.JsonAsync()).GetProperty("detail").GetString());
        var v2 = await Uploads.GetAsync(client, "/api/models/namesake/versions/v2");
        Assert.Empty(v2.GetProperty("files").EnumerateArray());
        Assert.Equal("uploading", v2.GetProperty("status").GetString());
        Assert.False(File.Exists(Path.Combine(_app.DataDirectory, "blobs", "models", "namesake", "v2", "old.bin")));
    }

    [Fact]
    public async Task AWrongHashOnAFileReplacingOneInAReadyVersionKeepsThePreviousFileAndReadyState()
    {
        var client = Owner;
        await Uploads.CreateModelAsync(client, "replace");
        var good = Uploads.RandomBytes(Chunk + 100, 37);
        await Uploads.UploadVersionAsync(client, "replace", null, "model.onnx", good);
        var before = await client.GetAsync("/api/models/replace/versions/v1").ExpectAsync(HttpStatusCode.OK);

        var sent = Uploads.RandomBytes(Chunk + 200, 38);
        var upload = await (await client.PostAsJsonAsync("/api/models/replace/versions/v1/uploads", Uploads.Declaration("model.onnx", sent, sha256: Uploads.Sha256(good)))
            .ExpectAsync(HttpStatusCode.Created)).JsonAsync();
        await Uploads.PutChunksAsync(client, upload, sent);
        var refused = await Uploads.CompleteAsync(client, upload).ExpectAsync(HttpStatusCode.Conflict);
        Assert.Contains(Uploads.Sha256(sent), (await refused.JsonAsync()).GetProperty("detail").GetString());

        // The version is untouched: still ready, no failure reason, the old file listed and served.
        var after = await client.GetAsync("/api/models/replace/versions/v1").ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(before.ETagOf(), after.ETagOf());
        var v1 = await after.JsonAsync();
        Assert.Equal("ready", v1.GetProperty("status").GetString());
        var file = Assert.Single(v1.GetProperty("files").EnumerateArray());
        Assert.Equal((Uploads.Sha256(good), (long)good.Length), (file.GetProperty("sha256").GetString(), file.GetProperty("size").GetInt64()));
        Assert.Equal(Uploads.Sha256(good), Uploads.Sha256(await client.GetByteArrayAsync("/api/models/replace/versions/v1/files/model.onnx")));
        Assert.Equal("v1", (await Uploads.GetAsync(client, "/api/models/replace")).GetProperty("defaultVersion").GetString());
    }
}

/// <summary>The defaults a client sees when the hub's upload settings are not overridden.</summary>
public sealed class UploadDefaultsTests : IDisposable
{
    private readonly HubApplication _app = new();

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task AnUploadGetsFiveMiBChunksASevenDayExpiryAndTheBlockIdScheme()
    {
        var client = _app.ClientFor("dana", "user");
        await Uploads.CreateModelAsync(client, "defaults");
        var response = await client.PostAsJsonAsync("/api/models/defaults/versions",
            new { file = new { fileName = "big.safetensors", size = 12 * 1024 * 1024 + 1 } }, HubApplication.Json).ExpectAsync(HttpStatusCode.Created);
        var upload = (await response.JsonAsync()).GetProperty("upload");

        Assert.Equal(5L * 1024 * 1024, upload.GetProperty("chunkSize").GetInt64());
        Assert.Equal(3, upload.GetProperty("chunkCount").GetInt32());
        Assert.Equal(BlockIds.Scheme, upload.GetProperty("blockIdScheme").GetString());
        Assert.Contains("MDAwMDAw", upload.GetProperty("blockIdScheme").GetString());
        var lifetime = upload.GetProperty("expiresAt").GetDateTimeOffset() - upload.GetProperty("createdAt").GetDateTimeOffset();
        Assert.Equal(TimeSpan.FromDays(7), lifetime);
        // The target lives an hour (Uploads:TargetLifetime), well inside the session.
        var target = upload.GetProperty("target").GetProperty("expiresAt").GetDateTimeOffset() - upload.GetProperty("createdAt").GetDateTimeOffset();
        Assert.InRange(target, TimeSpan.FromMinutes(59), TimeSpan.FromMinutes(61));
    }
}

/// <summary>Declarations the hub refuses, and storage that fails: the refusal names the reason, and nothing is left behind.</summary>
public sealed class UploadFailureTests : IDisposable
{
    private const long MaxFile = 10 * 1024 * 1024;

    private readonly Application _app = new();

    public void Dispose() => _app.Dispose();

    /// <summary>The embedded store (without its chunk endpoint, which needs the store itself), failing for files named <c>nospace*</c> (opening), <c>unreadable*</c> (reading their blocks) and <c>broken*</c> (deleting).</summary>
    private sealed class FaultyBlobStore(IBlobStore inner) : IBlobStore
    {
        public Task<UploadTarget> PrepareUploadAsync(StagedBlob staged, DateTimeOffset targetExpiresAt, CancellationToken cancellationToken) =>
            staged.Key.Contains("/nospace", StringComparison.Ordinal)
                ? throw new PayloadTooLargeException("size: this hub's storage cannot hold the file (test).", "size")
                : inner.PrepareUploadAsync(staged, targetExpiresAt, cancellationToken);

        public Task<byte[]> StageBlockAsync(string key, string blockId, Stream content, long length, byte[]? contentMd5, CancellationToken cancellationToken) =>
            inner.StageBlockAsync(key, blockId, content, length, contentMd5, cancellationToken);

        public Task<BlockListing> GetBlocksAsync(string key, CancellationToken cancellationToken) =>
            key.Contains("/unreadable", StringComparison.Ordinal) ? throw new IOException("Disk read error (test).") : inner.GetBlocksAsync(key, cancellationToken);

        public Task<long> CommitBlocksAsync(string key, IReadOnlyList<string> blockIds, string contentType, CancellationToken cancellationToken) =>
            inner.CommitBlocksAsync(key, blockIds, contentType, cancellationToken);

        public Task<byte[]> ComputeSha256Async(string key, CancellationToken cancellationToken) => inner.ComputeSha256Async(key, cancellationToken);

        public Task PromoteAsync(string stagedKey, string publishedKey, string contentType, CancellationToken cancellationToken) =>
            inner.PromoteAsync(stagedKey, publishedKey, contentType, cancellationToken);

        public Task<Uri?> GetDownloadUrlAsync(string key, string downloadName, TimeSpan lifetime, CancellationToken cancellationToken) =>
            inner.GetDownloadUrlAsync(key, downloadName, lifetime, cancellationToken);

        public Task<Uri> GetReadUrlAsync(string key, string downloadName, DateTimeOffset expiresAt, CancellationToken cancellationToken) =>
            inner.GetReadUrlAsync(key, downloadName, expiresAt, cancellationToken);

        public Task<BlobContent> OpenReadAsync(string key, CancellationToken cancellationToken) => inner.OpenReadAsync(key, cancellationToken);

        public Task DeleteAsync(string key, CancellationToken cancellationToken) =>
            key.Contains("/broken", StringComparison.Ordinal) ? throw new IOException("Disk write error (test).") : inner.DeleteAsync(key, cancellationToken);

        public Task DeletePrefixAsync(string prefix, CancellationToken cancellationToken) => inner.DeletePrefixAsync(prefix, cancellationToken);

        public IAsyncEnumerable<StoredBlob> ListAsync(string prefix, CancellationToken cancellationToken) => inner.ListAsync(prefix, cancellationToken);
    }

    private sealed class Application : HubApplication
    {
        public Application()
        {
            With("Uploads:MaxFileBytes", MaxFile.ToString(System.Globalization.CultureInfo.InvariantCulture));
            With("Uploads:OrphanGracePeriod", "00:00:00");
        }

        protected override void ConfigureTestServices(IServiceCollection services) =>
            services.Replace(ServiceDescriptor.Singleton<IBlobStore>(sp => new FaultyBlobStore(sp.GetRequiredService<LocalBlobStore>())));
    }

    private HttpClient Owner => _app.ClientFor("nina", "user");

    [Fact]
    public async Task AnUnknownFormatIsA415ListingTheAcceptedFormats()
    {
        var client = Owner;
        await Uploads.CreateModelAsync(client, "formats");
        var refused = await client.PostAsJsonAsync("/api/models/formats/versions", new { file = new { fileName = "setup.exe", size = 10 } }, HubApplication.Json)
            .ExpectAsync(HttpStatusCode.UnsupportedMediaType);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        var problem = await refused.JsonAsync();
        Assert.Equal(UploadRules.AcceptedExtensions, problem.GetProperty("accepted").EnumerateArray().Select(e => e.GetString()));
        Assert.Contains(".safetensors", problem.GetProperty("detail").GetString());
        Assert.Empty((await Uploads.GetAsync(client, "/api/models/formats/versions")).GetProperty("items").EnumerateArray());

        await client.PostAsJsonAsync("/api/models/formats/versions", new { label = "v1" }, HubApplication.Json).ExpectAsync(HttpStatusCode.Created);
        var direct = await client.PostAsJsonAsync("/api/models/formats/versions/v1/uploads", new { fileName = "weights.pkl", size = 10 }, HubApplication.Json)
            .ExpectAsync(HttpStatusCode.UnsupportedMediaType);
        Assert.Contains(".gguf", (await direct.JsonAsync()).GetProperty("accepted").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task ADeclaredSizeOverTheLimitIsA413NamingTheField()
    {
        var client = Owner;
        await Uploads.CreateModelAsync(client, "sizes");
        var refused = await client.PostAsJsonAsync("/api/models/sizes/versions", new { file = new { fileName = "big.bin", size = MaxFile + 1 } }, HubApplication.Json)
            .ExpectAsync(HttpStatusCode.RequestEntityTooLarge);
        var problem = await refused.JsonAsync();
        Assert.True(problem.GetProperty("errors").TryGetProperty("file.size", out _));
        Assert.Contains(MaxFile.ToString(System.Globalization.CultureInfo.InvariantCulture), problem.GetProperty("detail").GetString());
        Assert.Empty((await Uploads.GetAsync(client, "/api/models/sizes/versions")).GetProperty("items").EnumerateArray());

        // Exactly at the limit is fine.
        await client.PostAsJsonAsync("/api/models/sizes/versions", new { file = new { fileName = "big.bin", size = MaxFile } }, HubApplication.Json)
            .ExpectAsync(HttpStatusCode.Created);
        var direct = await client.PostAsJsonAsync("/api/models/sizes/versions/v1/uploads", new { fileName = "other.bin", size = MaxFile + 1 }, HubApplication.Json)
            .ExpectAsync(HttpStatusCode.RequestEntityTooLarge);
        Assert.True((await direct.JsonAsync()).GetProperty("errors").TryGetProperty("size", out _));
    }

    [Fact]
    public async Task AVersionWhoseFirstUploadCannotBeOpenedIsTakenBack()
    {
        var client = Owner;
        await Uploads.CreateModelAsync(client, "atomic");
        // The model's first version, then a later one: neither stays behind when storage refuses the file.
        await client.PostAsJsonAsync("/api/models/atomic/versions", new { file = new { fileName = "nospace.bin", size = 1000 } }, HubApplication.Json)
            .ExpectAsync(HttpStatusCode.RequestEntityTooLarge);
        Assert.Empty((await Uploads.GetAsync(client, "/api/models/atomic/versions")).GetProperty("items").EnumerateArray());

        await client.PostAsJsonAsync("/api/models/atomic/versions", new { file = new { fileName = "ok.bin", size = 1000 } }, HubApplication.Json)
            .ExpectAsync(HttpStatusCode.Created);
        await client.PostAsJsonAsync("/api/models/atomic/versions", new { label = "v2", file = new { fileName = "nospace.bin", size = 1000 } }, HubApplication.Json)
            .ExpectAsync(HttpStatusCode.RequestEntityTooLarge);
        var listing = await Uploads.GetAsync(client, "/api/models/atomic/versions");
        Assert.Equal(["v1"], listing.GetProperty("items").EnumerateArray().Select(v => v.GetProperty("label").GetString()));
        var upload = Assert.Single((await Uploads.GetAsync(client, "/api/models/atomic/uploads")).GetProperty("items").EnumerateArray());
        Assert.Equal("ok.bin", upload.GetProperty("fileName").GetString());
        Assert.Equal("v2", listing.GetProperty("suggestedLabel").GetString());
    }

    [Fact]
    public async Task OneUploadThatKeepsFailingDoesNotStopTheSweepFromReachingTheOthers()
    {
        var sessions = _app.Services.GetRequiredService<IUploadSessionStore>();
        var now = DateTimeOffset.UtcNow;
        // More uploads than a page holds that stay due because their chunks cannot be deleted, all due before the one that can go.
        for (var i = 0; i < 105; i++)
        {
            await sessions.CreateAsync(Session($"broken{i}.bin", null, now - TimeSpan.FromHours(2), UploadStatus.Open), CancellationToken.None);
        }
        var unreadable = await sessions.CreateAsync(Session("unreadable.bin", now - TimeSpan.FromMinutes(90), now + TimeSpan.FromDays(1), UploadStatus.Completing), CancellationToken.None);
        var expired = await sessions.CreateAsync(Session("expired.bin", null, now - TimeSpan.FromHours(1), UploadStatus.Open), CancellationToken.None);
        var stray = Path.Combine(_app.DataDirectory, "blobs", "models", "sweep", "v1", "stray.bin");
        // An unreferenced blob that cannot be deleted, listed before the one that can.
        var stuck = Path.Combine(_app.DataDirectory, "blobs", "models", "sweep", "v1", "broken-stray.bin");
        Directory.CreateDirectory(Path.GetDirectoryName(stray)!);
        await File.WriteAllBytesAsync(stray, [1, 2, 3]);
        await File.WriteAllBytesAsync(stuck, [1, 2, 3]);

        var report = await _app.Services.GetRequiredService<UploadSweeper>().SweepAsync(CancellationToken.None);

        Assert.Equal(1, report.ExpiredUploads);
        Assert.Null(await sessions.FindAsync(expired.Id, CancellationToken.None));
        Assert.False(File.Exists(stray));
        Assert.True(File.Exists(stuck));
        Assert.Equal(1, report.OrphanBlobs);
        // The failing ones stay, to be tried again next time; the one that could not be verified is handed back.
        var left = await sessions.ListForAssetAsync(AssetRef.Model("sweep"), CancellationToken.None);
        Assert.Equal(105, left.Count(s => s.FileName.StartsWith("broken", StringComparison.Ordinal)));
        Assert.Equal(UploadStatus.Open, (await sessions.FindAsync(unreadable.Id, CancellationToken.None))!.Status);
    }

    private static UploadSession Session(string fileName, DateTimeOffset? leaseUntil, DateTimeOffset expiresAt, UploadStatus status, [CallerMemberName] string caller = "")
    {
        var id = Guid.NewGuid().ToString("N");
        return new UploadSession
        {
            Id = id,
            AssetKey = "sweep",
            Asset = "sweep",
            VersionId = "v1",
            Version = "v1",
            FileName = fileName,
            Size = 1000,
            ChunkSize = 1000,
            ChunkCount = 1,
            BlobKey = BlobKeys.ForFile(AssetRef.Model("sweep"), "v1", fileName),
            StagingKey = BlobKeys.ForUpload(id, fileName),
            CreatedBy = caller,
            CreatedAt = expiresAt - TimeSpan.FromDays(7),
            UpdatedAt = expiresAt - TimeSpan.FromDays(7),
            ExpiresAt = expiresAt,
            Status = status,
            LeaseUntil = leaseUntil,
        };
    }
}
