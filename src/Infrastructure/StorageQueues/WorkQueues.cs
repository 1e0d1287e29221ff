using Azure.Storage.Queues;
using Microsoft.Extensions.Options;
using ModelsHub.Core.Common;
using ModelsHub.Infrastructure.AzureProfile;

namespace ModelsHub.Infrastructure.StorageQueues;

/// <summary>The work queue and its poison queue, from one service client; created when <c>Storage:Azure:CreateIfMissing</c> allows.</summary>
public sealed class WorkQueues(QueueServiceClient service, IOptions<StorageQueueOptions> options) : IReadinessCheck
{
    public QueueClient Work { get; } = service.GetQueueClient(options.Value.QueueName);

    public QueueClient Poison { get; } = service.GetQueueClient(options.Value.PoisonQueueName);

    public string Name => "queues";

    public async Task CreateIfMissingAsync(CancellationToken cancellationToken)
    {
        await Work.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        await Poison.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
    }

    public async Task CheckAsync(CancellationToken cancellationToken)
    {
        foreach (var queue in new[] { Work, Poison })
        {
            try
            {
                await queue.GetPropertiesAsync(cancellationToken);
            }
            catch (Azure.RequestFailedException ex) when (ex.Status == 404)
            {
                throw new InvalidOperationException($"Queue '{queue.Name}' does not exist; Bicep creates it in Azure, {AzureStorageOptions.Section}:CreateIfMissing=true on emulators.", ex);
            }
        }
    }
}
