using System.Text.Json.Nodes;

namespace ModelsHub.InfraTests.Bicep;

/// <summary>
/// What main.bicep would deploy, evaluated locally by <c>bicep snapshot</c>: modules expanded, conditions and
/// unions resolved; values only known in Azure (ids, endpoints, principal ids) stay as ARM expressions.
/// Three parameter sets: the default Flex Consumption deployment with the optional parts switched on, an
/// Elastic Premium one with provisioned Cosmos DB throughput and the optional parts left off, and a Flex one
/// that names the deployer without asking for their data access.
/// </summary>
public sealed class DeploymentSnapshots : IAsyncLifetime
{
    public const string Flex = "flex";
    public const string Premium = "premium";
    public const string DeployerNotAsked = "deployer-not-asked";

    public const string SubscriptionId = "00000000-0000-0000-0000-00000000c0de";
    public const string TenantId = "00000000-0000-0000-0000-00000000beef";
    public const string ApiClientId = "11111111-1111-1111-1111-111111111111";
    public const string DeployerPrincipalId = "22222222-2222-2222-2222-222222222222";

    private static readonly Dictionary<string, string> ParameterFiles = new()
    {
        [Flex] = $"""
            using 'main.bicep'
            param environmentName = 'ci'
            param location = 'westeurope'
            param entraApiClientId = '{ApiClientId}'
            param blobCreatedSubscriptionEnabled = true
            param grantDeployerAccess = true
            param principalId = '{DeployerPrincipalId}'
            """,
        [Premium] = $"""
            using 'main.bicep'
            param environmentName = 'ci'
            param location = 'westeurope'
            param entraApiClientId = '{ApiClientId}'
            param hostingPlan = 'ElasticPremium'
            param cosmosCapacityMode = 'Provisioned'
            """,
        // The deployer's principal is known (azd always passes it) but no data access was asked for.
        [DeployerNotAsked] = $"""
            using 'main.bicep'
            param environmentName = 'ci'
            param location = 'westeurope'
            param entraApiClientId = '{ApiClientId}'
            param grantDeployerAccess = false
            param principalId = '{DeployerPrincipalId}'
            """,
    };

    private readonly TempDirectory _workspace = new();
    private readonly Dictionary<string, DeploymentSnapshot> _snapshots = [];

    public DeploymentSnapshot this[string name] => _snapshots[name];

    public async Task InitializeAsync()
    {
        // bicep snapshot writes its result beside the parameters file: work on a copy of infra/bicep.
        CopyDirectory(Repository.BicepDirectory, _workspace.Path);
        var runs = ParameterFiles.Select(async p =>
        {
            var (run, snapshot) = await TrySnapshotAsync(p.Key, p.Value);
            return (p.Key, Snapshot: snapshot ?? throw new InvalidOperationException($"bicep snapshot of {p.Key} failed. {run.Describe()}"));
        });
        foreach (var (name, snapshot) in await Task.WhenAll(runs))
        {
            _snapshots[name] = snapshot;
        }
    }

    /// <summary>
    /// Evaluates main.bicep with <paramref name="parameters"/> (a .bicepparam text): the snapshot, or null with the
    /// failed run when the template refuses the parameters (a <c>fail()</c>, a broken constraint).
    /// </summary>
    public async Task<(BicepRun Run, DeploymentSnapshot? Snapshot)> TrySnapshotAsync(string name, string parameters)
    {
        var file = Path.Combine(_workspace.Path, name + ".bicepparam");
        await File.WriteAllTextAsync(file, parameters);
        var run = await BicepCli.RunAsync(_workspace.Path, "snapshot", file,
            "--mode", "overwrite",
            "--subscription-id", SubscriptionId,
            "--tenant-id", TenantId,
            "--location", "westeurope",
            "--deployment-name", "modelshub-" + name);
        var output = Path.Combine(_workspace.Path, name + ".snapshot.json");
        return run.ExitCode != 0 || !File.Exists(output)
            ? (run, null)
            : (run, new DeploymentSnapshot(name, JsonNode.Parse(await File.ReadAllTextAsync(output))!.AsObject()));
    }

    public Task DisposeAsync()
    {
        _workspace.Dispose();
        return Task.CompletedTask;
    }

    private static void CopyDirectory(string source, string target)
    {
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var destination = Path.Combine(target, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(file, destination);
        }
    }
}

/// <summary>One evaluated deployment: its predicted resources.</summary>
public sealed class DeploymentSnapshot(string name, JsonObject document)
{
    public string Name { get; } = name;

    public IReadOnlyList<JsonObject> Resources { get; } =
        document["predictedResources"]!.AsArray().Select(r => r!.AsObject()).ToList();

    public IReadOnlyList<JsonObject> OfType(string type) =>
        Resources.Where(r => string.Equals(r["type"]?.GetValue<string>(), type, StringComparison.OrdinalIgnoreCase)).ToList();

    public JsonObject Single(string type)
    {
        var matches = OfType(type);
        Assert.True(matches.Count == 1, $"{Name}: expected one {type}, found {matches.Count}.");
        return matches[0];
    }

    /// <summary>The Function App's app settings (Microsoft.Web/sites/config 'appsettings'), name → value.</summary>
    public IReadOnlyDictionary<string, string> AppSettings
    {
        get
        {
            var config = OfType("Microsoft.Web/sites/config")
                .Single(r => r["name"]!.GetValue<string>().EndsWith("/appsettings", StringComparison.Ordinal));
            return config["properties"]!.AsObject()
                .ToDictionary(p => p.Key, p => p.Value is JsonValue v && v.TryGetValue<string>(out var s) ? s : p.Value?.ToJsonString() ?? "", StringComparer.OrdinalIgnoreCase);
        }
    }
}
