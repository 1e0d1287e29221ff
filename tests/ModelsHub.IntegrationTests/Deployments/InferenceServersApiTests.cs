using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ModelsHub.IntegrationTests.Infrastructure;
using static ModelsHub.IntegrationTests.Infrastructure.DeploymentTesting;

namespace ModelsHub.IntegrationTests.Deployments;

/// <summary>Registering inference servers: verified with the server itself, the key kept encrypted and never shown.</summary>
public sealed class InferenceServersApiTests : IAsyncLifetime
{
    private DeploymentHub _hub = null!;

    public async Task InitializeAsync() => _hub = await DeploymentHub.StartAsync();

    public async Task DisposeAsync() => await _hub.DisposeAsync();

    [Fact]
    public async Task ARegisteredServerShowsItsVersionAndNodesButNeverItsKey()
    {
        var cluster = _hub.Xinference.AddCluster("prod", workers: 3, gpusPerWorker: 8, apiKey: "sk-very-secret-9f3c");
        var response = await _hub.Admin.PostAsJsonAsync("/api/inference-servers",
            new { name = "prod", url = cluster.BaseUrl + "/", apiKey = cluster.ApiKey, description = "GPU cluster A" }, HubApplication.Json)
            .ExpectAsync(HttpStatusCode.Created);
        Assert.Equal("/api/inference-servers/prod", response.Headers.Location!.OriginalString);
        var text = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("sk-very-secret", text);

        var server = await (await _hub.App.ClientFor("ursula", "user").GetAsync("/api/inference-servers/PROD").ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.Equal(cluster.BaseUrl.ToString().TrimEnd('/'), server.GetProperty("url").GetString());
        Assert.Equal(("1.15.0", true, "9f3c", true), (server.GetProperty("version").GetString(), server.GetProperty("hasApiKey").GetBoolean(),
            server.GetProperty("apiKeyLastFour").GetString(), server.GetProperty("reachable").GetBoolean()));
        var nodes = server.GetProperty("nodes").EnumerateArray().ToList();
        Assert.Equal(["Supervisor", "Worker", "Worker", "Worker"], nodes.Select(n => n.GetProperty("nodeType").GetString()));
        var worker = nodes[1];
        Assert.Equal((64.0, 8, 549_755_813_888.0, 8 * 85_899_345_920.0), (worker.GetProperty("cpuCount").GetDouble(), worker.GetProperty("gpuCount").GetInt32(),
            worker.GetProperty("memoryTotal").GetDouble(), worker.GetProperty("gpuVramTotal").GetDouble()));
        Assert.Equal(JsonValueKind.Null, nodes[0].GetProperty("gpuUtilization").ValueKind);
        Assert.NotEqual(JsonValueKind.Null, server.GetProperty("lastSeenAt").ValueKind);
        Assert.DoesNotContain("sk-very-secret", await (await _hub.Admin.GetAsync("/api/inference-servers").ExpectAsync(HttpStatusCode.OK)).Content.ReadAsStringAsync());

        // Verified the way Xinference's client asks, with the key.
        var calls = _hub.Xinference.Requests.Where(r => r.Cluster == "prod").Select(r => (r.Method, r.Path, r.Status)).ToList();
        Assert.Contains(("GET", "/v1/cluster/version", 200), calls);
        Assert.Contains(("GET", "/v1/cluster/info?detailed=true", 200), calls);

        // The key is at rest only encrypted.
        var database = await File.ReadAllBytesAsync(Path.Combine(_hub.App.DataDirectory, "modelshub.db"));
        Assert.DoesNotContain("sk-very-secret", System.Text.Encoding.UTF8.GetString(database));
    }

    [Fact]
    public async Task AServerThatRefusesTheKeyOrDoesNotAnswerIsNotRegistered()
    {
        var cluster = _hub.Xinference.AddCluster("guarded", apiKey: "sk-right");
        var wrongKey = await (await _hub.Admin.PostAsJsonAsync("/api/inference-servers", new { name = "guarded", url = cluster.BaseUrl.ToString(), apiKey = "sk-wrong" },
            HubApplication.Json).ExpectAsync(HttpStatusCode.BadRequest)).JsonAsync();
        Assert.Contains("refused this key (401: Could not validate credentials)", wrongKey.GetProperty("errors").GetProperty("apiKey")[0].GetString());
        var noKey = await (await _hub.Admin.PostAsJsonAsync("/api/inference-servers", new { name = "guarded", url = cluster.BaseUrl.ToString() },
            HubApplication.Json).ExpectAsync(HttpStatusCode.BadRequest)).JsonAsync();
        Assert.Contains("requires an API key", noKey.GetProperty("errors").GetProperty("apiKey")[0].GetString());

        var gone = _hub.Xinference.AddCluster("gone");
        gone.Down = true;
        var unreachable = await (await _hub.Admin.PostAsJsonAsync("/api/inference-servers", new { name = "gone", url = gone.BaseUrl.ToString() },
            HubApplication.Json).ExpectAsync(HttpStatusCode.BadRequest)).JsonAsync();
        Assert.Contains("did not answer", unreachable.GetProperty("errors").GetProperty("url")[0].GetString());
        var notXinference = await (await _hub.Admin.PostAsJsonAsync("/api/inference-servers", new { name = "other", url = _hub.Xinference.Root + "nothing-here" },
            HubApplication.Json).ExpectAsync(HttpStatusCode.BadRequest)).JsonAsync();
        Assert.Contains("does not answer like a Xinference server", notXinference.GetProperty("errors").GetProperty("url")[0].GetString());

        var listed = await (await _hub.Admin.GetAsync("/api/inference-servers").ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.Empty(listed.GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task AChangeNeedsItsETagAndANewKeyIsVerifiedFirst()
    {
        var cluster = _hub.Xinference.AddCluster("rotating", apiKey: "sk-old-1111");
        await RegisterServerAsync(_hub.Admin, "rotating", cluster);
        var etag = (await _hub.Admin.GetAsync("/api/inference-servers/rotating").ExpectAsync(HttpStatusCode.OK)).ETagOf();

        await _hub.Admin.SendJsonAsync(HttpMethod.Patch, "/api/inference-servers/rotating", new { description = "x" }).ExpectAsync(HttpStatusCode.PreconditionRequired);
        cluster.ApiKey = "sk-new-2222";
        // The old key no longer works there, and a wrong new one is refused without changing anything.
        await _hub.Admin.SendJsonAsync(HttpMethod.Patch, "/api/inference-servers/rotating", new { apiKey = "sk-typo-3333" }, etag).ExpectAsync(HttpStatusCode.BadRequest);
        var changed = await (await _hub.Admin.SendJsonAsync(HttpMethod.Patch, "/api/inference-servers/rotating",
            new { apiKey = "sk-new-2222", description = "rotated" }, etag).ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.Equal(("2222", "rotated"), (changed.GetProperty("apiKeyLastFour").GetString(), changed.GetProperty("description").GetString()));
        await _hub.Admin.SendJsonAsync(HttpMethod.Patch, "/api/inference-servers/rotating", new { description = "stale" }, etag).ExpectAsync(HttpStatusCode.PreconditionFailed);
        var renamed = await (await _hub.Admin.SendJsonAsync(HttpMethod.Patch, "/api/inference-servers/rotating", new { name = "other" }, "*")
            .ExpectAsync(HttpStatusCode.BadRequest)).JsonAsync();
        Assert.True(renamed.GetProperty("errors").TryGetProperty("name", out _));
    }

    [Fact]
    public async Task BadRequestsNameEachBadField()
    {
        var problem = await (await _hub.Admin.PostAsJsonAsync("/api/inference-servers",
            new { name = "-bad name", url = "ftp://x", apiKey = "has space", description = new string('d', 1001), color = "red" }, HubApplication.Json)
            .ExpectAsync(HttpStatusCode.BadRequest)).JsonAsync();
        var errors = problem.GetProperty("errors");
        Assert.Equal(["color"], errors.EnumerateObject().Select(e => e.Name).Where(n => n == "color"));
        var second = await (await _hub.Admin.PostAsJsonAsync("/api/inference-servers",
            new { name = "-bad name", url = "ftp://x", apiKey = "has space", description = new string('d', 1001) }, HubApplication.Json)
            .ExpectAsync(HttpStatusCode.BadRequest)).JsonAsync();
        Assert.Equal(["apiKey", "description", "name", "url"], second.GetProperty("errors").EnumerateObject().Select(e => e.Name).Order());
        await _hub.Admin.PostAsync("/api/inference-servers", new StringContent("{", System.Text.Encoding.UTF8, "application/json")).ExpectAsync(HttpStatusCode.BadRequest);
        var cluster = _hub.Xinference.AddCluster("twice");
        await RegisterServerAsync(_hub.Admin, "twice", cluster);
        await _hub.Admin.PostAsJsonAsync("/api/inference-servers", new { name = "TWICE", url = cluster.BaseUrl.ToString() }, HubApplication.Json)
            .ExpectAsync(HttpStatusCode.Conflict);
        var window = await (await _hub.Admin.GetAsync("/api/inference-servers/twice/metrics?from=yesterday&to=2020-01-01T00:00:00Z&step=0").ExpectAsync(HttpStatusCode.BadRequest)).JsonAsync();
        Assert.Equal(["from", "step"], window.GetProperty("errors").EnumerateObject().Select(e => e.Name).Order());
        var empty = await (await _hub.Admin.GetAsync("/api/inference-servers/twice/metrics?from=2020-01-02T00:00:00Z&to=2020-01-01T00:00:00Z").ExpectAsync(HttpStatusCode.BadRequest)).JsonAsync();
        Assert.True(empty.GetProperty("errors").TryGetProperty("from", out _));
    }
}
