namespace ModelsHub.Core.Storage;

/// <summary>
/// Where the files of model and dataset versions live (DESIGN.md "Blob uploads"). Keys are
/// <see cref="BlobKeys"/>: published files at <c>{models|datasets}/{asset}/{version}/{file}</c>, uploads in progress at
/// <c>uploads/{uploadId}/{file}</c>. An upload is staged block by block (Blob Storage's Put Block,
/// block ids from <see cref="BlockIds"/>), committed (Put Block List), verified by the hub, then
/// promoted to its published key. Adapters translate their service's failures into Core's
/// exceptions: a missing blob is <see cref="Common.NotFoundException"/>, a rejected block a
/// <see cref="Common.ValidationException"/> naming the header or parameter at fault.
/// </summary>
public interface IBlobStore
{
    /// <summary>
    /// Makes a staged upload ready to receive blocks and says where a client sends them until
    /// <paramref name="targetExpiresAt"/>: Azure, a SAS URL for exactly that blob (read, write,
    /// create); embedded, a hub URL (relative to the hub's address) that mirrors Put Block and Put
    /// Block List. Idempotent: calling it again for the same layout only issues a fresh target.
    /// </summary>
    /// <exception cref="Common.PayloadTooLargeException">The store has no room for the declared size.</exception>
    Task<UploadTarget> PrepareUploadAsync(StagedBlob staged, DateTimeOffset targetExpiresAt, CancellationToken cancellationToken);

    /// <summary>
    /// Stores one block of a staged upload from the hub's own chunk endpoint (Put Block). The body
    /// is exactly <paramref name="length"/> bytes; when <paramref name="contentMd5"/> is given the
    /// block is refused (<see cref="Common.ValidationException"/> on <c>Content-MD5</c>) unless it
    /// matches. Returns the block's MD5.
    /// </summary>
    Task<byte[]> StageBlockAsync(string key, string blockId, Stream content, long length, byte[]? contentMd5, CancellationToken cancellationToken);

    /// <summary>The committed block list and the blocks staged since (Get Block List, all); empty when nothing was staged.</summary>
    Task<BlockListing> GetBlocksAsync(string key, CancellationToken cancellationToken);

    /// <summary>
    /// Commits <paramref name="blockIds"/> in this order as the blob's content (Put Block List) and
    /// returns its size. Committing the same list again changes nothing. A block that was never
    /// staged is a <see cref="Common.ValidationException"/> on <c>blocklist</c>.
    /// </summary>
    Task<long> CommitBlocksAsync(string key, IReadOnlyList<string> blockIds, string contentType, CancellationToken cancellationToken);

    /// <summary>The SHA-256 of a committed blob, read as a stream (never held in memory).</summary>
    Task<byte[]> ComputeSha256Async(string key, CancellationToken cancellationToken);

    /// <summary>
    /// Moves a verified, committed staged upload to its published key, replacing what was there in
    /// one step: readers see the old content or the new, never a mix. Promoting again after it
    /// succeeded (the staged blob gone, the published one there) changes nothing.
    /// </summary>
    Task PromoteAsync(string stagedKey, string publishedKey, string contentType, CancellationToken cancellationToken);

    /// <summary>
    /// A short-lived read URL for a download (Azure: a read SAS naming <paramref name="downloadName"/>
    /// as the attachment), or null when the store serves the bytes through <see cref="OpenReadAsync"/>.
    /// </summary>
    Task<Uri?> GetDownloadUrlAsync(string key, string downloadName, TimeSpan lifetime, CancellationToken cancellationToken);

    /// <summary>
    /// A link that reads the blob with no other credential until <paramref name="expiresAt"/>: what a
    /// process outside the hub (a trainer) is handed. Azure, a read SAS naming <paramref name="downloadName"/>
    /// as the attachment; embedded, a signed hub URL (relative to the hub's address) that serves the bytes.
    /// </summary>
    Task<Uri> GetReadUrlAsync(string key, string downloadName, DateTimeOffset expiresAt, CancellationToken cancellationToken);

    /// <summary>The blob's content as a seekable stream when the store can (so the hub answers Range requests).</summary>
    Task<BlobContent> OpenReadAsync(string key, CancellationToken cancellationToken);

    /// <summary>Deletes the blob and anything staged for it. Deleting a missing blob is not an error.</summary>
    Task DeleteAsync(string key, CancellationToken cancellationToken);

    /// <summary>Deletes every blob whose key starts with <paramref name="prefix"/> (a folder such as <c>models/x/</c>).</summary>
    Task DeletePrefixAsync(string prefix, CancellationToken cancellationToken);

    /// <summary>Every blob under <paramref name="prefix"/>, including uploads that hold only staged blocks, in key order.</summary>
    IAsyncEnumerable<StoredBlob> ListAsync(string prefix, CancellationToken cancellationToken);
}

/// <summary>
/// The layout one upload agreed: <see cref="ChunkCount"/> blocks of <see cref="ChunkSize"/> bytes,
/// the last one holding the remainder, block <c>i</c> named <see cref="BlockIds.For"/>(i).
/// </summary>
public sealed record StagedBlob(string Key, long Size, long ChunkSize, int ChunkCount)
{
    public long OffsetOf(int index) => index * ChunkSize;

    public long LengthOf(int index) => index < ChunkCount - 1 ? ChunkSize : Size - (ChunkCount - 1) * ChunkSize;
}

/// <summary>Where a client sends blocks. A relative <see cref="Url"/> is resolved against the hub's own address.</summary>
public sealed record UploadTarget(Uri Url, DateTimeOffset ExpiresAt);

public sealed record StagedBlock(string Id, long Size);

public sealed record BlockListing(IReadOnlyList<StagedBlock> Committed, IReadOnlyList<StagedBlock> Uncommitted)
{
    public static BlockListing Empty { get; } = new([], []);
}

public sealed record StoredBlob(string Key, long Size, DateTimeOffset LastModified);

/// <summary>An open blob; the caller disposes <see cref="Content"/>.</summary>
public sealed record BlobContent(Stream Content, long Length, DateTimeOffset LastModified);
