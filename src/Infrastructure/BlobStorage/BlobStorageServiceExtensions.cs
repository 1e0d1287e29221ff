using Azure.Core;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ModelsHub.Core.Common;
using ModelsHub.Core.Storage;
using ModelsHub.Infrastructure.AzureProfile;

namespace ModelsHub.Infrastructure.BlobStorage;

public static class BlobStorageServiceExtensions
{
    public static IServiceCollection AddModelBlobStorage(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<BlobStorageOptions>().Bind(configuration.GetSection(BlobStorageOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<BlobStorageOptions>, BlobStorageOptionsValidator>();
        services.AddSingleton(CreateClient);
        services.AddSingleton<ModelBlobContainer>();
        services.AddSingleton<IReadinessCheck>(sp => sp.GetRequiredService<ModelBlobContainer>());
        services.AddSingleton<IBlobStore, AzureBlobStore>();
        services.AddSingleton<IStorageInitialization>(sp => new DelegateInitialization(ct =>
            sp.GetRequiredService<IOptions<AzureStorageOptions>>().Value.CreateIfMissing
                ? sp.GetRequiredService<ModelBlobContainer>().CreateIfMissingAsync(ct)
                : Task.CompletedTask));
        return services;
    }

    private static BlobServiceClient CreateClient(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<BlobStorageOptions>>().Value;
        return string.IsNullOrWhiteSpace(options.ConnectionString)
            ? new BlobServiceClient(new Uri(options.ServiceUri!), services.GetRequiredService<TokenCredential>())
            : new BlobServiceClient(options.ConnectionString);
    }
}
