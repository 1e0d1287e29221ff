using Azure.Core;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ModelsHub.Core.AccessTokens;
using ModelsHub.Core.Catalog;
using ModelsHub.Core.Usage;
using ModelsHub.Core.Common;
using ModelsHub.Core.Datasets;
using ModelsHub.Core.Identity;
using ModelsHub.Core.Imports;
using ModelsHub.Core.Reviews;
using ModelsHub.Core.Training;
using ModelsHub.Core.Uploads;
using ModelsHub.Core.Upstream;
using ModelsHub.Core.Versions;
using ModelsHub.Core.Webhooks;
using ModelsHub.Core.Workflows;

namespace ModelsHub.Infrastructure.Cosmos;

public static class CosmosServiceExtensions
{
    /// <summary>The Cosmos client, the database and the document ports stored in it.</summary>
    public static IServiceCollection AddCosmosDocuments(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<CosmosOptions>().Bind(configuration.GetSection(CosmosOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<CosmosOptions>, CosmosOptionsValidator>();
        services.AddSingleton(CreateClient);
        services.AddSingleton<CosmosDatabase>();
        services.AddSingleton<IReadinessCheck>(sp => sp.GetRequiredService<CosmosDatabase>());
        services.AddSingleton<IStorageInitialization>(sp => new DelegateInitialization(sp.GetRequiredService<CosmosDatabase>().EnsureCreatedAsync));

        // One line per document port: its container and its adapter.
        services.AddCosmosPort<IModelStore, CosmosModelStore>(HubContainers.Models);
        services.AddCosmosPort<IUserStore, CosmosUserStore>(HubContainers.Users);
        services.AddCosmosPort<IWorkflowStore, CosmosWorkflowStore>(HubContainers.Workflows);
        services.AddCosmosPort<ISubmissionStore, CosmosSubmissionStore>(HubContainers.Submissions);
        services.AddCosmosPort<IVersionStore, CosmosVersionStore>(HubContainers.Versions);
        services.AddCosmosPort<IUploadSessionStore, CosmosUploadSessionStore>(HubContainers.Uploads);
        services.AddCosmosPort<ISyncRunStore, CosmosSyncRunStore>(HubContainers.SyncRuns);
        services.AddCosmosPort<IWebhookStore, CosmosWebhookStore>(HubContainers.Webhooks);
        services.AddCosmosPort<IWebhookDeliveryStore, CosmosWebhookDeliveryStore>(HubContainers.WebhookDeliveries);
        services.AddCosmosPort<IDatasetStore, CosmosDatasetStore>(HubContainers.Datasets);
        services.AddCosmosPort<IAccessTokenStore, CosmosAccessTokenStore>(HubContainers.AccessTokens);
        services.AddSingleton(HubContainers.UsageCalls);
        services.AddCosmosPort<IUsageStore, CosmosUsageStore>(HubContainers.UsageRollups);
        services.AddCosmosPort<IModelImportStore, CosmosModelImportStore>(HubContainers.Imports);
        services.AddCosmosPort<ITrainingJobStore, CosmosTrainingJobStore>(HubContainers.TrainingJobs);
        services.AddCosmosPort<ITrainingEventStore, CosmosTrainingEventStore>(HubContainers.TrainingEvents);
        return services;
    }

    /// <summary>Registers a port's adapter and the container it needs (created on emulators, checked for readiness).</summary>
    public static IServiceCollection AddCosmosPort<TPort, TAdapter>(this IServiceCollection services, CosmosContainerSpec container)
        where TPort : class
        where TAdapter : class, TPort
    {
        services.AddSingleton(container);
        services.AddSingleton<TPort, TAdapter>();
        return services;
    }

    /// <summary>One client per process (it pools connections and caches partition maps), signed in with the managed identity in Azure.</summary>
    private static CosmosClient CreateClient(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<CosmosOptions>>().Value;
        var clientOptions = new CosmosClientOptions
        {
            ApplicationName = "ModelsHub",
            Serializer = HubCosmosSerializer.Instance,
            MaxRetryWaitTimeOnRateLimitedRequests = options.MaxRetryWaitOnThrottling,
        };
        if (options.IsEmulator)
        {
            // Emulators answer on one address and speak the gateway protocol only.
            clientOptions.ConnectionMode = ConnectionMode.Gateway;
            clientOptions.LimitToEndpoint = true;
            return new CosmosClient(options.ConnectionString, clientOptions);
        }
        return new CosmosClient(options.AccountEndpoint, services.GetRequiredService<TokenCredential>(), clientOptions);
    }
}
