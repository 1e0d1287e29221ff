using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.AspNetCore.WebUtilities;
using ModelsHub.Core.Assets;
using ModelsHub.Core.Common;
using ModelsHub.Core.Storage;
using ModelsHub.Infrastructure.LocalFiles;

namespace ModelsHub.IntegrationTests.Contracts;

/// <summary>
/// What every <see cref="IBlobStore"/> adapter must do with an upload: stage blocks in any order,
/// refuse a corrupted one, commit the chunks in order, hash, publish atomically, delete and list.
/// One subclass per adapter (the Blob Storage adapter runs it against Azurite).
/// </summary>
public abstract class BlobStoreContract
{
    protected abstract IBlobStore Store { get; }

    protected const int ChunkSize = 256 * 1024;

    protected string Upload { get; } = Guid.NewGuid().ToString("N");

    protected string Model { get; } = "bc-" + Guid.NewGuid().ToString("N")[..8];

    protected static byte[] Bytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    protected StagedBlob Staged(byte[] content, string file = "model.bin", string? upload = null)
    {
        var count = (content.Length + ChunkSize - 1) / ChunkSize;
        return new StagedBlob(BlobKeys.ForUpload(upload ?? Upload, file), content.Length, ChunkSize, count);
    }

    protected async Task<byte[]> StageAsync(StagedBlob staged, byte[] content, int index)
    {
        var offset = (int)staged.OffsetOf(index);
        var length = (int)staged.LengthOf(index);
        using var stream = new MemoryStream(content, offset, length, writable: false);
        return await Store.StageBlockAsync(staged.Key, BlockIds.For(index), stream, length, MD5.HashData(content.AsSpan(offset, length)), CancellationToken.None);
    }

    protected async Task<StagedBlob> CommittedAsync(byte[] content, string file = "model.bin", string? upload = null)
    {
        var staged = Staged(content, file, upload);
        await Store.PrepareUploadAsync(staged, DateTimeOffset.UtcNow.AddHours(1), CancellationToken.None);
        for (var i = staged.ChunkCount - 1; i >= 0; i--)
        {
            await StageAsync(staged, content, i);
        }
        await Store.CommitBlocksAsync(staged.Key, BlockIds.Sequence(staged.ChunkCount), "application/octet-stream", CancellationToken.None);
        return staged;
    }

    private async Task<byte[]> ReadAllAsync(string key)
    {
        var blob = await Store.OpenReadAsync(key, CancellationToken.None);
        await using var stream = blob.Content;
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        Assert.Equal(blob.Length, copy.Length);
        return copy.ToArray();
    }

    [Fact]
    public async Task BlocksStagedInAnyOrderCommitInChunkOrderAndHashToTheFile()
    {
        var content = Bytes(ChunkSize * 2 + 777, 1);
        var staged = Staged(content);
        var expiry = DateTimeOffset.UtcNow.AddMinutes(30);
        var target = await Store.PrepareUploadAsync(staged, expiry, CancellationToken.None);
        Assert.Equal(expiry, target.ExpiresAt);
        Assert.Equal(BlockListing.Empty.Committed, (await Store.GetBlocksAsync(staged.Key, CancellationToken.None)).Committed);

        foreach (var i in new[] { 2, 0, 1 })
        {
            var md5 = await StageAsync(staged, content, i);
            Assert.Equal(MD5.HashData(content.AsSpan((int)staged.OffsetOf(i), (int)staged.LengthOf(i))), md5);
        }
        var listing = await Store.GetBlocksAsync(staged.Key, CancellationToken.None);
        Assert.Empty(listing.Committed);
        Assert.Equal([(BlockIds.For(0), (long)ChunkSize), (BlockIds.For(1), ChunkSize), (BlockIds.For(2), 777)],
            listing.Uncommitted.Select(b => (b.Id, b.Size)).OrderBy(b => b.Id));

        var size = await Store.CommitBlocksAsync(staged.Key, BlockIds.Sequence(3), "application/zip", CancellationToken.None);
        Assert.Equal(content.Length, size);
        Assert.Equal(BlockIds.Sequence(3), (await Store.GetBlocksAsync(staged.Key, CancellationToken.None)).Committed.Select(b => b.Id));
        Assert.Equal(SHA256.HashData(content), await Store.ComputeSha256Async(staged.Key, CancellationToken.None));
        Assert.Equal(content.Length, await Store.CommitBlocksAsync(staged.Key, BlockIds.Sequence(3), "application/zip", CancellationToken.None));
    }

    [Fact]
    public async Task BlocksStagedFromForwardOnlyStreamsCommitToTheFileInFoldersToo()
    {
        // An import streams a download straight into the store: no seeking, no declared MD5, a path as the name.
        var content = Bytes(ChunkSize + 4321, 5);
        var staged = Staged(content, file: "onnx/model.onnx");
        await Store.PrepareUploadAsync(staged, DateTimeOffset.UtcNow.AddHours(1), CancellationToken.None);
        for (var i = 0; i < staged.ChunkCount; i++)
        {
            var offset = (int)staged.OffsetOf(i);
            var length = (int)staged.LengthOf(i);
            var md5 = await Store.StageBlockAsync(staged.Key, BlockIds.For(i), new ForwardOnly(new MemoryStream(content, offset, length, writable: false)), length, null, CancellationToken.None);
            Assert.Equal(MD5.HashData(content.AsSpan(offset, length)), md5);
        }
        await Store.CommitBlocksAsync(staged.Key, BlockIds.Sequence(staged.ChunkCount), "application/octet-stream", CancellationToken.None);
        Assert.Equal(SHA256.HashData(content), await Store.ComputeSha256Async(staged.Key, CancellationToken.None));
        var published = BlobKeys.ForFile(AssetRef.Model(Model), "v1", "onnx/model.onnx");
        await Store.PromoteAsync(staged.Key, published, "application/octet-stream", CancellationToken.None);
        Assert.Contains(published, await Store.ListAsync(BlobKeys.ForAsset(AssetRef.Model(Model)), CancellationToken.None).Select(b => b.Key).ToListAsync());
        await Store.DeletePrefixAsync(BlobKeys.ForAsset(AssetRef.Model(Model)), CancellationToken.None);
    }

    /// <summary>A stream that only reads forward, as an HTTP response body does.</summary>
    private sealed class ForwardOnly(Stream inner) : ForwardReadStream
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            inner.ReadAsync(buffer[..Math.Min(buffer.Length, 1000)], cancellationToken);
    }

    [Fact]
    public async Task ABlockWhoseMd5DoesNotMatchIsRefusedAndNotListed()
    {
        var content = Bytes(ChunkSize + 10, 2);
        var staged = Staged(content);
        await Store.PrepareUploadAsync(staged, DateTimeOffset.UtcNow.AddHours(1), CancellationToken.None);
        using var body = new MemoryStream(content, 0, ChunkSize);
        var error = await Assert.ThrowsAsync<ValidationException>(() =>
            Store.StageBlockAsync(staged.Key, BlockIds.For(0), body, ChunkSize, MD5.HashData("other"u8), CancellationToken.None));
        Assert.Contains("Content-MD5", error.Errors.Keys);
        Assert.Empty((await Store.GetBlocksAsync(staged.Key, CancellationToken.None)).Uncommitted);
    }

    [Fact]
    public async Task CommittingBeforeEveryBlockArrivedIsRefused()
    {
        var content = Bytes(ChunkSize * 2, 3);
        var staged = Staged(content);
        await Store.PrepareUploadAsync(staged, DateTimeOffset.UtcNow.AddHours(1), CancellationToken.None);
        await StageAsync(staged, content, 1);
        var error = await Assert.ThrowsAsync<ValidationException>(() =>
            Store.CommitBlocksAsync(staged.Key, BlockIds.Sequence(2), "application/octet-stream", CancellationToken.None));
        Assert.Contains("blocklist", error.Errors.Keys);
        Assert.Empty((await Store.GetBlocksAsync(staged.Key, CancellationToken.None)).Committed);
    }

    [Fact]
    public async Task PromotingPublishesTheFileReplacesTheOldOneAndIsIdempotent()
    {
        var published = BlobKeys.ForFile(AssetRef.Model(Model), "v1", "model.bin");
        var first = Bytes(ChunkSize + 5, 4);
        var staged = await CommittedAsync(first);
        await Store.PromoteAsync(staged.Key, published, "application/octet-stream", CancellationToken.None);
        Assert.Equal(first, await ReadAllAsync(published));
        Assert.Empty((await Store.GetBlocksAsync(staged.Key, CancellationToken.None)).Committed);
        await Store.PromoteAsync(staged.Key, published, "application/octet-stream", CancellationToken.None);
        Assert.Equal(SHA256.HashData(first), await Store.ComputeSha256Async(published, CancellationToken.None));

        var second = Bytes(100, 5);
        var again = await CommittedAsync(second, upload: Guid.NewGuid().ToString("N"));
        await Store.PromoteAsync(again.Key, published, "application/octet-stream", CancellationToken.None);
        Assert.Equal(second, await ReadAllAsync(published));
    }

    [Fact]
    public async Task PreparingAgainKeepsTheBlocksAndIssuesAFreshTarget()
    {
        var content = Bytes(ChunkSize * 2, 6);
        var staged = Staged(content);
        await Store.PrepareUploadAsync(staged, DateTimeOffset.UtcNow.AddMinutes(5), CancellationToken.None);
        await StageAsync(staged, content, 0);
        var later = DateTimeOffset.UtcNow.AddMinutes(50);
        var fresh = await Store.PrepareUploadAsync(staged, later, CancellationToken.None);
        Assert.Equal(later, fresh.ExpiresAt);
        Assert.Single((await Store.GetBlocksAsync(staged.Key, CancellationToken.None)).Uncommitted);
    }

    [Fact]
    public async Task MissingBlobsAreNotFoundAndDeletingThemIsNoError()
    {
        var missing = BlobKeys.ForFile(AssetRef.Model(Model), "v1", "nothing.bin");
        await Assert.ThrowsAsync<NotFoundException>(() => Store.OpenReadAsync(missing, CancellationToken.None));
        await Assert.ThrowsAsync<NotFoundException>(() => Store.ComputeSha256Async(missing, CancellationToken.None));
        await Store.DeleteAsync(missing, CancellationToken.None);
        await Store.DeletePrefixAsync(BlobKeys.ForAsset(AssetRef.Model(Model)), CancellationToken.None);
        Assert.Empty((await Store.GetBlocksAsync(BlobKeys.ForUpload(Upload, "nothing.bin"), CancellationToken.None)).Uncommitted);
    }

    [Fact]
    public async Task ListingDeletingAndDeletingAFolder()
    {
        foreach (var (version, file, seed) in new[] { ("v1", "b.bin", 7), ("v1", "a.bin", 8), ("v2", "c.bin", 9) })
        {
            var staged = await CommittedAsync(Bytes(1000 + seed, seed), file, Guid.NewGuid().ToString("N"));
            await Store.PromoteAsync(staged.Key, BlobKeys.ForFile(AssetRef.Model(Model), version, file), "application/octet-stream", CancellationToken.None);
        }
        var unfinished = Staged(Bytes(10, 1), "u.bin");
        await Store.PrepareUploadAsync(unfinished, DateTimeOffset.UtcNow.AddHours(1), CancellationToken.None);

        var listed = new List<StoredBlob>();
        await foreach (var blob in Store.ListAsync(BlobKeys.ForAsset(AssetRef.Model(Model)), CancellationToken.None)) listed.Add(blob);
        var prefix = BlobKeys.ForAsset(AssetRef.Model(Model));
        Assert.Equal([(prefix + "v1/a.bin", 1008L), (prefix + "v1/b.bin", 1007L), (prefix + "v2/c.bin", 1009L)], listed.Select(b => (b.Key, b.Size)));
        var uploads = new List<string>();
        await foreach (var blob in Store.ListAsync(BlobKeys.UploadsPrefix, CancellationToken.None)) uploads.Add(blob.Key);
        Assert.Contains(unfinished.Key, uploads);

        await Store.DeleteAsync(prefix + "v1/a.bin", CancellationToken.None);
        await Store.DeletePrefixAsync(BlobKeys.ForVersion(AssetRef.Model(Model), "V2"), CancellationToken.None);
        listed.Clear();
        await foreach (var blob in Store.ListAsync(prefix, CancellationToken.None)) listed.Add(blob);
        Assert.Equal([prefix + "v1/b.bin"], listed.Select(b => b.Key));

        await Store.DeleteAsync(unfinished.Key, CancellationToken.None);
        uploads.Clear();
        await foreach (var blob in Store.ListAsync(BlobKeys.UploadsPrefix, CancellationToken.None)) uploads.Add(blob.Key);
        Assert.DoesNotContain(unfinished.Key, uploads);
        Assert.Empty((await Store.GetBlocksAsync(unfinished.Key, CancellationToken.None)).Uncommitted);
    }
}

/// <summary>The embedded folder store: the contract, plus what only it does (offsets, the signed hub URL, in-process events).</summary>
public sealed class LocalBlobStoreContract : BlobStoreContract, IDisposable
{
    private readonly EmbeddedDatabase _db = new();
    private readonly RecordingEvents _events = new();
    private readonly LocalBlobUrls _urls;

    public LocalBlobStoreContract()
    {
        _urls = new LocalBlobUrls(_db.Options, TimeProvider.System);
        Local = new LocalBlobStore(new LocalBlobFolder(_db.Options), _db.Database, _urls, _events);
    }

    private LocalBlobStore Local { get; }

    protected override IBlobStore Store => Local;

    public void Dispose() => _db.Dispose();

    private sealed class RecordingEvents : IBlobEventPublisher
    {
        public ConcurrentQueue<BlobCreated> Published { get; } = new();

        public ValueTask PublishAsync(BlobCreated blobCreated, CancellationToken cancellationToken)
        {
            Published.Enqueue(blobCreated);
            return ValueTask.CompletedTask;
        }
    }

    [Fact]
    public async Task TheTargetIsARelativeHubUrlSignedForThatBlobOnly()
    {
        var staged = Staged(Bytes(10, 1));
        var target = await Local.PrepareUploadAsync(staged, DateTimeOffset.UtcNow.AddHours(1), CancellationToken.None);
        Assert.False(target.Url.IsAbsoluteUri);
        Assert.StartsWith(LocalBlobUrls.RoutePrefix + staged.Key + "?", target.Url.OriginalString);
        var query = QueryHelpers.ParseQuery(target.Url.OriginalString.Split('?')[1]);
        _urls.Authorize(staged.Key, query["sp"], query["se"], query["sig"]);
        Assert.Throws<ForbiddenException>(() => _urls.Authorize(BlobKeys.ForUpload(Upload, "other.bin"), query["sp"], query["se"], query["sig"]));
        Assert.Throws<ForbiddenException>(() => _urls.Authorize(staged.Key, query["sp"], "99" + query["se"], query["sig"]));
        var expired = await Local.PrepareUploadAsync(staged, DateTimeOffset.UtcNow.AddMinutes(-1), CancellationToken.None);
        var old = QueryHelpers.ParseQuery(expired.Url.OriginalString.Split('?')[1]);
        Assert.Contains("expired", Assert.Throws<ForbiddenException>(() => _urls.Authorize(staged.Key, old["sp"], old["se"], old["sig"])).Message);
    }

    [Fact]
    public async Task BlocksOfTheWrongSizeOrIndexAreRefusedAndACommittedUploadTakesNoMore()
    {
        var content = Bytes(ChunkSize + 1, 2);
        var staged = Staged(content);
        await Local.PrepareUploadAsync(staged, DateTimeOffset.UtcNow.AddHours(1), CancellationToken.None);
        async Task<ValidationException> RefusedAsync(string blockId, int length) =>
            await Assert.ThrowsAsync<ValidationException>(() => Local.StageBlockAsync(staged.Key, blockId, new MemoryStream(new byte[length]), length, null, CancellationToken.None));
        Assert.Contains("Content-Length", (await RefusedAsync(BlockIds.For(1), 2)).Errors.Keys);
        Assert.Contains("blockid", (await RefusedAsync(BlockIds.For(2), 1)).Errors.Keys);
        Assert.Contains("blockid", (await RefusedAsync("MDAwMDA=", 1)).Errors.Keys);
        Assert.Contains("Content-Length", (await Assert.ThrowsAsync<ValidationException>(() =>
            Local.StageBlockAsync(staged.Key, BlockIds.For(1), new MemoryStream(new byte[0]), 1, null, CancellationToken.None))).Errors.Keys);
        await Assert.ThrowsAsync<NotFoundException>(() => Local.StageBlockAsync(BlobKeys.ForUpload("none", "x.bin"), BlockIds.For(0), new MemoryStream(), 0, null, CancellationToken.None));

        await StageAsync(staged, content, 0);
        await StageAsync(staged, content, 1);
        var error = await Assert.ThrowsAsync<ValidationException>(() => Local.CommitBlocksAsync(staged.Key, [BlockIds.For(1), BlockIds.For(0)], "x/y", CancellationToken.None));
        Assert.Contains("blocklist", error.Errors.Keys);
        await Local.CommitBlocksAsync(staged.Key, BlockIds.Sequence(2), "x/y", CancellationToken.None);
        await Assert.ThrowsAsync<ConflictException>(() => StageAsync(staged, content, 0));
    }

    [Fact]
    public async Task EveryCommitRaisesBlobCreatedLikeBlobStorage()
    {
        var content = Bytes(ChunkSize + 1, 3);
        var staged = await CommittedAsync(content);
        await Local.CommitBlocksAsync(staged.Key, BlockIds.Sequence(staged.ChunkCount), "x/y", CancellationToken.None);
        Assert.Equal([new BlobCreated(staged.Key, content.Length), new BlobCreated(staged.Key, content.Length)], _events.Published);
    }

    [Fact]
    public async Task TheHashTakenWhileChunksArriveIsTheFilesHashWhateverTheOrderAndRewrites()
    {
        for (var round = 0; round < 5; round++)
        {
            var content = Bytes(ChunkSize * 12 + 99, 10 + round);
            var staged = Staged(content, upload: Guid.NewGuid().ToString("N"));
            await Local.PrepareUploadAsync(staged, DateTimeOffset.UtcNow.AddHours(1), CancellationToken.None);
            var order = Enumerable.Range(0, staged.ChunkCount).OrderBy(_ => Random.Shared.Next()).ToArray();
            await Parallel.ForEachAsync(order, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (i, _) => await StageAsync(staged, content, i));

            // A client sends some chunks again with other bytes (the last write wins, as in Blob Storage).
            var replacement = Bytes(content.Length, 100 + round);
            foreach (var i in new[] { 0, 5, staged.ChunkCount - 1 })
            {
                await StageAsync(staged, replacement, i);
                Array.Copy(replacement, staged.OffsetOf(i), content, staged.OffsetOf(i), staged.LengthOf(i));
            }
            await Local.CommitBlocksAsync(staged.Key, BlockIds.Sequence(staged.ChunkCount), "x/y", CancellationToken.None);
            Assert.Equal(SHA256.HashData(content), await Local.ComputeSha256Async(staged.Key, CancellationToken.None));
            Assert.Equal(SHA256.HashData(content), await Local.ComputeSha256Async(staged.Key, CancellationToken.None));
        }
    }

    [Fact]
    public async Task TheUploadIsOneFileThatGrowsAsChunksArriveAndKeysCannotLeaveTheFolder()
    {
        var content = Bytes(ChunkSize * 3, 4);
        var staged = Staged(content);
        await Local.PrepareUploadAsync(staged, DateTimeOffset.UtcNow.AddHours(1), CancellationToken.None);
        var path = Local.PathOf(staged.Key);
        // A declaration reserves nothing; the last chunk, sent first, lands at its offset.
        Assert.Equal(0, new FileInfo(path).Length);
        await StageAsync(staged, content, 2);
        Assert.Equal(content.Length, new FileInfo(path).Length);
        Assert.Equal(content.AsSpan(ChunkSize * 2).ToArray(), (await File.ReadAllBytesAsync(path))[(ChunkSize * 2)..]);

        foreach (var key in new[] { "../x", "models/../../x", "models//x", "/etc/passwd", "models\\x", "models/./x", "" })
        {
            Assert.Throws<ArgumentException>(() => Local.PathOf(key));
        }
    }
}
