using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ModelsHub.Core.GitHub;

namespace ModelsHub.Infrastructure.DataProtection;

/// <summary>Settings of the key ring that encrypts secrets at rest (section <c>DataProtection</c>).</summary>
public sealed class DataProtectionSettings
{
    public const string Section = "DataProtection";

    /// <summary>Isolates the hub's keys and payloads from other apps sharing a key ring.</summary>
    public string ApplicationName { get; set; } = "ModelsHub";

    /// <summary>Azure profile: the blob that holds the key ring.</summary>
    public string? KeyRingBlobUri { get; set; }

    /// <summary>Azure profile: the Key Vault key that wraps the key ring.</summary>
    public string? KeyVaultKeyId { get; set; }
}

/// <summary>
/// ASP.NET Core Data Protection behind <see cref="ISecretProtector"/>. The embedded profile keeps
/// the key ring in <c>&lt;DataDirectory&gt;/keys</c>; the Azure profile registers its own key ring
/// (blob + Key Vault) through <see cref="AddHubDataProtection"/>'s <paramref name="configureKeyRing"/>.
/// </summary>
public static class DataProtectionSetup
{
    public const string Purpose = "ModelsHub.GitHubTokens.v1";

    public static IServiceCollection AddHubDataProtection(this IServiceCollection services, IConfiguration configuration,
        Action<IDataProtectionBuilder, DataProtectionSettings> configureKeyRing)
    {
        var settings = configuration.GetSection(DataProtectionSettings.Section).Get<DataProtectionSettings>() ?? new DataProtectionSettings();
        var builder = services.AddDataProtection().SetApplicationName(settings.ApplicationName);
        // The key ring loads on first use (saving or reading a GitHub token), not at start: a cold start need not read
        // it (Azure: a blob and a Key Vault unwrap) or create a key for requests that may never need one. Loading is
        // thread-safe and retried on the next use if it fails, so nothing depends on the warm-up.
        foreach (var warmUp in services.Where(d => d.ServiceType == typeof(IHostedService) && d.ImplementationType?.Name == "DataProtectionHostedService").ToList())
        {
            services.Remove(warmUp);
        }
        configureKeyRing(builder, settings);
        services.AddSingleton<ISecretProtector, DataProtectionSecretProtector>();
        return services;
    }
}

internal sealed class DataProtectionSecretProtector(IDataProtectionProvider provider) : ISecretProtector
{
    private readonly IDataProtector _protector = provider.CreateProtector(DataProtectionSetup.Purpose);

    public string Protect(string secret) => _protector.Protect(secret);

    public string? Unprotect(string protectedSecret)
    {
        try
        {
            return _protector.Unprotect(protectedSecret);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return null;
        }
    }
}
