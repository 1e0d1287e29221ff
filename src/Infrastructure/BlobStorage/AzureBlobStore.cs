using System.Net;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Azure;
using Azure.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Azure.Storage.Sas;
using ModelsHub.Core.Common;
using ModelsHub.Core.Storage;

using ModelsHub.Infrastructure.AzureProfile;

namespace ModelsHub.Infrastructure.BlobStorage;

/// <summary>
/// Model files in one Blob Storage container, the port's operations mapped one to one: Put Block,
/// Get Block List, Put Block List, a copy to publish. SAS URLs name exactly one blob; in Azure they
/// are signed with a user delegation key (the managed identity holds no account key), on Azurite
/// with the emulator's account key.
/// </summary>
public sealed class AzureBlobStore(ModelBlobContainer container, BlobServiceClient service, TimeProvider clock) : IBlobStore
{
    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan CopyLifetime = TimeSpan.FromHours(1);
    private static readonly TimeSpan CopyPollInterval = TimeSpan.FromSeconds(1);

    private readonly SemaphoreSlim _keyGate = new(1, 1);
    private UserDelegationKey? _delegationKey;

    private BlobContainerClient Container => container.Client;

    public async Task<UploadTarget> PrepareUploadAsync(StagedBlob staged, DateTimeOffset targetExpiresAt, CancellationToken cancellationToken)
    {
        return await BusyAsync("prepare upload", async () =>
        {
            var blob = Container.GetBlockBlobClient(staged.Key);
            try
            {
                // An empty blob marks the upload as begun (listed, deletable with its blocks) until the
                // client commits; "if none match" keeps blocks staged by an earlier target.
                await blob.UploadAsync(Stream.Null, new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } }, cancellationToken);
            }
            catch (RequestFailedException ex) when (ex.Status is (int)HttpStatusCode.Conflict or (int)HttpStatusCode.PreconditionFailed)
            {
            }
            var url = await SasAsync(blob, BlobSasPermissions.Read | BlobSasPermissions.Write | BlobSasPermissions.Create, targetExpiresAt, null, cancellationToken);
            return new UploadTarget(url, targetExpiresAt);
        });
    }

    public async Task<byte[]> StageBlockAsync(string key, string blockId, Stream content, long length, byte[]? contentMd5, CancellationToken cancellationToken)
    {
        // The SDK hashes the block and may send it again on a retry, so it needs to seek: a forward-only
        // body (an import's download) is held as one block, never more than a chunk.
        byte[]? rented = null;
        if (!content.CanSeek)
        {
            if (length > int.MaxValue)
            {
                throw new ValidationException("Content-Length", $"A block of {length} bytes from a stream is larger than this store buffers.");
            }
            rented = System.Buffers.ArrayPool<byte>.Shared.Rent((int)length);
            var filled = 0;
            while (filled < length)
            {
                var read = await content.ReadAsync(rented.AsMemory(filled, (int)length - filled), cancellationToken);
                if (read == 0) break;
                filled += read;
            }
            if (filled != length)
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(rented);
                throw new ValidationException("Content-Length", $"The body ended after {filled} of {length} bytes; send the chunk again.");
            }
            content = new MemoryStream(rented, 0, (int)length, writable: false);
            // Held whole, the block is hashed here: the service checks it, and the caller learns it as with any block.
            contentMd5 ??= MD5.HashData(rented.AsSpan(0, (int)length));
        }
        try
        {
            return await StageSeekableBlockAsync(key, blockId, content, contentMd5, cancellationToken);
        }
        finally
        {
            if (rented is not null) System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private async Task<byte[]> StageSeekableBlockAsync(string key, string blockId, Stream content, byte[]? contentMd5, CancellationToken cancellationToken)
    {
        return await BusyAsync("stage block", async () =>
        {
            var options = new BlockBlobStageBlockOptions
            {
                // MD5, not CRC64: Azurite stores CRC64 framing as data. Without a client hash the SDK computes one.
                TransferValidation = new UploadTransferValidationOptions { ChecksumAlgorithm = StorageChecksumAlgorithm.MD5, PrecalculatedChecksum = contentMd5 },
            };
            try
            {
                var response = await Container.GetBlockBlobClient(key).StageBlockAsync(blockId, content, options, cancellationToken);
                return response.Value.ContentHash ?? contentMd5 ?? [];
            }
            catch (RequestFailedException ex) when (ex.ErrorCode == BlobErrorCode.Md5Mismatch.ToString())
            {
                throw new ValidationException("Content-MD5", "Does not match the block's content; send the block again.");
            }
            catch (RequestFailedException ex) when (ex.Status == (int)HttpStatusCode.BadRequest && ex.ErrorCode is "InvalidBlockId" or "InvalidQueryParameterValue")
            {
                throw new ValidationException("blockid", ex.Message);
            }
        });
    }

    public async Task<BlockListing> GetBlocksAsync(string key, CancellationToken cancellationToken)
    {
        return await BusyAsync("get block list", async () =>
        {
            try
            {
                var list = (await Container.GetBlockBlobClient(key).GetBlockListAsync(BlockListTypes.All, cancellationToken: cancellationToken)).Value;
                return new BlockListing(
                    list.CommittedBlocks.Select(b => new StagedBlock(b.Name, b.SizeLong)).ToList(),
                    list.UncommittedBlocks.Select(b => new StagedBlock(b.Name, b.SizeLong)).ToList());
            }
            catch (RequestFailedException ex) when (ex.Status == (int)HttpStatusCode.NotFound)
            {
                return BlockListing.Empty;
            }
        });
    }

    public async Task<long> CommitBlocksAsync(string key, IReadOnlyList<string> blockIds, string contentType, CancellationToken cancellationToken)
    {
        return await BusyAsync("commit block list", async () =>
        {
            var blob = Container.GetBlockBlobClient(key);
            try
            {
                await blob.CommitBlockListAsync(blockIds, new CommitBlockListOptions { HttpHeaders = new BlobHttpHeaders { ContentType = contentType } }, cancellationToken);
            }
            catch (RequestFailedException ex) when (ex.ErrorCode == BlobErrorCode.InvalidBlockList.ToString())
            {
                throw new ValidationException("blocklist", "Names a block that was not staged; send every chunk, then complete.");
            }
            return (await blob.GetPropertiesAsync(cancellationToken: cancellationToken)).Value.ContentLength;
        });
    }

    public async Task<byte[]> ComputeSha256Async(string key, CancellationToken cancellationToken) =>
        await BusyAsync("hash blob", async () =>
        {
            await using var content = await OpenAsync(key, cancellationToken);
            return await SHA256.HashDataAsync(content, cancellationToken);
        });

    public async Task PromoteAsync(string stagedKey, string publishedKey, string contentType, CancellationToken cancellationToken)
    {
        await BusyAsync("publish blob", async () =>
        {
            var source = Container.GetBlobClient(stagedKey);
            var target = Container.GetBlobClient(publishedKey);
            if (!await source.ExistsAsync(cancellationToken))
            {
                // Promoted before (the staged blob is gone once the copy landed): nothing left to do.
                if (await target.ExistsAsync(cancellationToken))
                {
                    return;
                }
                throw new NotFoundException("Blob", stagedKey);
            }
            // A server-side copy replaces the published blob in one step; readers see old or new bytes.
            var from = await SasAsync(source, BlobSasPermissions.Read, clock.GetUtcNow() + CopyLifetime, null, cancellationToken);
            var copy = await target.StartCopyFromUriAsync(from, cancellationToken: cancellationToken);
            try
            {
                await copy.WaitForCompletionAsync(CopyPollInterval, cancellationToken);
            }
            catch (RequestFailedException ex) when (!StorageOutcomes.IsBusy(ex))
            {
                // A copy that ended badly: what the published blob says below decides.
            }
            // The staged bytes go only once the published blob holds them: a failed or aborted copy
            // keeps the source, so promoting again (a retried complete, the sweep) can still succeed.
            var landed = (await target.GetPropertiesAsync(cancellationToken: cancellationToken)).Value;
            if (landed.CopyId != copy.Id || landed.CopyStatus != CopyStatus.Success)
            {
                throw new ServiceBusyException(
                    $"Publishing '{publishedKey}' did not complete (copy {(landed.CopyId == copy.Id ? landed.CopyStatus.ToString().ToLowerInvariant() : "replaced")}: {landed.CopyStatusDescription}); the upload is kept, try again.",
                    TimeSpan.FromSeconds(5));
            }
            await target.SetHttpHeadersAsync(new BlobHttpHeaders { ContentType = contentType }, cancellationToken: cancellationToken);
            await source.DeleteIfExistsAsync(DeleteSnapshotsOption.IncludeSnapshots, cancellationToken: cancellationToken);
        });
    }

    public async Task<Uri?> GetDownloadUrlAsync(string key, string downloadName, TimeSpan lifetime, CancellationToken cancellationToken) =>
        await BusyAsync<Uri?>("sign download", async () => await SasAsync(Container.GetBlobClient(key), BlobSasPermissions.Read, clock.GetUtcNow() + lifetime,
            $"attachment; filename=\"{downloadName.Replace("\"", "", StringComparison.Ordinal)}\"", cancellationToken));

    public async Task<Uri> GetReadUrlAsync(string key, string downloadName, DateTimeOffset expiresAt, CancellationToken cancellationToken) =>
        await BusyAsync("sign read link", async () => await SasAsync(Container.GetBlobClient(key), BlobSasPermissions.Read, expiresAt,
            $"attachment; filename=\"{downloadName.Replace("\"", "", StringComparison.Ordinal)}\"", cancellationToken));

    public async Task<BlobContent> OpenReadAsync(string key, CancellationToken cancellationToken)
    {
        return await BusyAsync("open blob", async () =>
        {
            var blob = Container.GetBlobClient(key);
            try
            {
                var properties = (await blob.GetPropertiesAsync(cancellationToken: cancellationToken)).Value;
                // Pinned to the version read: a promotion meanwhile fails the read instead of mixing bytes.
                var stream = await blob.OpenReadAsync(new BlobOpenReadOptions(allowModifications: false), cancellationToken);
                return new BlobContent(stream, properties.ContentLength, properties.LastModified);
            }
            catch (RequestFailedException ex) when (ex.Status == (int)HttpStatusCode.NotFound)
            {
                throw new NotFoundException("Blob", key);
            }
        });
    }

    public async Task DeleteAsync(string key, CancellationToken cancellationToken) =>
        await BusyAsync("delete blob", () =>
            Container.GetBlobClient(key).DeleteIfExistsAsync(DeleteSnapshotsOption.IncludeSnapshots, cancellationToken: cancellationToken));

    public async Task DeletePrefixAsync(string prefix, CancellationToken cancellationToken)
    {
        await foreach (var blob in ListAsync(prefix, cancellationToken))
        {
            await DeleteAsync(blob.Key, cancellationToken);
        }
    }

    public async IAsyncEnumerable<StoredBlob> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var pages = Container.GetBlobsAsync(BlobTraits.None, BlobStates.None, prefix, cancellationToken).AsPages().GetAsyncEnumerator(cancellationToken);
        while (await BusyAsync("list blobs", async () => await pages.MoveNextAsync()))
        {
            foreach (var item in pages.Current.Values)
            {
                yield return new StoredBlob(item.Name, item.Properties.ContentLength ?? 0, item.Properties.LastModified ?? DateTimeOffset.MinValue);
            }
        }
    }

    private static Task<T> BusyAsync<T>(string operation, Func<Task<T>> call) => StorageOutcomes.BusyAsync("Blob Storage", operation, call);

    private static Task BusyAsync(string operation, Func<Task> call) => StorageOutcomes.BusyAsync("Blob Storage", operation, call);

    private async Task<Stream> OpenAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            return await Container.GetBlobClient(key).OpenReadAsync(new BlobOpenReadOptions(allowModifications: false), cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == (int)HttpStatusCode.NotFound)
        {
            throw new NotFoundException("Blob", key);
        }
    }

    /// <summary>A SAS for exactly this blob: the account key's on emulators, a user delegation key's in Azure.</summary>
    private async Task<Uri> SasAsync(BlobBaseClient blob, BlobSasPermissions permissions, DateTimeOffset expiresOn, string? contentDisposition, CancellationToken cancellationToken)
    {
        var builder = new BlobSasBuilder(permissions, expiresOn)
        {
            BlobContainerName = blob.BlobContainerName,
            BlobName = blob.Name,
            Resource = "b",
            StartsOn = clock.GetUtcNow() - ClockSkew,
            Protocol = blob.Uri.Scheme == Uri.UriSchemeHttps ? SasProtocol.Https : SasProtocol.HttpsAndHttp,
            ContentDisposition = contentDisposition,
        };
        if (blob.CanGenerateSasUri)
        {
            return blob.GenerateSasUri(builder);
        }
        var key = await DelegationKeyAsync(expiresOn, cancellationToken);
        return new BlobUriBuilder(blob.Uri) { Sas = builder.ToSasQueryParameters(key, service.AccountName) }.ToUri();
    }

    /// <summary>One user delegation key (valid up to seven days) serves every SAS that expires before it does.</summary>
    private async Task<UserDelegationKey> DelegationKeyAsync(DateTimeOffset until, CancellationToken cancellationToken)
    {
        if (_delegationKey is { } current && current.SignedExpiresOn >= until)
        {
            return current;
        }
        await _keyGate.WaitAsync(cancellationToken);
        try
        {
            if (_delegationKey is { } again && again.SignedExpiresOn >= until)
            {
                return again;
            }
            var now = clock.GetUtcNow();
            var expires = new[] { until + TimeSpan.FromHours(1), now + TimeSpan.FromDays(1) }.Max();
            expires = expires > now + TimeSpan.FromDays(7) ? now + TimeSpan.FromDays(7) - ClockSkew : expires;
            _delegationKey = (await service.GetUserDelegationKeyAsync(now - ClockSkew, expires, cancellationToken)).Value;
            return _delegationKey;
        }
        finally
        {
            _keyGate.Release();
        }
    }
}
