using Azure.Core;
using Azure.Identity;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using ModelsHub.Infrastructure.BlobStorage;
using ModelsHub.Infrastructure.Cosmos;
using ModelsHub.Infrastructure.StorageQueues;

namespace ModelsHub.Infrastructure.AzureProfile;

public static class AzureStorageServiceExtensions
{
    /// <summary>The Azure profile: Cosmos DB for documents, Blob Storage for files and the key ring, a Storage Queue for work, Key Vault for the key ring's key.</summary>
    public static IServiceCollection AddAzureStorage(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AzureStorageOptions>().Bind(configuration.GetSection(AzureStorageOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AzureStorageOptions>, AzureStorageOptionsValidator>();
        // One credential for every Azure client of the app (it caches tokens); TryAdd, so a feature that
        // registers it first (Key Vault, Data Protection) shares the same one. Only resolved when an
        // adapter signs in with an identity: emulators use connection strings.
        services.TryAddSingleton<TokenCredential>(sp => new DefaultAzureCredential(new DefaultAzureCredentialOptions
        {
            ManagedIdentityClientId = sp.GetRequiredService<IOptions<AzureStorageOptions>>().Value.ManagedIdentityClientId is { Length: > 0 } id ? id : null,
        }));
        services.AddCosmosDocuments(configuration);
        services.AddModelBlobStorage(configuration);
        services.AddStorageQueueWorkQueue(configuration);
        services.AddAzureDataProtection(configuration);
        return services;
    }
}
