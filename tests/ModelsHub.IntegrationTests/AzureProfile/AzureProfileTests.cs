using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Options;
using ModelsHub.Contracts.Health;
using ModelsHub.Contracts.Models;
using ModelsHub.Core.Assets;
using ModelsHub.Functions.Health;
using ModelsHub.Functions.Models;
using ModelsHub.Infrastructure;
using ModelsHub.IntegrationTests.Infrastructure;
using ModelsHub.Testing;

namespace ModelsHub.IntegrationTests.AzureProfile;

/// <summary>What only the Azure profile has: its settings, its readiness checks, its failure translation and its request budget.</summary>
[Collection(AzureEmulatorsCollection.Name)]
public sealed class AzureProfileTests(AzureEmulators emulators)
{
    [Fact]
    public async Task ReadinessChecksCosmosBlobsAndQueues()
    {
        using var app = emulators.NewHub();
        var ready = await app.ClientFor(null).GetFromJsonAsync<ReadinessResponse>("/api/health/ready", HubApplication.Json);
        Assert.Equal("ready", ready!.Status);
        Assert.Equal(["blobs", "cosmos", "queues"], ready.Checks.Select(c => c.Name).Order());
    }

    [Fact]
    public async Task WithoutCreateIfMissingNothingIsCreatedAndReadinessNamesWhatIsMissing()
    {
        using var app = emulators.NewHub().With("Storage:Azure:CreateIfMissing", "false");
        var response = await app.ClientFor(null).GetAsync("/api/health/ready").ExpectAsync(HttpStatusCode.ServiceUnavailable);
        var ready = await response.ReadAsync<ReadinessResponse>();
        Assert.All(ready.Checks, c => Assert.Equal("unavailable", c.Status));
        Assert.Contains("does not exist", ready.Checks.Single(c => c.Name == "cosmos").Error);
        Assert.Contains($"work-{((AzureHubApplication)app).Run}", ready.Checks.Single(c => c.Name == "queues").Error);
        Assert.Contains($"models-{((AzureHubApplication)app).Run}", ready.Checks.Single(c => c.Name == "blobs").Error);
    }

    [Theory]
    [InlineData("Storage:Azure:Cosmos:ConnectionString", "AccountEndpoint=https://prod.documents.azure.com:443/;AccountKey=a2V5", "Storage:Azure:Cosmos:ConnectionString")]
    [InlineData("Storage:Azure:Cosmos:AccountEndpoint", "https://prod.documents.azure.com:443/", "Storage:Azure:Cosmos:AccountEndpoint")]
    [InlineData("Storage:Azure:Cosmos:DatabaseName", "a/b", "Storage:Azure:Cosmos:DatabaseName")]
    [InlineData("Storage:Azure:Blobs:ConnectionString", "DefaultEndpointsProtocol=https;AccountName=prod;AccountKey=a2V5;EndpointSuffix=core.windows.net", "Storage:Azure:Blobs:ConnectionString")]
    [InlineData("Storage:Azure:Blobs:ContainerName", "Models_", "Storage:Azure:Blobs:ContainerName")]
    [InlineData("Storage:Azure:Queues:QueueName", "x", "Storage:Azure:Queues:QueueName")]
    [InlineData("Storage:Azure:ManagedIdentityClientId", "not-a-guid", "Storage:Azure:ManagedIdentityClientId")]
    public void AWrongAzureSettingFailsAtStartNamingIt(string key, string value, string named)
    {
        var settings = AzureHubApplication.Settings(emulators.Emulators, "wrong");
        settings[key] = value;
        using var provider = AzureServices(settings);
        // What the host runs before it starts (ValidateOnStart), called directly: a WebApplicationFactory whose
        // start fails races its own disposal and now and then reports an ObjectDisposedException instead.
        var error = Assert.ThrowsAny<Exception>(() => provider.GetRequiredService<IStartupValidator>().Validate());
        Assert.Contains(named, Flatten(error));
    }

    [Fact]
    public async Task TheSampleSettingsAreAValidAzureConfiguration()
    {
        var sample = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(Path.GetDirectoryName(LocalEmulators.EmulatorsDirectory())!, "..", "local.settings.sample.json")));
        var settings = sample.RootElement.GetProperty("Values").EnumerateObject()
            .Where(p => p.Name.StartsWith("Storage__", StringComparison.Ordinal) || p.Name.StartsWith("DataProtection__", StringComparison.Ordinal))
            .ToDictionary(p => p.Name.Replace("__", ":", StringComparison.Ordinal), p => p.Value.GetString());
        settings["Storage:Profile"] = "Azure";
        // Every Azure setting of the sample binds and passes the checks the host runs before it starts.
        using var provider = AzureServices(settings);
        provider.GetRequiredService<IStartupValidator>().Validate();
        Assert.Equal("modelshub", provider.GetRequiredService<IOptions<ModelsHub.Infrastructure.Cosmos.CosmosOptions>>().Value.DatabaseName);
    }

    [Fact]
    public void InAzureTheKeyRingNeedsItsBlobAndItsKeyVaultKey()
    {
        var settings = AzureHubApplication.Settings(emulators.Emulators, "ring");
        settings["Storage:Azure:Blobs:ConnectionString"] = null;
        settings["Storage:Azure:Blobs:ServiceUri"] = "https://hub.blob.core.windows.net";
        using (var provider = AzureServices(settings))
        {
            var error = Flatten(Assert.ThrowsAny<Exception>(() => provider.GetRequiredService<IStartupValidator>().Validate()));
            Assert.Contains("DataProtection:KeyRingBlobUri", error);
            Assert.Contains("DataProtection:KeyVaultKeyId", error);
        }
        settings["DataProtection:KeyRingBlobUri"] = "https://hub.blob.core.windows.net/dataprotection/keys.xml";
        settings["DataProtection:KeyVaultKeyId"] = "https://hub-kv.vault.azure.net/keys/dataprotection";
        using (var provider = AzureServices(settings))
        {
            provider.GetRequiredService<IStartupValidator>().Validate();
        }
    }

    [Fact]
    public async Task AThrottledStoreAnswers503WithRetryAfter()
    {
        var throttle = new ThrottlingHandler();
        using var app = emulators.NewHub().WithServices(s => s.Replace(ServiceDescriptor.Singleton(_ => emulators.CreateCosmosClient(throttle))));
        var admin = app.ClientFor("ada", "admin");
        await admin.PostAsJsonAsync("/api/models", Samples.Model("throttled", "public"), HubApplication.Json).ExpectAsync(HttpStatusCode.Created);

        throttle.Enabled = true;
        foreach (var url in new[] { "/api/models/throttled", "/api/models?pageSize=5", "/api/models/stats" })
        {
            var response = await admin.GetAsync(url).ExpectAsync(HttpStatusCode.ServiceUnavailable);
            Assert.True(TimeSpan.FromSeconds(2) == response.Headers.RetryAfter?.Delta, $"{url}: Retry-After {response.Headers.RetryAfter}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
        throttle.Enabled = false;
        await admin.GetAsync("/api/models/throttled").ExpectAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task TheOrphanSweepsModelListIsBusyNotAFailureWhenThrottled()
    {
        var throttle = new ThrottlingHandler();
        var store = new ModelsHub.Infrastructure.Cosmos.CosmosVersionStore(
            emulators.NewDatabase(emulators.CreateCosmosClient(throttle), ModelsHub.Infrastructure.Cosmos.HubContainers.Versions));
        await store.CreateAsync(ModelsHub.Core.Versions.AssetVersion.New(AssetRef.Model("swept"), "v1", "ada", DateTimeOffset.UnixEpoch), CancellationToken.None);
        Assert.Equal(["swept"], await store.ListAssetKeysAsync(CancellationToken.None));

        throttle.Enabled = true;
        var busy = await Assert.ThrowsAsync<ModelsHub.Core.Common.ServiceBusyException>(() => store.ListAssetKeysAsync(CancellationToken.None));
        Assert.Equal(TimeSpan.FromMilliseconds(1500), busy.RetryAfter);
    }

    [Theory]
    [InlineData("_head")]
    [InlineData("_HEAD")]
    public async Task TheVersionCountsDocumentIsNotAVersion(string label)
    {
        using var app = emulators.NewHub();
        var admin = app.ClientFor("ada", "admin");
        await admin.PostAsJsonAsync("/api/models", Samples.Model("headed", "public"), HubApplication.Json).ExpectAsync(HttpStatusCode.Created);
        await admin.PostAsJsonAsync("/api/models/headed/versions", new { label = "v9" }, HubApplication.Json).ExpectAsync(HttpStatusCode.Created);

        await admin.GetAsync($"/api/models/headed/versions/{label}").ExpectAsync(HttpStatusCode.NotFound);
        await admin.PatchAsJsonAsync($"/api/models/headed/versions/{label}", new { notes = "x" }, HubApplication.Json).ExpectAsync(HttpStatusCode.NotFound);
        using var delete = new HttpRequestMessage(HttpMethod.Delete, $"/api/models/headed/versions/{label}");
        delete.Headers.TryAddWithoutValidation("If-Match", "*");
        await admin.SendAsync(delete).ExpectAsync(HttpStatusCode.NotFound);
        await admin.GetAsync("/api/models/headed/versions/v9").ExpectAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task ADocumentTooLargeForCosmosIsA413Problem()
    {
        var tooLarge = new FailingWritesHandler(HttpStatusCode.RequestEntityTooLarge, "RequestEntityTooLarge");
        using var app = emulators.NewHub().WithServices(s => s.Replace(ServiceDescriptor.Singleton(_ => emulators.CreateCosmosClient(tooLarge))));
        var admin = app.ClientFor("ada", "admin");
        await admin.PostAsJsonAsync("/api/models", Samples.Model("fits", "public"), HubApplication.Json).ExpectAsync(HttpStatusCode.Created);

        tooLarge.Enabled = true;
        var response = await admin.PostAsJsonAsync("/api/models", Samples.Model("too-large", "public"), HubApplication.Json).ExpectAsync(HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("2 MB", (await response.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        tooLarge.Enabled = false;
        await admin.GetAsync("/api/models/too-large").ExpectAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task AGetIsOnePointReadAndAListIsOneQueryPage()
    {
        // No in-process timers or queue dispatch: their Cosmos requests would be counted with the calls'.
        using var app = emulators.NewHub().With("Triggers:InProcess", "false");
        var admin = app.ClientFor("ada", "admin");
        for (var i = 0; i < 12; i++)
        {
            await admin.PostAsJsonAsync("/api/models", Samples.Model($"budget-{i:D2}", "public"), HubApplication.Json).ExpectAsync(HttpStatusCode.Created);
        }
        var anonymous = app.ClientFor(null);
        await anonymous.GetAsync("/api/models?pageSize=5").ExpectAsync(HttpStatusCode.OK);

        var get = await emulators.Emulators.CountCosmosRequestsAsync(() => anonymous.GetAsync("/api/models/budget-03").ExpectAsync(HttpStatusCode.OK));
        Assert.Equal((1, 1), (get.Total, get.PointReads));

        ModelListResponse? first = null;
        var list = await emulators.Emulators.CountCosmosRequestsAsync(async () =>
            first = await anonymous.GetFromJsonAsync<ModelListResponse>("/api/models?pageSize=5&sort=updated&order=desc", HubApplication.Json));
        Assert.Equal(5, first!.Items.Count);
        // One page of results; the plan is the gateway's answer to "how to run this" (no RU), which the SDK asks for on Linux.
        Assert.Equal((1, 1, 2), (list.QueryPages, list.QueryPlans, list.Total));

        var next = await emulators.Emulators.CountCosmosRequestsAsync(() =>
            anonymous.GetAsync("/api/models?pageSize=5&sort=updated&order=desc&continuationToken=" + Uri.EscapeDataString(first.ContinuationToken!)).ExpectAsync(HttpStatusCode.OK));
        Assert.Equal((1, 1, 2), (next.QueryPages, next.QueryPlans, next.Total));
    }

    private static ServiceProvider AzureServices(Dictionary<string, string?> settings)
    {
        var services = new ServiceCollection().AddLogging();
        services.AddHubInfrastructure(new ConfigurationBuilder().AddInMemoryCollection(settings).Build(),
            new HostingEnvironment { EnvironmentName = "Testing", ContentRootPath = Path.GetTempPath() });
        return services.BuildServiceProvider();
    }

    private static string Flatten(Exception error) =>
        error is AggregateException a ? string.Join("\n", a.InnerExceptions.Select(Flatten)) : error + (error.InnerException is null ? "" : "\n" + Flatten(error.InnerException));

    /// <summary>
    /// While enabled, answers document operations with 429 and a retry-after, as an account out of
    /// request units does. Query-plan requests pass: the gateway answers those without charging RUs.
    /// </summary>
    private sealed class ThrottlingHandler : DelegatingHandler
    {
        public volatile bool Enabled;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var isPlan = request.Headers.TryGetValues("x-ms-cosmos-is-query-plan-request", out var plan) && plan.Any(v => v.Equals("true", StringComparison.OrdinalIgnoreCase));
            if (!Enabled || isPlan || !request.RequestUri!.AbsolutePath.Contains("/docs", StringComparison.Ordinal))
            {
                return base.SendAsync(request, cancellationToken);
            }
            var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests)
            {
                RequestMessage = request,
                Content = new StringContent("""{"code":"429","message":"Request rate is large."}""", System.Text.Encoding.UTF8, "application/json"),
            };
            response.Headers.TryAddWithoutValidation("x-ms-retry-after-ms", "1500");
            response.Headers.TryAddWithoutValidation("x-ms-substatus", "3200");
            response.Headers.TryAddWithoutValidation("x-ms-activity-id", Guid.NewGuid().ToString());
            return Task.FromResult(response);
        }
    }
}
