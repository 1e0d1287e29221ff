using System.Net;
using Microsoft.Extensions.DependencyInjection;
using ModelsHub.Contracts;
using ModelsHub.Web.Services.Api;
using ModelsHub.Web.Services.Uploads;

namespace ModelsHub.WebTests;

public sealed class ChunkedUploadTests : WebTestContext
{
    private const long ChunkSize = 5;

    [Fact]
    public void BlockIdsFollowTheHubsScheme() =>
        Assert.Equal(["MDAwMDAw", "MDAwMDEy"], new[] { ChunkedUpload.BlockId(0), ChunkedUpload.BlockId(12) });

    [Fact]
    public async Task AResumedUploadSendsOnlyTheChunksTheHubLacksThenCompletes()
    {
        // 4 chunks of 5 bytes over 18 bytes; the hub already has chunks 0 and 2.
        Hub.On(HttpMethod.Get, "/api/models/m/versions/v1/uploads/up1", HttpStatusCode.OK, Samples.Upload("up1", 4, 18, ChunkSize, "[[0,0],[2,2]]"));
        Hub.On(HttpMethod.Post, "/api/models/m/versions/v1/uploads/up1/complete", HttpStatusCode.OK,
            $$"""{"upload":{{Samples.Upload("up1", 4, 18, ChunkSize, "[[0,3]]", "completed")}},"version":null}""");
        var sender = (RecordingChunkSender)Services.GetRequiredService<IChunkSender>();
        var engine = Services.GetRequiredService<ChunkedUpload>();
        var reports = new List<UploadProgress>();
        var upload = System.Text.Json.JsonSerializer.Deserialize(Samples.Upload("up1", 4, 18, ChunkSize), HubJsonContext.Default.UploadDto)!;

        var done = await engine.RunAsync(upload, "file", new SyncProgress(reports), CancellationToken.None);

        Assert.Equal(UploadStatus.Completed, done.Upload.Status);
        Assert.Equal([(5L, 10L), (15L, 18L)], sender.Sent.Select(s => (s.Start, s.End)).Order());
        Assert.All(sender.Sent, s => Assert.DoesNotContain("{blockId}", s.Url));
        Assert.Contains(sender.Sent, s => s.Url.EndsWith("blockid=" + Uri.EscapeDataString(ChunkedUpload.BlockId(3)), StringComparison.Ordinal));
        Assert.Equal(18, reports[^1].BytesDone);
        Assert.Equal(100, reports[^1].Percent);
    }

    [Fact]
    public async Task AnExpiredTargetIsRenewedAndTheChunkSentAgain()
    {
        Hub.On(HttpMethod.Get, "/api/models/m/versions/v1/uploads/up2", HttpStatusCode.OK, Samples.Upload("up2", 1, 5, ChunkSize));
        Hub.On(HttpMethod.Post, "/api/models/m/versions/v1/uploads/up2/complete", HttpStatusCode.OK,
            $$"""{"upload":{{Samples.Upload("up2", 1, 5, ChunkSize, "[[0,0]]", "completed")}},"version":null}""");
        var sender = (RecordingChunkSender)Services.GetRequiredService<IChunkSender>();
        var calls = 0;
        sender.Status = _ => Interlocked.Increment(ref calls) == 1 ? 403 : 201;
        var upload = System.Text.Json.JsonSerializer.Deserialize(Samples.Upload("up2", 1, 5, ChunkSize), HubJsonContext.Default.UploadDto)!;

        await Services.GetRequiredService<ChunkedUpload>().RunAsync(upload, "file", null, CancellationToken.None);

        Assert.Equal(2, sender.Sent.Count);
        // The upload was read again for a fresh target after the 403: once at the start, once for the renewal.
        Assert.Equal(2, Hub.Requests.Count(r => r.Method == HttpMethod.Get));
    }

    [Fact]
    public async Task AFileThatFailsVerificationIsReportedAsSuch()
    {
        Hub.On(HttpMethod.Get, "/api/models/m/versions/v1/uploads/up3", HttpStatusCode.OK, Samples.Upload("up3", 1, 5, ChunkSize));
        Hub.On(HttpMethod.Post, "/api/models/m/versions/v1/uploads/up3/complete", HttpStatusCode.OK,
            $$"""{"upload":{{Samples.Upload("up3", 1, 5, ChunkSize, "[[0,0]]", "failed")}},"version":null}""");
        var upload = System.Text.Json.JsonSerializer.Deserialize(Samples.Upload("up3", 1, 5, ChunkSize), HubJsonContext.Default.UploadDto)!;

        var failure = await Assert.ThrowsAsync<UploadFailedException>(() =>
            Services.GetRequiredService<ChunkedUpload>().RunAsync(upload, "file", null, CancellationToken.None));

        Assert.Equal("verification", failure.Reason);
    }

    /// <summary>Reports at once (Progress&lt;T&gt; would post to a context the test does not run).</summary>
    private sealed class SyncProgress(List<UploadProgress> reports) : IProgress<UploadProgress>
    {
        public void Report(UploadProgress value) => reports.Add(value);
    }
}
