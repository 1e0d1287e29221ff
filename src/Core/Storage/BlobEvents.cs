namespace ModelsHub.Core.Storage;

/// <summary>A blob was committed (Event Grid's <c>Microsoft.Storage.BlobCreated</c>, reduced to what the hub uses).</summary>
public sealed record BlobCreated(string Key, long ContentLength);

/// <summary>
/// Where a store whose service raises no events of its own (the embedded folder) reports the blobs
/// it committed, so they reach the hub exactly as Blob Storage's events reach the BlobCreated function.
/// </summary>
public interface IBlobEventPublisher
{
    ValueTask PublishAsync(BlobCreated blobCreated, CancellationToken cancellationToken);
}
