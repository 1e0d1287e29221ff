using System.Diagnostics.CodeAnalysis;
using System.Text;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Storage.Blobs;
using ModelsHub.Core.Common;
using ModelsHub.Core.Storage;
using ModelsHub.Infrastructure.BlobStorage;

namespace ModelsHub.IntegrationTests.AzureProfile;

/// <summary>What the blob store does when Blob Storage is busy or a publishing copy fails: faults injected into the SDK's pipeline against Azurite.</summary>
[Collection(AzureEmulatorsCollection.Name)]
public sealed class AzureBlobStoreFaultTests(AzureEmulators emulators)
{
    private readonly FaultPolicy _faults = new();

    private async Task<(AzureBlobStore Store, BlobContainerClient Container)> NewStoreAsync()
    {
        var options = new BlobClientOptions();
        options.AddPolicy(_faults, HttpPipelinePosition.PerCall);
        var service = new BlobServiceClient(emulators.Emulators.StorageConnectionString, options);
        var container = new ModelBlobContainer(service, Microsoft.Extensions.Options.Options.Create(new BlobStorageOptions { ContainerName = "f-" + Guid.NewGuid().ToString("N")[..12] }));
        await container.CreateIfMissingAsync(CancellationToken.None);
        return (new AzureBlobStore(container, service, TimeProvider.System), container.Client);
    }

    [Theory]
    [InlineData(503, "ServerBusy")]
    [InlineData(500, "OperationTimedOut")]
    [InlineData(429, null)]
    public async Task BusyBlobStorageIsServiceBusy(int status, string? code)
    {
        var (store, container) = await NewStoreAsync();
        await container.UploadBlobAsync("models/m/v1/a.bin", BinaryData.FromString("abc"));
        _faults.Busy = (status, code);

        await Assert.ThrowsAsync<ServiceBusyException>(() => store.OpenReadAsync("models/m/v1/a.bin", CancellationToken.None));
        await Assert.ThrowsAsync<ServiceBusyException>(() => store.GetBlocksAsync("models/m/v1/a.bin", CancellationToken.None));
        await Assert.ThrowsAsync<ServiceBusyException>(() => store.DeleteAsync("models/m/v1/a.bin", CancellationToken.None));
        await Assert.ThrowsAsync<ServiceBusyException>(() => store.PromoteAsync("uploads/u/a.bin", "models/m/v1/a.bin", "text/plain", CancellationToken.None));
        await Assert.ThrowsAsync<ServiceBusyException>(async () =>
        {
            await foreach (var _ in store.ListAsync("models/", CancellationToken.None))
            {
            }
        });

        _faults.Busy = null;
        await using var content = (await store.OpenReadAsync("models/m/v1/a.bin", CancellationToken.None)).Content;
        Assert.Equal("abc", await new StreamReader(content).ReadToEndAsync());
    }

    [Fact]
    public async Task AFailedPublishingCopyKeepsTheStagedBlobAndCanBeRetried()
    {
        var (store, container) = await NewStoreAsync();
        await container.UploadBlobAsync("uploads/u1/a.bin", BinaryData.FromString("new bytes"));
        _faults.FailCopiesTo = "models/m/v1/a.bin";

        var error = await Assert.ThrowsAsync<ServiceBusyException>(() => store.PromoteAsync("uploads/u1/a.bin", "models/m/v1/a.bin", "text/plain", CancellationToken.None));
        Assert.Contains("did not complete", error.Message, StringComparison.Ordinal);
        Assert.True((await container.GetBlobClient("uploads/u1/a.bin").ExistsAsync()).Value);

        _faults.FailCopiesTo = null;
        await store.PromoteAsync("uploads/u1/a.bin", "models/m/v1/a.bin", "text/plain", CancellationToken.None);
        Assert.False((await container.GetBlobClient("uploads/u1/a.bin").ExistsAsync()).Value);
        var published = await container.GetBlobClient("models/m/v1/a.bin").DownloadContentAsync();
        Assert.Equal(("new bytes", "text/plain"), (published.Value.Content.ToString(), published.Value.Details.ContentType));
    }

    /// <summary>Throws what the SDK throws once its retries are spent, or makes a copy's status read "failed".</summary>
    private sealed class FaultPolicy : HttpPipelinePolicy
    {
        public volatile string? FailCopiesTo;

        public (int Status, string? Code)? Busy { get; set; }

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) => throw new NotSupportedException("The store is async.");

        public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            if (Busy is { } busy)
            {
                throw new RequestFailedException(busy.Status, "Injected: the server is busy.", busy.Code, null);
            }
            await ProcessNextAsync(message, pipeline);
            if (FailCopiesTo is { } key && message.Request.Method == RequestMethod.Head
                && message.Request.Uri.Path.EndsWith("/" + key, StringComparison.Ordinal) && message.Response.Headers.Contains("x-ms-copy-id"))
            {
                message.Response = new OverriddenHeaders(message.Response, new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
                {
                    ["x-ms-copy-status"] = "failed",
                    ["x-ms-copy-status-description"] = "500 InternalError \"Injected: copy failed.\"",
                });
            }
        }
    }

    private sealed class OverriddenHeaders(Response inner, IReadOnlyDictionary<string, string> headers) : Response
    {
        public override int Status => inner.Status;

        public override string ReasonPhrase => inner.ReasonPhrase;

        public override Stream? ContentStream { get => inner.ContentStream; set => inner.ContentStream = value; }

        public override string ClientRequestId { get => inner.ClientRequestId; set => inner.ClientRequestId = value; }

        public override void Dispose() => inner.Dispose();

        protected override bool ContainsHeader(string name) => headers.ContainsKey(name) || inner.Headers.Contains(name);

        protected override IEnumerable<HttpHeader> EnumerateHeaders() =>
            inner.Headers.Where(h => !headers.ContainsKey(h.Name)).Concat(headers.Select(h => new HttpHeader(h.Key, h.Value)));

        protected override bool TryGetHeader(string name, [NotNullWhen(true)] out string? value) =>
            headers.TryGetValue(name, out value) || inner.Headers.TryGetValue(name, out value);

        protected override bool TryGetHeaderValues(string name, [NotNullWhen(true)] out IEnumerable<string>? values)
        {
            if (headers.TryGetValue(name, out var value))
            {
                values = [value];
                return true;
            }
            return inner.Headers.TryGetValues(name, out values);
        }
    }
}
