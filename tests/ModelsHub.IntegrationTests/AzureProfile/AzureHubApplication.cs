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
        foreach (var (key, value) in Settings(emulators, Run))
        {
            With(key, value);
        }
    }

    /// <summary>The Azure profile on these emulators, with resource names made unique by <paramref name="run"/>.</summary>
    public static Dictionary<string, string?> Settings(LocalEmulators emulators, string run) => new()
    {
        ["Storage:Profile"] = "Azure",
        ["Storage:Azure:CreateIfMissing"] = "true",
        ["Storage:Azure:Cosmos:ConnectionString"] = emulators.CosmosConnectionString,
        ["Storage:Azure:Cosmos:DatabaseName"] = "hub-" + run,
        ["Storage:Azure:Blobs:ConnectionString"] = emulators.StorageConnectionString,
        ["Storage:Azure:Blobs:ContainerName"] = "models-" + run,
        ["Storage:Azure:Queues:ConnectionString"] = emulators.StorageConnectionString,
        ["Storage:Azure:Queues:QueueName"] = "work-" + run,
        ["Storage:Azure:Queues:PoisonQueueName"] = "work-" + run + "-failed",
    };

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
