using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using ModelsHub.Core.AccessTokens;
using ModelsHub.Core.Catalog;
using ModelsHub.Core.Usage;
using ModelsHub.Core.Common;
using ModelsHub.Core.Datasets;
using Microsoft.AspNetCore.DataProtection;
using ModelsHub.Core.Identity;
using ModelsHub.Core.Imports;
using ModelsHub.Core.Reviews;
using ModelsHub.Core.Storage;
using ModelsHub.Core.Training;
using ModelsHub.Core.Uploads;
using ModelsHub.Core.Versions;
using ModelsHub.Core.Upstream;
using ModelsHub.Core.Webhooks;
using ModelsHub.Core.Workflows;
using ModelsHub.Infrastructure.AiProviders;
using ModelsHub.Infrastructure.AzureProfile;
using ModelsHub.Infrastructure.DataProtection;
using ModelsHub.Infrastructure.GitHub;
using ModelsHub.Infrastructure.HuggingFace;
using ModelsHub.Infrastructure.LocalFiles;
using ModelsHub.Infrastructure.Sqlite;
using ModelsHub.Infrastructure.Webhooks;

namespace ModelsHub.Infrastructure;

public enum StorageProfile { Embedded, Azure }

/// <summary>The one switch that picks the adapter set for every port from configuration (<c>Storage:Profile</c>).</summary>
public static class InfrastructureServiceExtensions
{
    public const string ProfileKey = "Storage:Profile";

    public static StorageProfile ReadProfile(IConfiguration configuration)
    {
        var value = configuration[ProfileKey];
        if (string.IsNullOrWhiteSpace(value))
        {
            return StorageProfile.Embedded;
        }
        return Enum.TryParse<StorageProfile>(value, ignoreCase: true, out var profile) && Enum.IsDefined(profile)
            ? profile
            : throw new OptionsValidationException(ProfileKey, typeof(StorageProfile),
                [$"{ProfileKey} is '{value}'; expected one of: {string.Join(", ", Enum.GetNames<StorageProfile>())}."]);
    }

    public static IServiceCollection AddHubInfrastructure(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddHostedService<StorageInitializer>();
        services.AddHubGitHub(configuration);
        services.AddHubWebhookSender(configuration);
        services.AddHubAiProviders(configuration);
        services.AddHubHuggingFace(configuration);
        switch (ReadProfile(configuration))
        {
            case StorageProfile.Embedded:
                services.AddEmbeddedStorage(configuration, environment);
                break;
            case StorageProfile.Azure:
                services.AddAzureStorage(configuration);
                break;
        }
        return services;
    }

    private static void AddEmbeddedStorage(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        services.AddOptions<EmbeddedStorageOptions>()
            .Bind(configuration.GetSection(EmbeddedStorageOptions.Section))
            .PostConfigure(o => o.ResolvedDataDirectory = Path.GetFullPath(o.DataDirectory ?? "", environment.ContentRootPath))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<EmbeddedStorageOptions>, EmbeddedStorageOptionsValidator>();

        services.AddSingleton<SqliteDatabase>();
        services.AddSingleton<IStorageInitialization>(sp => new DelegateInitialization(_ =>
        {
            sp.GetRequiredService<SqliteDatabase>();
            Directory.CreateDirectory(sp.GetRequiredService<LocalBlobFolder>().Root);
            return Task.CompletedTask;
        }));
        services.AddSingleton<IReadinessCheck>(sp => sp.GetRequiredService<SqliteDatabase>());
        services.AddSingleton<LocalBlobFolder>();
        services.AddSingleton<IReadinessCheck>(sp => sp.GetRequiredService<LocalBlobFolder>());
        services.AddSingleton<SqliteModelStore>();
        services.AddSingleton<IModelStore>(sp => sp.GetRequiredService<IOptions<EmbeddedStorageOptions>>().Value.ReadCache
            ? new CachedModelStore(sp.GetRequiredService<SqliteModelStore>(), sp.GetRequiredService<SqliteDatabase>().DataVersion,
                sp.GetRequiredService<TimeProvider>(), CachedModelStore.DefaultForeignWriteCheckInterval)
            : sp.GetRequiredService<SqliteModelStore>());
        services.AddSingleton<IUserStore, SqliteUserStore>();
        services.AddSingleton<IWorkQueue, SqliteWorkQueue>();
        services.AddSingleton<IWorkflowStore, SqliteWorkflowStore>();
        services.AddSingleton<ISubmissionStore, SqliteSubmissionStore>();
        services.AddSingleton<ISyncRunStore, SqliteSyncRunStore>();
        services.AddSingleton<IWebhookStore, SqliteWebhookStore>();
        services.AddSingleton<IWebhookDeliveryStore, SqliteWebhookDeliveryStore>();
        services.AddSingleton<IAccessTokenStore, SqliteAccessTokenStore>();
        services.AddSingleton<IUsageStore, SqliteUsageStore>();
        services.AddSingleton<IModelImportStore, SqliteModelImportStore>();
        services.AddSingleton<ITrainingJobStore, SqliteTrainingJobStore>();
        services.AddSingleton<ITrainingEventStore, SqliteTrainingEventStore>();
        // The key ring beside the database: whoever can read the data folder could read the tokens
        // anyway, and the keys survive restarts so saved tokens stay readable.
        var keys = Path.Combine(Path.GetFullPath(configuration[$"{EmbeddedStorageOptions.Section}:DataDirectory"] is { Length: > 0 } d ? d : ".data",
            environment.ContentRootPath), "keys");
        services.AddHubDataProtection(configuration, (builder, _) => builder.PersistKeysToFileSystem(new DirectoryInfo(keys)));
        services.AddSingleton<IVersionStore, SqliteVersionStore>();
        services.AddSingleton<IUploadSessionStore, SqliteUploadSessionStore>();
        services.AddSingleton<IDatasetStore, SqliteDatasetStore>();
        services.AddSingleton<LocalBlobUrls>();
        services.AddSingleton(sp => new LocalBlobStore(sp.GetRequiredService<LocalBlobFolder>(), sp.GetRequiredService<SqliteDatabase>(),
            sp.GetRequiredService<LocalBlobUrls>(), sp.GetService<IBlobEventPublisher>()));
        services.AddSingleton<IBlobStore>(sp => sp.GetRequiredService<LocalBlobStore>());
    }
}
