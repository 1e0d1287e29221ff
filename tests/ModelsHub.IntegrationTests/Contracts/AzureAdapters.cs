using ModelsHub.Core.Catalog;
using ModelsHub.Core.Datasets;
using ModelsHub.Core.Identity;
using ModelsHub.Core.Reviews;
using ModelsHub.Core.Storage;
using ModelsHub.Core.Uploads;
using ModelsHub.Core.Training;
using ModelsHub.Core.Upstream;
using ModelsHub.Core.Versions;
using ModelsHub.Infrastructure.BlobStorage;
using ModelsHub.Core.Webhooks;
using ModelsHub.Core.Workflows;
using ModelsHub.Infrastructure.Cosmos;
using ModelsHub.Infrastructure.StorageQueues;
using ModelsHub.IntegrationTests.AzureProfile;
using Microsoft.Extensions.Logging.Abstractions;

namespace ModelsHub.IntegrationTests.Contracts;

// The Azure profile's adapters against Azurite and the Cosmos stand-in; each test gets a database or queues of its own.

[Collection(AzureEmulatorsCollection.Name)]
public sealed class CosmosModelStoreContract(AzureEmulators emulators) : ModelStoreContract
{
    protected override IModelStore Store { get; } = new CosmosModelStore(emulators.NewDatabase(null, HubContainers.Models));
}

[Collection(AzureEmulatorsCollection.Name)]
public sealed class CosmosUserStoreContract(AzureEmulators emulators) : UserStoreContract
{
    protected override IUserStore Store { get; } = new CosmosUserStore(emulators.NewDatabase(null, HubContainers.Users));
}

[Collection(AzureEmulatorsCollection.Name)]
public sealed class CosmosWorkflowStoreContract(AzureEmulators emulators) : WorkflowStoreContract
{
    protected override IWorkflowStore Store { get; } = new CosmosWorkflowStore(emulators.NewDatabase(null, HubContainers.Workflows));
}

[Collection(AzureEmulatorsCollection.Name)]
public sealed class CosmosSubmissionStoreContract(AzureEmulators emulators) : SubmissionStoreContract
{
    protected override ISubmissionStore Store { get; } = new CosmosSubmissionStore(emulators.NewDatabase(null, HubContainers.Submissions));
}

[Collection(AzureEmulatorsCollection.Name)]
public sealed class CosmosVersionStoreContract : VersionStoreContract
{
    private readonly CosmosDatabase _database;

    public CosmosVersionStoreContract(AzureEmulators emulators)
    {
        _database = emulators.NewDatabase(null, HubContainers.Versions);
        Store = new CosmosVersionStore(_database);
    }

    protected override IVersionStore Store { get; }

    protected override async Task StoreLegacyAsync(string modelId, string id, DateTimeOffset createdAt, string json)
    {
        await _database.EnsureCreatedAsync(CancellationToken.None);
        var document = new System.Text.Json.Nodes.JsonObject
        {
            ["id"] = id,
            ["modelId"] = modelId,
            ["kind"] = "version",
            ["createdUs"] = (createdAt.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / TimeSpan.TicksPerMicrosecond,
            ["text"] = json,
        };
        using var content = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(document.ToJsonString()));
        using var response = await _database.Container(HubContainers.Versions).CreateItemStreamAsync(content, new Microsoft.Azure.Cosmos.PartitionKey(modelId));
        Assert.True(response.IsSuccessStatusCode, $"{response.StatusCode}");
    }
}

[Collection(AzureEmulatorsCollection.Name)]
public sealed class CosmosUploadSessionStoreContract(AzureEmulators emulators) : UploadSessionStoreContract
{
    protected override IUploadSessionStore Store { get; } = new CosmosUploadSessionStore(emulators.NewDatabase(null, HubContainers.Uploads));
}

[Collection(AzureEmulatorsCollection.Name)]
public sealed class AzureBlobStoreContract(AzureEmulators emulators) : BlobStoreContract, IAsyncLifetime
{
    private IBlobStore? _store;

    protected override IBlobStore Store => _store ?? throw new InvalidOperationException("Not initialized.");

    public async Task InitializeAsync()
    {
        var service = new Azure.Storage.Blobs.BlobServiceClient(emulators.Emulators.StorageConnectionString);
        var container = new ModelBlobContainer(service, Microsoft.Extensions.Options.Options.Create(new BlobStorageOptions { ContainerName = "m-" + Guid.NewGuid().ToString("N")[..12] }));
        await container.CreateIfMissingAsync(CancellationToken.None);
        _store = new AzureBlobStore(container, service, TimeProvider.System);
    }

    public Task DisposeAsync() => Task.CompletedTask;
}

[Collection(AzureEmulatorsCollection.Name)]
public sealed class CosmosDatasetStoreContract(AzureEmulators emulators) : DatasetStoreContract
{
    protected override IDatasetStore Store { get; } = new CosmosDatasetStore(emulators.NewDatabase(null, HubContainers.Datasets));
}

[Collection(AzureEmulatorsCollection.Name)]
public sealed class CosmosSyncRunStoreContract(AzureEmulators emulators) : SyncRunStoreContract
{
    protected override ISyncRunStore Store { get; } = new CosmosSyncRunStore(emulators.NewDatabase(null, HubContainers.SyncRuns));
}

[Collection(AzureEmulatorsCollection.Name)]
public sealed class CosmosModelImportStoreContract(AzureEmulators emulators) : ModelImportStoreContract
{
    protected override ModelsHub.Core.Imports.IModelImportStore Store { get; } = new CosmosModelImportStore(emulators.NewDatabase(null, HubContainers.Imports));
}

[Collection(AzureEmulatorsCollection.Name)]
public sealed class StorageQueueWorkQueueContract(AzureEmulators emulators) : WorkQueueContract, IAsyncLifetime
{
    private IWorkQueue? _queue;

    protected override IWorkQueue Queue => _queue ?? throw new InvalidOperationException("Not initialized.");

    public async Task InitializeAsync() =>
        _queue = new StorageQueueWorkQueue(await emulators.NewQueuesAsync(), TimeProvider.System, NullLogger<StorageQueueWorkQueue>.Instance);

    public Task DisposeAsync() => Task.CompletedTask;
}

// The lookups by id alone on an account with many physical partitions: every partition without the item answers an empty page first.

[Collection(AzureEmulatorsCollection.Name)]
public sealed class CosmosSubmissionStoreAcrossPartitionsContract(AzureEmulators emulators) : SubmissionStoreContract
{
    protected override ISubmissionStore Store { get; } =
        new CosmosSubmissionStore(emulators.NewDatabase(emulators.CreateCosmosClient(new EmptyPagesFirstHandler(6)), HubContainers.Submissions));
}

[Collection(AzureEmulatorsCollection.Name)]
public sealed class CosmosUploadSessionStoreAcrossPartitionsContract(AzureEmulators emulators) : UploadSessionStoreContract
{
    protected override IUploadSessionStore Store { get; } =
        new CosmosUploadSessionStore(emulators.NewDatabase(emulators.CreateCosmosClient(new EmptyPagesFirstHandler(6)), HubContainers.Uploads));
}

[Collection(AzureEmulatorsCollection.Name)]
public sealed class CosmosWebhookStoreContract(AzureEmulators emulators) : WebhookStoreContract
{
    private readonly CosmosDatabase _database = emulators.NewDatabase(null, HubContainers.Webhooks, HubContainers.WebhookDeliveries);

    private CosmosWebhookStore? _webhooks;
    private CosmosWebhookDeliveryStore? _deliveries;

    protected override IWebhookStore Webhooks => _webhooks ??= new CosmosWebhookStore(_database);

    protected override IWebhookDeliveryStore Deliveries => _deliveries ??= new CosmosWebhookDeliveryStore(_database);
}

[Collection(AzureEmulatorsCollection.Name)]
public sealed class CosmosAccessTokenStoreContract(AzureEmulators emulators) : AccessTokenStoreContract
{
    protected override Core.AccessTokens.IAccessTokenStore Store { get; } = new CosmosAccessTokenStore(emulators.NewDatabase(null, HubContainers.AccessTokens));
}

[Collection(AzureEmulatorsCollection.Name)]
public sealed class CosmosUsageStoreContract : UsageStoreContract
{
    public CosmosUsageStoreContract(AzureEmulators emulators)
    {
        var database = emulators.NewDatabase(null, HubContainers.UsageCalls, HubContainers.UsageRollups);
        var options = Microsoft.Extensions.Options.Options.Create(new Core.Usage.UsageOptions());
        Store = new CosmosUsageStore(database, options);
        // Another instance of the hub: its own adapter over the same containers.
        OtherInstance = new CosmosUsageStore(database, options);
    }

    protected override Core.Usage.IUsageStore Store { get; }

    protected override Core.Usage.IUsageStore OtherInstance { get; }
}

[Collection(AzureEmulatorsCollection.Name)]
public sealed class CosmosTrainingJobStoreContract(AzureEmulators emulators) : TrainingJobStoreContract
{
    protected override ITrainingJobStore Store { get; } = new CosmosTrainingJobStore(emulators.NewDatabase(null, HubContainers.TrainingJobs));
}

[Collection(AzureEmulatorsCollection.Name)]
public sealed class CosmosTrainingEventStoreContract(AzureEmulators emulators) : TrainingEventStoreContract
{
    protected override ITrainingEventStore Store { get; } = new CosmosTrainingEventStore(emulators.NewDatabase(null, HubContainers.TrainingEvents));
}
