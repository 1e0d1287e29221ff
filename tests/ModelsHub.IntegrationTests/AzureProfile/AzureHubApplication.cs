using Microsoft.Extensions.DependencyInjection;
using ModelsHub.IntegrationTests.Infrastructure;
using ModelsHub.Testing;

namespace ModelsHub.IntegrationTests.AzureProfile;

/// <summary>
/// The hub in memory on the Azure profile (<c>Storage:Profile=Azure</c>), configured only through
/// settings, as in production but with the emulators' connection strings; its database, queues
/// and blob container are its own and created at start.
/// </summary>
public sealed class AzureHubApplication : HubApplication
{
    private readonly List<Action<IServiceCollection>> _services = [];

    public AzureHubApplication(LocalEmulators emulators)
    {
        Run = Guid.NewGuid().ToString("N")[..12];
        With("Storage:Profile", "Azure");
        With("Storage:Azure:CreateIfMissing", "true");
        With("Storage:Azure:Cosmos:ConnectionString", emulators.CosmosConnectionString);
        With("Storage:Azure:Cosmos:DatabaseName", "hub-" + Run);
        With("Storage:Azure:Blobs:ConnectionString", emulators.StorageConnectionString);
        With("Storage:Azure:Blobs:ContainerName", "models-" + Run);
        With("Storage:Azure:Queues:ConnectionString", emulators.StorageConnectionString);
        With("Storage:Azure:Queues:QueueName", "work-" + Run);
        With("Storage:Azure:Queues:PoisonQueueName", "work-" + Run + "-poison");
    }

    /// <summary>What makes this hub's resource names unique.</summary>
    public string Run { get; }

    /// <summary>Changes a service registration before the app starts (e.g. a Cosmos client with a fault-injecting handler).</summary>
    public AzureHubApplication WithServices(Action<IServiceCollection> configure)
    {
        _services.Add(configure);
        return this;
    }

    protected override void ConfigureTestServices(IServiceCollection services)
    {
        foreach (var configure in _services)
        {
            configure(services);
        }
    }
}
