using Azure.Core;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ModelsHub.Core.Common;
using ModelsHub.Core.Workflows;
using ModelsHub.Infrastructure.AzureProfile;

namespace ModelsHub.Infrastructure.StorageQueues;

public static class StorageQueueServiceExtensions
{
    public static IServiceCollection AddStorageQueueWorkQueue(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<StorageQueueOptions>().Bind(configuration.GetSection(StorageQueueOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<StorageQueueOptions>, StorageQueueOptionsValidator>();
        services.AddSingleton(CreateClient);
        services.AddSingleton<WorkQueues>();
        services.AddSingleton<IReadinessCheck>(sp => sp.GetRequiredService<WorkQueues>());
        services.AddSingleton<IStorageInitialization>(sp => new DelegateInitialization(ct =>
            sp.GetRequiredService<IOptions<AzureStorageOptions>>().Value.CreateIfMissing
                ? sp.GetRequiredService<WorkQueues>().CreateIfMissingAsync(ct)
                : Task.CompletedTask));
        services.AddSingleton<IWorkQueue, StorageQueueWorkQueue>();
        return services;
    }

    private static QueueServiceClient CreateClient(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<StorageQueueOptions>>().Value;
        // Base64, because the Functions host's queue trigger decodes messages as Base64 by default.
        var clientOptions = new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 };
        return string.IsNullOrWhiteSpace(options.ConnectionString)
            ? new QueueServiceClient(new Uri(options.ServiceUri!), services.GetRequiredService<TokenCredential>(), clientOptions)
            : new QueueServiceClient(options.ConnectionString, clientOptions);
    }
}
