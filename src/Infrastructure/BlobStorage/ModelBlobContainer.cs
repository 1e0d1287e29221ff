using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Options;
using ModelsHub.Core.Common;
using ModelsHub.Infrastructure.AzureProfile;

namespace ModelsHub.Infrastructure.BlobStorage;

/// <summary>The blob container that holds model files: checked for readiness, created on emulators.</summary>
public sealed class ModelBlobContainer(BlobServiceClient service, IOptions<BlobStorageOptions> options) : IReadinessCheck
{
    public BlobContainerClient Client { get; } = service.GetBlobContainerClient(options.Value.ContainerName);

    public string Name => "blobs";

    public Task CreateIfMissingAsync(CancellationToken cancellationToken) =>
        Client.CreateIfNotExistsAsync(cancellationToken: cancellationToken);

    /// <summary>
    /// Lists at most one blob: the same data-plane permission the hub uses, unlike reading container
    /// properties, which a data-only role assignment may not grant.
    /// </summary>
    public async Task CheckAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var _ in Client.GetBlobsAsync(BlobTraits.None, BlobStates.None, null, cancellationToken).AsPages(pageSizeHint: 1))
            {
                break;
            }
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            throw new InvalidOperationException($"Blob container '{Client.Name}' does not exist; Bicep creates it in Azure, {AzureStorageOptions.Section}:CreateIfMissing=true on emulators.", ex);
        }
    }
}
