using System.Text.Json.Nodes;
using ModelsHub.Core.Storage;
using ModelsHub.InfraTests.Bicep;

namespace ModelsHub.InfraTests;

/// <summary>The resources main.bicep deploys: identity-only data plane, role assignments, storage rules, events.</summary>
public sealed class DeploymentResourcesTests(DeploymentSnapshots snapshots) : IClassFixture<DeploymentSnapshots>
{
    private const string StorageBlobDataOwner = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b";
    private const string StorageQueueDataContributor = "974c5e8b-45b9-4653-ba55-5f855dd0fb88";
    private const string KeyVaultSecretsUser = "4633458b-17de-408a-b874-0445c86b69e6";
    private const string KeyVaultCryptoUser = "12338af0-0e69-4776-bea7-57ae8d297424";
    private const string MonitoringMetricsPublisher = "3913510d-42f4-4e42-8a64-420c390055eb";
    private const string CosmosDataContributor = "00000000-0000-0000-0000-000000000002";
    private const string ModelsContainer = "models";

    private DeploymentSnapshot Flex => snapshots[DeploymentSnapshots.Flex];

    private DeploymentSnapshot Premium => snapshots[DeploymentSnapshots.Premium];

    [Fact]
    public void TheDataPlaneAcceptsIdentitiesOnly()
    {
        var storage = Flex.Single("Microsoft.Storage/storageAccounts")["properties"]!;
        var cosmos = Flex.Single("Microsoft.DocumentDB/databaseAccounts")["properties"]!;
        var insights = Flex.Single("Microsoft.Insights/components")["properties"]!;
        var workspace = Flex.Single("Microsoft.OperationalInsights/workspaces")["properties"]!;
        var vault = Flex.Single("Microsoft.KeyVault/vaults")["properties"]!;

        Assert.False(storage["allowSharedKeyAccess"]!.GetValue<bool>());
        Assert.False(storage["allowBlobPublicAccess"]!.GetValue<bool>());
        Assert.Equal("TLS1_2", storage["minimumTlsVersion"]!.GetValue<string>());
        Assert.True(cosmos["disableLocalAuth"]!.GetValue<bool>());
        Assert.True(insights["DisableLocalAuth"]!.GetValue<bool>());
        Assert.True(workspace["features"]!["disableLocalAuth"]!.GetValue<bool>());
        Assert.True(vault["enableRbacAuthorization"]!.GetValue<bool>());
    }

    [Fact]
    public void TheResourceGroupAndAppsCarryTheAzdTags()
    {
        Assert.Equal("ci", Flex.Single("Microsoft.Resources/resourceGroups")["tags"]!["azd-env-name"]!.GetValue<string>());
        Assert.Equal("api", Flex.Single("Microsoft.Web/sites")["tags"]!["azd-service-name"]!.GetValue<string>());
        Assert.Equal("web", Flex.Single("Microsoft.Web/staticSites")["tags"]!["azd-service-name"]!.GetValue<string>());
    }

    [Fact]
    public void BlobsAreVersionedSoftDeletedAndOpenToTheFrontendOriginOnly()
    {
        var blobService = Flex.Single("Microsoft.Storage/storageAccounts/blobServices")["properties"]!;
        var rule = Assert.Single(blobService["cors"]!["corsRules"]!.AsArray())!;
        var origins = Strings(rule["allowedOrigins"]);
        var methods = Strings(rule["allowedMethods"]);
        var headers = Strings(rule["allowedHeaders"]);

        Assert.True(blobService["isVersioningEnabled"]!.GetValue<bool>());
        Assert.True(blobService["deleteRetentionPolicy"]!["enabled"]!.GetValue<bool>());
        Assert.True(blobService["containerDeleteRetentionPolicy"]!["enabled"]!.GetValue<bool>());
        var origin = Assert.Single(origins);
        Assert.Contains("staticSites/swa-", origin, StringComparison.Ordinal);
        Assert.DoesNotContain("*", origins);
        Assert.Equal(["GET", "HEAD", "OPTIONS", "PUT"], methods.Order(StringComparer.Ordinal));
        Assert.Contains("x-ms-blob-type", headers);
        Assert.Contains("content-md5", headers);
        Assert.Contains("x-ms-*", headers);
    }

    [Fact]
    public void StorageHoldsTheContainersAndQueuesTheHubUses()
    {
        var containers = Flex.OfType("Microsoft.Storage/storageAccounts/blobServices/containers").Select(LastNameSegment).ToList();
        var queues = Flex.OfType("Microsoft.Storage/storageAccounts/queueServices/queues").Select(LastNameSegment).ToList();

        Assert.Contains("models", containers);
        Assert.Contains("dataprotection", containers);
        Assert.Equal(["workflows", "workflows-failed"], queues.Order(StringComparer.Ordinal));
        var flexDeployment = Flex.Single("Microsoft.Web/sites")["properties"]!["functionAppConfig"]!["deployment"]!["storage"]!["value"]!.GetValue<string>();
        Assert.Contains(containers, c => flexDeployment.EndsWith("'" + c + "')]", StringComparison.Ordinal) || flexDeployment.EndsWith("/" + c, StringComparison.Ordinal));
    }

    [Fact]
    public void AbandonedStagedUploadsAgeOut()
    {
        var rules = Flex.Single("Microsoft.Storage/storageAccounts/managementPolicies")["properties"]!["policy"]!["rules"]!.AsArray();

        var uploads = rules.Single(r => r!["name"]!.GetValue<string>() == "expire-abandoned-uploads")!["definition"]!;

        // Lifecycle prefixes start with the container; the rest is where the app stages uploads.
        Assert.Equal([ModelsContainer + "/" + BlobKeys.UploadsPrefix], Strings(uploads["filters"]!["prefixMatch"]));
        Assert.Equal(7, uploads["actions"]!["baseBlob"]!["delete"]!["daysAfterModificationGreaterThan"]!.GetValue<int>());
    }

    [Fact]
    public void TheAppIdentityHoldsItsDataPlaneRoles()
    {
        var appRoles = Flex.OfType("Microsoft.Authorization/roleAssignments")
            .Where(r => Text(r["properties"]!["principalId"]).Contains("userAssignedIdentities/id-func-", StringComparison.Ordinal))
            .Select(r => LastNameSegment(Text(r["properties"]!["roleDefinitionId"])))
            .ToList();
        var cosmosRoles = Flex.OfType("Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments")
            .Where(r => Text(r["properties"]!["principalId"]).Contains("userAssignedIdentities/id-func-", StringComparison.Ordinal))
            .Select(r => LastNameSegment(Text(r["properties"]!["roleDefinitionId"])))
            .ToList();

        Assert.Equal(
            new[] { StorageBlobDataOwner, StorageQueueDataContributor, KeyVaultSecretsUser, KeyVaultCryptoUser, MonitoringMetricsPublisher }.Order(StringComparer.Ordinal),
            appRoles.Order(StringComparer.Ordinal));
        Assert.Equal([CosmosDataContributor], cosmosRoles);
    }

    [Fact]
    public void EveryRoleAssignmentIsNamedByScopePrincipalAndRoleAndNamesItsPrincipalType()
    {
        var assignments = Flex.OfType("Microsoft.Authorization/roleAssignments");

        Assert.NotEmpty(assignments);
        Assert.Contains(assignments, a => ArmNode.TryParse(Text(a["name"])) is null);
        Assert.Contains(assignments, a => ArmNode.TryParse(Text(a["name"])) is not null);
        Assert.All(assignments, a =>
        {
            Assert.False(string.IsNullOrEmpty(a["properties"]!["principalType"]?.GetValue<string>()), $"{a["name"]} has no principalType");
            var name = Text(a["name"]);
            var principal = Text(a["properties"]!["principalId"]);
            var role = LastNameSegment(Text(a["properties"]!["roleDefinitionId"]));
            if (ArmNode.TryParse(name) is { } expression)
            {
                // The principal is only known in Azure: the name is still guid(scope, principal, role).
                var scope = ArmNode.TryParse(Text(a["id"])) is ArmCall { Name: "extensionResourceId", Arguments: [ArmLiteral s, ..] } ? s.Value : null;
                var guid = Assert.IsType<ArmCall>(expression);
                Assert.Equal("guid", guid.Name);
                Assert.Equal([new ArmLiteral(scope ?? "(no scope)").ToString(), (ArmNode.TryParse(principal) ?? new ArmLiteral(principal)).ToString(), new ArmLiteral(role).ToString()],
                    guid.Arguments.Select(x => x.ToString()));
            }
            else
            {
                // Evaluated: the id is <scope>/providers/Microsoft.Authorization/roleAssignments/<name>.
                var id = Text(a["id"]);
                var suffix = "/providers/Microsoft.Authorization/roleAssignments/" + name;
                Assert.EndsWith(suffix, id, StringComparison.Ordinal);
                Assert.Equal(ArmGuid.Of(id[..^suffix.Length], principal, role).ToString(), name);
            }
        });
    }

    [Fact]
    public void TheDeployerIsGrantedDataAccessOnlyWhenAsked()
    {
        static bool ForDeployer(JsonObject r) => Text(r["properties"]!["principalId"]) == DeploymentSnapshots.DeployerPrincipalId;
        var notAsked = snapshots[DeploymentSnapshots.DeployerNotAsked];

        var granted = Flex.OfType("Microsoft.Authorization/roleAssignments").Where(ForDeployer).ToList();

        Assert.NotEmpty(granted);
        Assert.All(granted, a => Assert.Equal("User", a["properties"]!["principalType"]!.GetValue<string>()));
        Assert.Contains(Flex.OfType("Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments"), ForDeployer);
        // Same principal, grantDeployerAccess=false: not one assignment for them, in either RBAC system.
        Assert.NotEmpty(notAsked.OfType("Microsoft.Authorization/roleAssignments"));
        Assert.DoesNotContain(notAsked.OfType("Microsoft.Authorization/roleAssignments"), ForDeployer);
        Assert.DoesNotContain(notAsked.OfType("Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments"), ForDeployer);
        Assert.DoesNotContain(Premium.OfType("Microsoft.Authorization/roleAssignments"), a => a["properties"]!["principalType"]!.GetValue<string>() == "User");
    }

    [Theory]
    [InlineData("FlexConsumption", 39)]
    [InlineData("ElasticPremium", 101)]
    public async Task AMaximumInstanceCountOutsideThePlansRangeFailsTheDeployment(string plan, int count)
    {
        var (run, snapshot) = await snapshots.TrySnapshotAsync($"instances-{plan.ToLowerInvariant()}-{count}", $"""
            using 'main.bicep'
            param environmentName = 'ci'
            param location = 'westeurope'
            param entraApiClientId = '{DeploymentSnapshots.ApiClientId}'
            param hostingPlan = '{plan}'
            param maximumInstanceCount = {count}
            """);

        Assert.True(snapshot is null, $"{plan} accepted maximumInstanceCount={count}");
        Assert.Contains($"maximumInstanceCount must be between", run.StandardOutput + run.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public void TheDefaultInstanceCountReachesEitherPlan()
    {
        // The default (100) is inside both ranges: the fixture's Flex and Premium snapshots evaluate it.
        Assert.Equal(100, Flex.Single("Microsoft.Web/sites")["properties"]!["functionAppConfig"]!["scaleAndConcurrency"]!["maximumInstanceCount"]!.GetValue<int>());
        Assert.Equal(100, Premium.Single("Microsoft.Web/sites")["properties"]!["siteConfig"]!["functionAppScaleLimit"]!.GetValue<int>());
    }

    [Fact]
    public void OnlyStagedUploadsRaiseBlobCreatedEvents()
    {
        var filter = Flex.Single("Microsoft.EventGrid/systemTopics/eventSubscriptions")["properties"]!["filter"]!;
        var subject = filter["subjectBeginsWith"]!.GetValue<string>();
        var staged = $"/blobServices/default/containers/{ModelsContainer}/blobs/{BlobKeys.ForUpload("u1", "model.bin")}";
        var published = $"/blobServices/default/containers/{ModelsContainer}/blobs/{BlobKeys.ForFile(ModelsHub.Core.Assets.AssetRef.Model("qwen3"), "v1", "model.bin")}";

        Assert.StartsWith(subject, staged, StringComparison.Ordinal);
        Assert.False(published.StartsWith(subject, StringComparison.Ordinal), $"published copies ({published}) would raise events through {subject}");
        Assert.Null(filter["subjectEndsWith"]);
    }

    [Fact]
    public void BlobCreatedEventsForTheModelsContainerReachTheBlobCreatedFunction()
    {
        var subscription = Flex.Single("Microsoft.EventGrid/systemTopics/eventSubscriptions")["properties"]!;
        var topic = Flex.Single("Microsoft.EventGrid/systemTopics")["properties"]!;

        Assert.Equal("Microsoft.Storage.StorageAccounts", topic["topicType"]!.GetValue<string>());
        Assert.Equal("AzureFunction", subscription["destination"]!["endpointType"]!.GetValue<string>());
        Assert.EndsWith("/functions/BlobCreated", Text(subscription["destination"]!["properties"]!["resourceId"]), StringComparison.Ordinal);
        Assert.Equal(["Microsoft.Storage.BlobCreated"], Strings(subscription["filter"]!["includedEventTypes"]));
        Assert.StartsWith($"/blobServices/default/containers/{ModelsContainer}/blobs/", subscription["filter"]!["subjectBeginsWith"]!.GetValue<string>(), StringComparison.Ordinal);
        // Off by default: Event Grid refuses a subscription to a function that is not deployed yet.
        Assert.Empty(Premium.OfType("Microsoft.EventGrid/systemTopics/eventSubscriptions"));
    }

    [Fact]
    public void CosmosIsServerlessByDefaultAndProvisionedOnRequest()
    {
        var serverless = Flex.Single("Microsoft.DocumentDB/databaseAccounts")["properties"]!;
        var provisioned = Premium.Single("Microsoft.DocumentDB/databaseAccounts")["properties"]!;

        Assert.Equal(["EnableServerless"], serverless["capabilities"]!.AsArray().Select(c => c!["name"]!.GetValue<string>()));
        Assert.Empty(provisioned["capabilities"]!.AsArray());
        Assert.Null(Flex.Single("Microsoft.DocumentDB/databaseAccounts/sqlDatabases")["properties"]!["options"]!["autoscaleSettings"]);
        Assert.Equal(1000, Premium.Single("Microsoft.DocumentDB/databaseAccounts/sqlDatabases")["properties"]!["options"]!["autoscaleSettings"]!["maxThroughput"]!.GetValue<int>());
    }

    [Fact]
    public void EveryCosmosContainerHasOneHashPartitionKey()
    {
        var containers = Flex.OfType("Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers");

        Assert.Contains(containers, c => LastNameSegment(c) == "models");
        Assert.All(containers, c =>
        {
            var key = c["properties"]!["resource"]!["partitionKey"]!;
            var path = Assert.Single(Strings(key["paths"]));
            Assert.StartsWith("/", path, StringComparison.Ordinal);
            Assert.Equal("Hash", key["kind"]!.GetValue<string>());
        });
    }

    [Fact]
    public void EveryContainerTheCosmosAdaptersUseIsDeployedWithItsKeysAndIndexes()
    {
        var deployed = Flex.OfType("Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers")
            .ToDictionary(c => LastNameSegment(c), c => c["properties"]!["resource"]!);

        foreach (var spec in ModelsHub.Infrastructure.Cosmos.HubContainers.All)
        {
            Assert.True(deployed.TryGetValue(spec.Name, out var resource), $"container '{spec.Name}' is not deployed");
            Assert.Equal([spec.PartitionKeyPath], Strings(resource!["partitionKey"]!["paths"]));
            var policy = resource["indexingPolicy"];
            var excluded = policy?["excludedPaths"]?.AsArray().Select(p => Text(p!["path"])).ToList() ?? [];
            Assert.All(spec.ExcludedPaths, path => Assert.Contains(path, excluded));
            // The adapter's two-key ORDER BY runs in both directions: without the composite index the service refuses the query.
            var composites = policy?["compositeIndexes"]?.AsArray()
                .Select(c => string.Join(",", c!.AsArray().Select(p => Text(p!["path"]) + " " + Text(p!["order"]))))
                .ToList() ?? [];
            foreach (var paths in spec.CompositeIndexes)
            {
                foreach (var order in new[] { "ascending", "descending" })
                {
                    Assert.Contains(string.Join(",", paths.Select(p => p + " " + order)), composites);
                }
            }
            // A unique key can only be set when the container is created: the deployment must carry exactly the adapter's.
            var uniqueKeys = resource["uniqueKeyPolicy"]?["uniqueKeys"]?.AsArray().SelectMany(k => Strings(k!["paths"])).ToList() ?? [];
            Assert.Equal(spec.UniqueKeys, uniqueKeys);
            // Items that expire by their own ttl need TTL on in the container, as the adapter creates it on emulators.
            Assert.Equal(spec.DefaultTimeToLive, resource["defaultTtl"]?.GetValue<int>());
        }
    }

    [Fact]
    public void TheStaticWebAppLinksTheFunctionAppAsItsBackend()
    {
        var backend = Flex.Single("Microsoft.Web/staticSites/linkedBackends")["properties"]!;

        Assert.Equal(Flex.Single("Microsoft.Web/sites")["id"]!.GetValue<string>(), Text(backend["backendResourceId"]));
        Assert.Equal("Standard", Flex.Single("Microsoft.Web/staticSites")["sku"]!["name"]!.GetValue<string>());
    }

    private static string Text(JsonNode? node) => node?.GetValue<string>() ?? "";

    private static List<string> Strings(JsonNode? node) => node!.AsArray().Select(Text).ToList();

    private static string LastNameSegment(JsonObject resource) => LastNameSegment(Text(resource["name"]));

    private static string LastNameSegment(string value) => value.TrimEnd(')', ']', '\'').Split('/', '\'')[^1];
}
