using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ModelsHub.Core.Storage;
using ModelsHub.IntegrationTests.Infrastructure;

namespace ModelsHub.IntegrationTests.Api;

/// <summary>The embedded store's disk: declarations reserve nothing, and a full disk is answered without the server's paths.</summary>
public sealed class UploadStorageTests : IDisposable
{
    private const int Chunk = 256 * 1024;

    private readonly HubApplication _app = new HubApplication()
        .With("Uploads:ChunkSizeBytes", Chunk.ToString(CultureInfo.InvariantCulture))
        .With("Uploads:MaxFileBytes", (BlockIds.MaxChunks * Core.Uploads.UploadOptions.MaxBlockBytes).ToString(CultureInfo.InvariantCulture));

    public void Dispose() => _app.Dispose();

    /// <summary>The bytes the folder occupies on disk (allocated blocks, not apparent sizes: a sparse file counts what was written).</summary>
    private static long AllocatedBytes(string folder)
    {
        var du = Process.Start(new ProcessStartInfo("du", ["--block-size=1", "-s", folder]) { RedirectStandardOutput = true })!;
        var output = du.StandardOutput.ReadToEnd();
        du.WaitForExit();
        return long.Parse(output.Split('\t')[0], CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task DeclaringUploadsReservesNoSpaceOnlyWhatArrivesIsStored()
    {
        var client = _app.ClientFor("dina", "user");
        await Uploads.CreateModelAsync(client, "reserve");
        var before = AllocatedBytes(_app.DataDirectory);
        foreach (var label in new[] { "v1", "v2" })
        {
            await client.PostAsJsonAsync("/api/models/reserve/versions",
                new { label, file = new { fileName = "big.safetensors", size = 1L << 30 } }, HubApplication.Json).ExpectAsync(HttpStatusCode.Created);
        }
        var grown = AllocatedBytes(_app.DataDirectory) - before;
        Assert.True(grown < 16L << 20, $"two 1 GiB declarations took {grown} bytes of disk");
    }

    [Fact]
    public async Task AFileLargerThanTheStorageIsA413WithoutTheServersPath()
    {
        // An administrator (no quota) declares more than any disk here holds.
        var admin = _app.ClientFor("ada", "admin");
        await Uploads.CreateModelAsync(admin, "huge");
        var refused = await admin.PostAsJsonAsync("/api/models/huge/versions",
            new { file = new { fileName = "huge.bin", size = 200_000_000_000_000L } }, HubApplication.Json).ExpectAsync(HttpStatusCode.RequestEntityTooLarge);
        var text = await refused.Content.ReadAsStringAsync();
        Assert.DoesNotContain(_app.DataDirectory, text, StringComparison.Ordinal);
        Assert.DoesNotContain("/tmp", text, StringComparison.Ordinal);
        Assert.Contains((await refused.JsonAsync()).GetProperty("errors").EnumerateObject(), e => e.Name.EndsWith("size", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ADiskThatFillsUnderAChunkIsA507WithoutTheServersPathAndTheChunkCanBeSentAgain()
    {
        var client = _app.ClientFor("dina", "user");
        await Uploads.CreateModelAsync(client, "full");
        var content = Uploads.RandomBytes(Chunk * 2, 26);
        var (_, upload) = await Uploads.CreateVersionAsync(client, "full", null, "f.bin", content);

        // The staged file becomes a device that is always full (ENOSPC on every write).
        var staged = Path.Combine(_app.DataDirectory, "blobs", "uploads", upload.GetProperty("id").GetString()!, "f.bin");
        var kept = staged + ".kept";
        File.Move(staged, kept);
        File.CreateSymbolicLink(staged, "/dev/full");
        var refused = await Uploads.PutChunkAsync(client, upload, 0, content).ExpectAsync(HttpStatusCode.InsufficientStorage);
        var text = await refused.Content.ReadAsStringAsync();
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain(_app.DataDirectory, text, StringComparison.Ordinal);
        Assert.DoesNotContain("/dev/full", text, StringComparison.Ordinal);

        // Room again: the chunk goes through, and the file is whole.
        File.Delete(staged);
        File.Move(kept, staged);
        Assert.Equal(0, (await Uploads.GetAsync(client, upload.GetProperty("url").GetString()!)).GetProperty("chunksReceived").GetInt32());
        await Uploads.PutChunksAsync(client, upload, content);
        var done = await (await Uploads.CompleteAsync(client, upload).ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.Equal(Uploads.Sha256(content), done.GetProperty("upload").GetProperty("computedSha256").GetString());
    }
}

/// <summary>Per-user quotas on bytes in open uploads and stored bytes, across every model (and every kind of asset).</summary>
public sealed class UploadQuotaTests : IDisposable
{
    private const int KiB = 1024;

    private readonly HubApplication _app = new HubApplication()
        .With("Uploads:ChunkSizeBytes", (256 * KiB).ToString(CultureInfo.InvariantCulture))
        .With("Quotas:OpenUploadBytesPerUser", (1000 * KiB).ToString(CultureInfo.InvariantCulture))
        .With("Quotas:StoredBytesPerUser", (1500 * KiB).ToString(CultureInfo.InvariantCulture))
        .With("Quotas:Users:vip:StoredBytes", (10_000 * KiB).ToString(CultureInfo.InvariantCulture));

    public void Dispose() => _app.Dispose();

    private static async Task<JsonElement> DeclareAsync(HttpClient client, string model, string label, int size, HttpStatusCode expected)
    {
        var response = await client.PostAsJsonAsync($"/api/models/{model}/versions",
            new { label, file = new { fileName = "w.bin", size } }, HubApplication.Json).ExpectAsync(expected);
        return await response.JsonAsync();
    }

    private static async Task FinishAsync(HttpClient client, JsonElement version, int size, int seed)
    {
        var upload = version.GetProperty("upload");
        var content = Uploads.RandomBytes(size, seed);
        await Uploads.PutChunksAsync(client, upload, content);
        await Uploads.CompleteAsync(client, upload).ExpectAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task OpenAndStoredBytesAreLimitedPerUserAcrossModelsAndTheAnswerSaysWhatIsLeft()
    {
        var ula = _app.ClientFor("ula", "user");
        await Uploads.CreateModelAsync(ula, "quota-a");
        await Uploads.CreateModelAsync(ula, "quota-b");

        var first = await DeclareAsync(ula, "quota-a", "v1", 600 * KiB, HttpStatusCode.Created);
        // A second open upload in another model would hold 1200 KiB open: over the 1000 KiB.
        var refused = await DeclareAsync(ula, "quota-b", "v1", 600 * KiB, HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal("openUploadBytes", refused.GetProperty("quota").GetString());
        Assert.Equal(1000 * KiB, refused.GetProperty("limit").GetInt64());
        Assert.Equal(600 * KiB, refused.GetProperty("used").GetInt64());
        Assert.Equal(400 * KiB, refused.GetProperty("remaining").GetInt64());
        Assert.Contains("400", refused.GetProperty("detail").GetString());
        // Nothing was left behind by the refusal: no version, no upload.
        await ula.GetAsync("/api/models/quota-b/versions/v1").ExpectAsync(HttpStatusCode.NotFound);

        // Finishing moves the bytes from open to stored.
        await FinishAsync(ula, first, 600 * KiB, 1);
        var second = await DeclareAsync(ula, "quota-b", "v1", 600 * KiB, HttpStatusCode.Created);
        await FinishAsync(ula, second, 600 * KiB, 2);
        var usage = await Uploads.GetAsync(ula, "/api/me/quotas");
        Assert.Equal(1200 * KiB, usage.GetProperty("storedBytes").GetProperty("used").GetInt64());
        Assert.Equal(300 * KiB, usage.GetProperty("storedBytes").GetProperty("remaining").GetInt64());
        Assert.Equal(0, usage.GetProperty("openUploadBytes").GetProperty("used").GetInt64());

        var over = await DeclareAsync(ula, "quota-b", "v2", 400 * KiB, HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal("storedBytes", over.GetProperty("quota").GetString());
        Assert.Equal(300 * KiB, over.GetProperty("remaining").GetInt64());

        var filling = await DeclareAsync(ula, "quota-b", "v2", 300 * KiB, HttpStatusCode.Created);
        await FinishAsync(ula, filling, 300 * KiB, 3);
        // Nothing left at all: the account is full (403), whatever the size.
        var full = await DeclareAsync(ula, "quota-a", "v2", 1, HttpStatusCode.Forbidden);
        Assert.Equal("storedBytes", full.GetProperty("quota").GetString());
        Assert.Equal(0, full.GetProperty("remaining").GetInt64());

        // Deleting a version gives its bytes back.
        var v1 = await ula.GetAsync("/api/models/quota-b/versions/v2").ExpectAsync(HttpStatusCode.OK);
        await ula.DeleteAsync("/api/models/quota-b/versions/v2", v1.ETagOf()).ExpectAsync(HttpStatusCode.NoContent);
        await DeclareAsync(ula, "quota-a", "v2", 300 * KiB, HttpStatusCode.Created);
    }

    [Fact]
    public async Task ResumingTheSameDeclarationIsNotCountedTwice()
    {
        var ula = _app.ClientFor("ula", "user");
        await Uploads.CreateModelAsync(ula, "resume");
        await ula.PostAsJsonAsync("/api/models/resume/versions", new { label = "v1" }, HubApplication.Json).ExpectAsync(HttpStatusCode.Created);
        var declaration = new { fileName = "r.bin", size = 900 * KiB };
        var opened = await (await ula.PostAsJsonAsync("/api/models/resume/versions/v1/uploads", declaration, HubApplication.Json).ExpectAsync(HttpStatusCode.Created)).JsonAsync();
        var again = await (await ula.PostAsJsonAsync("/api/models/resume/versions/v1/uploads", declaration, HubApplication.Json).ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.Equal(opened.GetProperty("id").GetString(), again.GetProperty("id").GetString());
    }

    [Fact]
    public async Task AdministratorsAreExemptAndAUsersQuotaCanBeRaised()
    {
        var admin = _app.ClientFor("ada", "admin");
        await Uploads.CreateModelAsync(admin, "admin-big");
        await DeclareAsync(admin, "admin-big", "v1", 5000 * KiB, HttpStatusCode.Created);
        var adminUsage = await Uploads.GetAsync(admin, "/api/me/quotas");
        Assert.True(adminUsage.GetProperty("exempt").GetBoolean());

        var vip = _app.ClientFor("vip", "user");
        await Uploads.CreateModelAsync(vip, "vip-model");
        var first = await DeclareAsync(vip, "vip-model", "v1", 900 * KiB, HttpStatusCode.Created);
        await FinishAsync(vip, first, 900 * KiB, 4);
        var second = await DeclareAsync(vip, "vip-model", "v2", 900 * KiB, HttpStatusCode.Created);
        await FinishAsync(vip, second, 900 * KiB, 5);
        var usage = await Uploads.GetAsync(vip, "/api/me/quotas");
        Assert.Equal(10_000 * KiB, usage.GetProperty("storedBytes").GetProperty("limit").GetInt64());
        Assert.Equal(1000 * KiB, usage.GetProperty("openUploadBytes").GetProperty("limit").GetInt64());
        await _app.ClientFor(null).GetAsync("/api/me/quotas").ExpectAsync(HttpStatusCode.Unauthorized);
    }

    [Theory]
    [InlineData("Quotas:OpenUploadBytesPerUser", "0")]
    [InlineData("Quotas:StoredBytesPerUser", "-5")]
    [InlineData("Quotas:Users:bob:StoredBytes", "0")]
    [InlineData("Quotas:Users:bob:Unknown", "5")]
    public void AWrongQuotaSettingFailsAtStartNamingIt(string key, string value)
    {
        using var app = new HubApplication().With(key, value);
        var error = Assert.ThrowsAny<Exception>(() => app.CreateClient());
        Assert.Contains(key, HostingTests.Flatten(error));
    }
}
