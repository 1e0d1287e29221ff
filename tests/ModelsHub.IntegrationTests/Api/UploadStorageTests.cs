using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
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
