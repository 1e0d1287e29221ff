using Azure.Core;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Specialized;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ModelsHub.Infrastructure.BlobStorage;
using ModelsHub.Infrastructure.DataProtection;
using ModelsHub.Infrastructure.KeyVault;

namespace ModelsHub.Infrastructure.AzureProfile;

/// <summary>
/// The Azure profile's key ring for secrets at rest: one blob (<c>DataProtection:KeyRingBlobUri</c>)
/// shared by every instance, each key wrapped by Key Vault (<c>DataProtection:KeyVaultKeyId</c>).
/// On emulators (blob connection string) the ring is <c>dataprotection/keys.xml</c> in Azurite, and
/// without a Key Vault key it is stored unwrapped.
/// </summary>
public static class AzureDataProtection
{
    private const string EmulatorContainer = "dataprotection";
    private const string EmulatorBlob = "keys.xml";

    public static IServiceCollection AddAzureDataProtection(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<DataProtectionSettings>().Bind(configuration.GetSection(DataProtectionSettings.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<DataProtectionSettings>, AzureDataProtectionSettingsValidator>();
        services.AddSingleton(sp =>
        {
            var settings = sp.GetRequiredService<IOptions<DataProtectionSettings>>().Value;
            return new KeyVaultKeyWrapper(new Uri(settings.KeyVaultKeyId!), sp.GetRequiredService<TokenCredential>());
        });
        services.AddSingleton(sp => new BlobKeyRingRepository(KeyRingBlob(sp)));
        services.AddSingleton<IStorageInitialization>(sp => new DelegateInitialization(async ct =>
        {
            if (sp.GetRequiredService<IOptions<AzureStorageOptions>>().Value.CreateIfMissing)
            {
                await KeyRingBlob(sp).GetParentBlobContainerClient().CreateIfNotExistsAsync(cancellationToken: ct);
            }
        }));
        services.AddHubDataProtection(configuration, (builder, _) =>
            builder.Services.AddOptions<KeyManagementOptions>().Configure<IServiceProvider>((options, sp) =>
            {
                options.XmlRepository = sp.GetRequiredService<BlobKeyRingRepository>();
                if (!string.IsNullOrWhiteSpace(sp.GetRequiredService<IOptions<DataProtectionSettings>>().Value.KeyVaultKeyId))
                {
                    options.XmlEncryptor = new KeyVaultXmlEncryptor(sp.GetRequiredService<KeyVaultKeyWrapper>());
                }
            }));
        return services;
    }

    private static BlobClient KeyRingBlob(IServiceProvider services)
    {
        var settings = services.GetRequiredService<IOptions<DataProtectionSettings>>().Value;
        if (!AzureDataProtectionSettingsValidator.UsesEmulator(services.GetRequiredService<IOptions<BlobStorageOptions>>().Value))
        {
            return new BlobClient(new Uri(settings.KeyRingBlobUri!), services.GetRequiredService<TokenCredential>());
        }
        // Azurite speaks shared keys, so the ring is reached through the emulator's connection string.
        var segments = settings.KeyRingBlobUri is { Length: > 0 } uri ? new Uri(uri).AbsolutePath.Trim('/').Split('/') : [];
        var (container, blob) = segments.Length >= 2 ? (segments[^2], segments[^1]) : (EmulatorContainer, EmulatorBlob);
        return services.GetRequiredService<BlobServiceClient>().GetBlobContainerClient(container).GetBlobClient(blob);
    }
}

internal sealed class AzureDataProtectionSettingsValidator(IOptions<BlobStorageOptions> blobs) : IValidateOptions<DataProtectionSettings>
{
    public static bool UsesEmulator(BlobStorageOptions options) => !string.IsNullOrWhiteSpace(options.ConnectionString);

    public ValidateOptionsResult Validate(string? name, DataProtectionSettings options)
    {
        var problems = new List<string>();
        var section = DataProtectionSettings.Section;
        var production = !UsesEmulator(blobs.Value);
        if (options.KeyRingBlobUri is { Length: > 0 } ring)
        {
            if (!Uri.TryCreate(ring, UriKind.Absolute, out var uri) || uri.AbsolutePath.Trim('/').Split('/').Length < 2)
            {
                problems.Add($"{section}:KeyRingBlobUri is '{ring}'; expected https://<account>.blob.core.windows.net/<container>/<blob>.");
            }
        }
        else if (production)
        {
            problems.Add($"{section}:KeyRingBlobUri is required on the Azure profile: the blob that holds the key ring encrypting users' GitHub tokens.");
        }
        if (options.KeyVaultKeyId is { Length: > 0 } key)
        {
            if (!Uri.TryCreate(key, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps || !uri.AbsolutePath.StartsWith("/keys/", StringComparison.Ordinal))
            {
                problems.Add($"{section}:KeyVaultKeyId is '{key}'; expected https://<vault>.vault.azure.net/keys/<name>[/<version>].");
            }
        }
        else if (production)
        {
            problems.Add($"{section}:KeyVaultKeyId is required on the Azure profile: the Key Vault key that wraps the key ring.");
        }
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
