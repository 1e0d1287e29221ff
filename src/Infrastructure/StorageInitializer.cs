using Microsoft.Extensions.Hosting;

namespace ModelsHub.Infrastructure;

/// <summary>
/// Opens the stores before the server accepts requests, so a store that cannot be created fails
/// the start (with its setting in the message) instead of the first request.
/// </summary>
internal sealed class StorageInitializer(IEnumerable<IStorageInitialization> initializations) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var initialization in initializations)
        {
            await initialization.InitializeAsync(cancellationToken);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>A store that must be created or checked once at start.</summary>
internal interface IStorageInitialization
{
    Task InitializeAsync(CancellationToken cancellationToken);
}

internal sealed class DelegateInitialization(Func<CancellationToken, Task> initialize) : IStorageInitialization
{
    public Task InitializeAsync(CancellationToken cancellationToken) => initialize(cancellationToken);
}
