using Azure.Storage.Queues;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using ModelsHub.Infrastructure.AzureProfile;
using ModelsHub.Infrastructure.Cosmos;
using ModelsHub.Infrastructure.StorageQueues;
using ModelsHub.Testing;

namespace ModelsHub.IntegrationTests.AzureProfile;

/// <summary>
/// Azurite and the Cosmos stand-in, started once for every Azure-profile test class (they share
/// this collection) and stopped after the last. Each test gets its own database, queues and blob
/// container, so nothing leaks between tests.
/// </summary>
public sealed class AzureEmulators : IAsyncLifetime
{
    private LocalEmulators? _emulators;
    private CosmosClient? _cosmos;

    public LocalEmulators Emulators => _emulators ?? throw new InvalidOperationException("The emulators are not started.");

    /// <summary>One client for the contract tests, configured as the hub configures its own for emulators.</summary>
    public CosmosClient Cosmos => _cosmos ?? throw new InvalidOperationException("The emulators are not started.");

    public async Task InitializeAsync()
    {
        _emulators = await LocalEmulators.StartAsync();
        _cosmos = CreateCosmosClient();
    }

    /// <summary>A client as the hub builds one for emulators; with <paramref name="wire"/>, every HTTP exchange goes through it (fault injection).</summary>
    public CosmosClient CreateCosmosClient(DelegatingHandler? wire = null)
    {
        var options = new CosmosClientOptions
        {
            Serializer = HubCosmosSerializer.Instance,
            ConnectionMode = ConnectionMode.Gateway,
            LimitToEndpoint = true,
        };
        if (wire is not null)
        {
            wire.InnerHandler ??= new SocketsHttpHandler();
            options.HttpClientFactory = () => new HttpClient(wire, disposeHandler: false);
            // As if the SDK had already spent its retries: the 429 reaches the adapter at once.
            options.MaxRetryAttemptsOnRateLimitedRequests = 0;
        }
        return new CosmosClient(Emulators.CosmosConnectionString, options);
    }

    /// <summary>A database of its own (created on first use), holding the given containers.</summary>
    public CosmosDatabase NewDatabase(CosmosClient? client, params CosmosContainerSpec[] containers) =>
        new(client ?? Cosmos,
            Options.Create(new CosmosOptions { ConnectionString = Emulators.CosmosConnectionString, DatabaseName = "t-" + Guid.NewGuid().ToString("N")[..12] }),
            Options.Create(new AzureStorageOptions { CreateIfMissing = true }),
            containers,
            NullLogger<CosmosDatabase>.Instance);

    /// <summary>A work queue and its poison queue of their own, created.</summary>
    public async Task<WorkQueues> NewQueuesAsync()
    {
        var name = "q-" + Guid.NewGuid().ToString("N")[..12];
        var queues = new WorkQueues(
            new QueueServiceClient(Emulators.StorageConnectionString, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 }),
            Options.Create(new StorageQueueOptions { QueueName = name, PoisonQueueName = name + "-failed" }));
        await queues.CreateIfMissingAsync(CancellationToken.None);
        return queues;
    }

    /// <summary>The hub on the Azure profile against these emulators, with a database, queues and container of its own.</summary>
    public AzureHubApplication NewHub() => new(Emulators);

    public async Task DisposeAsync()
    {
        _cosmos?.Dispose();
        if (_emulators is not null)
        {
            await _emulators.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class AzureEmulatorsCollection : ICollectionFixture<AzureEmulators>
{
    public const string Name = "Azure emulators";
}
