using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using ModelsHub.Core.GitHub;

namespace ModelsHub.InfraTests.Bicep;

/// <summary>
/// The configuration the app would read in Azure from a snapshot's app settings: <c>A__B</c> is <c>A:B</c>;
/// values only Azure knows (ARM expressions left in the snapshot) become values of the shape Azure returns;
/// Key Vault references become the secret App Service would put in their place.
/// </summary>
public static class ProductionConfiguration
{
    public const string ResolvedSecret = "secret-from-key-vault";

    public static Dictionary<string, string?> From(IReadOnlyDictionary<string, string> appSettings) =>
        appSettings.ToDictionary(
            s => s.Key.Replace("__", ":", StringComparison.Ordinal),
            s => (string?)ResolveSecret(ArmNode.TryParse(s.Value) is { } expression ? expression.Evaluate(AzureValue) : s.Value),
            StringComparer.OrdinalIgnoreCase);

    private static string ResolveSecret(string value) => UnresolvedKeyVaultReference.Matches(value) ? ResolvedSecret : value;

    /// <summary>What Azure answers for the reference() properties and environment() values main.bicep uses.</summary>
    private static string? AzureValue(ArmNode node)
    {
        switch (node.ToString())
        {
            case "environment().suffixes.storage":
                return "core.windows.net";
            case "environment().authentication.loginEndpoint":
                return "https://login.microsoftonline.com/";
        }
        if (node is not ArmMember { Target: ArmCall { Name: "reference", Arguments: [ArmLiteral id, ..] }, Property: var property })
        {
            return null;
        }
        var segments = id.Value.Split('/');
        var name = segments[^1];
        return property switch
        {
            "clientId" or "principalId" => "33333333-3333-3333-3333-333333333333",
            "documentEndpoint" => $"https://{name}.documents.azure.com:443/",
            "vaultUri" => $"https://{name}.vault.azure.net/",
            "keyUri" when segments[^2] == "keys" => $"https://{segments[^3]}.vault.azure.net/keys/{name}",
            "defaultHostname" => $"{name}.azurestaticapps.net",
            "defaultHostName" => $"{name}.azurewebsites.net",
            "ConnectionString" => "InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/",
            _ => null,
        };
    }
}

/// <summary>
/// The hub, started far enough to run its start-up options validation (every <c>ValidateOnStart</c> validator)
/// with a given configuration and nothing else: no appsettings.Development.json, no background services, so
/// nothing connects to Azure.
/// </summary>
public sealed class ValidatedHub(IReadOnlyDictionary<string, string?> settings) : WebApplicationFactory<Program>
{
    /// <summary>Null when the app starts; else every failure its validators reported.</summary>
    public static string? StartFailure(IReadOnlyDictionary<string, string?> settings)
    {
        using var hub = new ValidatedHub(settings);
        try
        {
            _ = hub.Services;
            return null;
        }
        catch (Exception ex)
        {
            return Flatten(ex);
        }
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(Environments.Production);
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }
        builder.ConfigureServices(services => services.RemoveAll<IHostedService>());
    }

    private static string Flatten(Exception error) =>
        error is AggregateException a
            ? string.Join(Environment.NewLine, a.InnerExceptions.Select(Flatten))
            : error.Message + (error.InnerException is null ? "" : Environment.NewLine + Flatten(error.InnerException));
}
