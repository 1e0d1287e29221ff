using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ModelsHub.Functions.Hosting;
using ModelsHub.InfraTests.Bicep;

namespace ModelsHub.InfraTests;

/// <summary>
/// main.bicep gives the Function App every setting the app requires in production
/// (<see cref="ProductionSettings"/>), on either hosting plan, and nothing that carries a key.
/// </summary>
public sealed partial class ProductionSettingsTests(DeploymentSnapshots snapshots) : IClassFixture<DeploymentSnapshots>
{
    public static TheoryData<string> Plans() => new(DeploymentSnapshots.Flex, DeploymentSnapshots.Premium);

    [Theory]
    [MemberData(nameof(Plans))]
    public void MainSetsEveryRequiredProductionSetting(string plan)
    {
        var settings = snapshots[plan].AppSettings;

        var missing = ProductionSettings.Required
            .Where(key => !IsSet(settings, ProductionSettings.ToAppSettingName(key)))
            .ToList();

        Assert.True(missing.Count == 0,
            $"{plan}: infra/bicep/main.bicep does not set these production settings: {string.Join(", ", missing)}. " +
            $"It sets: {string.Join(", ", settings.Keys.Order(StringComparer.Ordinal))}");
    }

    [Theory]
    [MemberData(nameof(Plans))]
    public void TheAppsOwnStartUpValidationAcceptsWhatMainSets(string plan)
    {
        // The same validators that stop a real start (ValidateOnStart), fed only what the template sets:
        // a setting the app starts to require and main.bicep does not set fails here, whether or not
        // ProductionSettings lists it.
        var configuration = ProductionConfiguration.From(snapshots[plan].AppSettings);

        var failure = ValidatedHub.StartFailure(configuration);

        Assert.True(failure is null, $"{plan}: the app refuses the settings main.bicep gives it:{Environment.NewLine}{failure}");
    }

    [Fact]
    public void EverySettingTheAppsValidatorsDemandInProductionIsListed()
    {
        // Start from the Azure profile and Entra sign-in alone. A start stops at the first validator that fails and
        // names the settings it misses: take those from what main.bicep sets, and start again until the app starts.
        // What had to be added is what production demands, derived from the validators, not from a list.
        var fromBicep = ProductionConfiguration.From(snapshots[DeploymentSnapshots.Flex].AppSettings);
        var given = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["Storage:Profile"] = "Azure",
            ["Auth:Mode"] = "Entra",
        };
        var demanded = new List<string>();
        string? failure;
        for (var round = 0; (failure = ValidatedHub.StartFailure(given)) is not null; round++)
        {
            Assert.True(round < 40, $"the app still refuses to start after {round} rounds:{Environment.NewLine}{failure}");
            var named = SettingPath().Matches(failure).Select(m => m.Value).Where(path => !given.ContainsKey(path))
                .Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            // "Set either X or Y": whichever main.bicep sets.
            var supplied = named.Where(fromBicep.ContainsKey).ToList();
            Assert.True(supplied.Count > 0,
                $"the app demands {string.Join(" or ", named)}, which main.bicep does not set:{Environment.NewLine}{failure}");
            foreach (var path in supplied)
            {
                given[path] = fromBicep[path];
                demanded.Add(path);
            }
        }

        var listed = ProductionSettings.Required.ToHashSet(StringComparer.OrdinalIgnoreCase);
        var unlisted = demanded.Where(path => !listed.Contains(path)).ToList();
        Assert.Contains("AzureAd:ClientId", demanded);
        Assert.Contains("Storage:Azure:Cosmos:AccountEndpoint", demanded);
        Assert.True(unlisted.Count == 0,
            $"the app's validators demand settings ProductionSettings does not list: {string.Join(", ", unlisted)} (demanded: {string.Join(", ", demanded)})");
    }

    [Theory]
    [MemberData(nameof(Plans))]
    public void NoSettingCarriesAKeyConnectionStringOrSas(string plan)
    {
        var settings = snapshots[plan].AppSettings;

        var emulatorOnly = ProductionSettings.EmulatorOnly
            .Select(ProductionSettings.ToAppSettingName)
            .Where(settings.ContainsKey)
            .ToList();
        var connectionStrings = settings.Keys
            .Where(k => k.Contains("ConnectionString", StringComparison.OrdinalIgnoreCase)
                && k != "APPLICATIONINSIGHTS_CONNECTION_STRING")
            .ToList();
        var secrets = settings
            .Where(s => s.Value.Contains("AccountKey=", StringComparison.OrdinalIgnoreCase)
                || s.Value.Contains("SharedAccessSignature", StringComparison.OrdinalIgnoreCase)
                || s.Value.Contains("InstrumentationKey=", StringComparison.OrdinalIgnoreCase)
                || s.Value.Contains("sig=", StringComparison.OrdinalIgnoreCase))
            .Select(s => s.Key)
            .ToList();

        Assert.True(emulatorOnly.Count == 0, $"{plan}: emulator-only settings in production: {string.Join(", ", emulatorOnly)}");
        Assert.True(connectionStrings.Count == 0, $"{plan}: connection strings in production: {string.Join(", ", connectionStrings)}");
        Assert.True(secrets.Count == 0, $"{plan}: settings whose value carries a key or SAS: {string.Join(", ", secrets)}");
    }

    [Theory]
    [MemberData(nameof(Plans))]
    public void SettingsSelectTheAzureProfileEntraSignInAndIdentityConnections(string plan)
    {
        var settings = snapshots[plan].AppSettings;

        Assert.Equal("Azure", settings["Storage__Profile"]);
        Assert.Equal("Entra", settings["Auth__Mode"]);
        Assert.Equal(DeploymentSnapshots.ApiClientId, settings["AzureAd__ClientId"]);
        Assert.Equal($"api://{DeploymentSnapshots.ApiClientId}", settings["AzureAd__Audience"]);
        Assert.Equal(DeploymentSnapshots.TenantId, settings["AzureAd__TenantId"]);
        // A Key Vault reference; the vault's address is only known in Azure, so the value is still an expression.
        Assert.Contains("@Microsoft.KeyVault(SecretUri=", settings["GitHub__DefaultToken"], StringComparison.Ordinal);
        Assert.Contains("github-default-token", settings["GitHub__DefaultToken"], StringComparison.Ordinal);
        Assert.Contains("@Microsoft.KeyVault(SecretUri=", settings["GitHub__WebhookSecret"], StringComparison.Ordinal);
        Assert.Contains("github-webhook-secret", settings["GitHub__WebhookSecret"], StringComparison.Ordinal);
        Assert.Equal("managedidentity", settings["AzureWebJobsStorage__credential"]);
        Assert.Equal("managedidentity", settings["WorkQueue__credential"]);
        Assert.Contains("Authorization=AAD", settings["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"], StringComparison.Ordinal);
        Assert.Equal(settings["Storage__Azure__ManagedIdentityClientId"], settings["WorkQueue__clientId"]);
        Assert.Equal(settings["Storage__Azure__ManagedIdentityClientId"], settings["AzureWebJobsStorage__clientId"]);
    }

    [Fact]
    public void FlexConsumptionRunsTheCustomHandlerWithoutWorkerRuntimeSettings()
    {
        var snapshot = snapshots[DeploymentSnapshots.Flex];
        var plan = snapshot.Single("Microsoft.Web/serverfarms");
        var site = snapshot.Single("Microsoft.Web/sites");
        var settings = snapshot.AppSettings;

        Assert.Equal("FC1", plan["sku"]!["name"]!.GetValue<string>());
        Assert.True(plan["properties"]!["reserved"]!.GetValue<bool>(), "The plan must be Linux (reserved).");
        Assert.Equal("functionapp,linux", site["kind"]!.GetValue<string>());
        var config = site["properties"]!["functionAppConfig"]!;
        Assert.Equal("custom", config["runtime"]!["name"]!.GetValue<string>());
        Assert.Equal("UserAssignedIdentity", config["deployment"]!["storage"]!["authentication"]!["type"]!.GetValue<string>());
        // Flex Consumption takes the runtime from functionAppConfig and refuses these settings.
        Assert.DoesNotContain("FUNCTIONS_WORKER_RUNTIME", settings.Keys);
        Assert.DoesNotContain("FUNCTIONS_EXTENSION_VERSION", settings.Keys);
    }

    [Fact]
    public void ElasticPremiumSetsTheCustomWorkerRuntimeAsAppSettings()
    {
        var snapshot = snapshots[DeploymentSnapshots.Premium];
        var plan = snapshot.Single("Microsoft.Web/serverfarms");
        var site = snapshot.Single("Microsoft.Web/sites");
        var settings = snapshot.AppSettings;

        Assert.Equal("ElasticPremium", plan["sku"]!["tier"]!.GetValue<string>());
        Assert.True(plan["properties"]!["reserved"]!.GetValue<bool>(), "The plan must be Linux (reserved).");
        Assert.Null(site["properties"]!["functionAppConfig"]);
        Assert.Equal("custom", settings["FUNCTIONS_WORKER_RUNTIME"]);
        Assert.Equal("~4", settings["FUNCTIONS_EXTENSION_VERSION"]);
        Assert.DoesNotContain(settings.Keys, k => k.StartsWith("WEBSITE_CONTENTAZUREFILE", StringComparison.Ordinal));
    }

    [Fact]
    public void EverySettingAndConnectionTheFunctionBindingsNameIsConfigured()
    {
        var settings = snapshots[DeploymentSnapshots.Flex].AppSettings;
        var queues = snapshots[DeploymentSnapshots.Flex].OfType("Microsoft.Storage/storageAccounts/queueServices/queues")
            .Select(q => q["name"]!.GetValue<string>().Split('/')[^1])
            .ToHashSet(StringComparer.Ordinal);
        var functions = Directory.GetFiles(Repository.FunctionsHostDirectory, "function.json", SearchOption.AllDirectories);
        Assert.NotEmpty(functions);

        var problems = new List<string>();
        foreach (var file in functions)
        {
            var function = Path.GetFileName(Path.GetDirectoryName(file));
            foreach (var binding in JsonNode.Parse(File.ReadAllText(file))!["bindings"]!.AsArray().Select(b => b!.AsObject()))
            {
                if (binding["connection"]?.GetValue<string>() is { Length: > 0 } connection && !IsSet(settings, connection))
                {
                    problems.Add($"{function}: connection '{connection}' has no {connection} or {connection}__* setting");
                }
                // %Name% in a binding reads an app setting; the host refuses to index the function without it.
                foreach (var property in binding)
                {
                    if (property.Value is JsonValue value && value.TryGetValue<string>(out var text)
                        && text.Length > 2 && text.StartsWith('%') && text.EndsWith('%')
                        && !settings.ContainsKey(ProductionSettings.ToAppSettingName(text[1..^1])))
                    {
                        problems.Add($"{function}: {property.Key} reads app setting {text}, which is not set");
                    }
                }
                if (binding["type"]?.GetValue<string>() == "queueTrigger")
                {
                    var queue = Resolve(settings, binding["queueName"]?.GetValue<string>() ?? "");
                    if (!queues.Contains(queue))
                    {
                        problems.Add($"{function}: queue '{queue}' is not created (queues: {string.Join(", ", queues)})");
                    }
                }
            }
        }

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    /// <summary>A configuration path in a validation message: Section:Key[:Key...], as the validators name settings.</summary>
    [GeneratedRegex(@"\b[A-Z][A-Za-z]+(:[A-Z][A-Za-z0-9]+)+\b")]
    private static partial Regex SettingPath();

    /// <summary>A key is set directly, or (a list, or an identity-based connection) through child keys.</summary>
    private static bool IsSet(IReadOnlyDictionary<string, string> settings, string name) =>
        settings.ContainsKey(name) || settings.Keys.Any(k => k.StartsWith(name + "__", StringComparison.OrdinalIgnoreCase));

    /// <summary>Binding expressions like %Setting% read an app setting.</summary>
    private static string Resolve(IReadOnlyDictionary<string, string> settings, string value) =>
        value.Length > 2 && value.StartsWith('%') && value.EndsWith('%')
            ? settings.GetValueOrDefault(ProductionSettings.ToAppSettingName(value[1..^1]), value)
            : value;
}
