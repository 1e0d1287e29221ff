using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ModelsHub.IntegrationTests.Infrastructure;
using static ModelsHub.IntegrationTests.Infrastructure.DeploymentTesting;

namespace ModelsHub.IntegrationTests.Deployments;

/// <summary>
/// Issue 16's "done when", in order, on the embedded profile against the fake Xinference: register a server, deploy
/// a hub model it lacks (registered first), see it running, test it, read its monitoring, stop and start it, push the
/// hub's models to two servers with one failing, and serve Xinference's "Add Model" requests for it.
/// </summary>
public sealed class DeploymentWalkthroughTests : IAsyncLifetime
{
    private DeploymentHub _hub = null!;

    public async Task InitializeAsync() => _hub = await DeploymentHub.StartAsync(app => app.With("Usage:FlushInterval", "00:00:00.050"));

    public async Task DisposeAsync() => await _hub.DisposeAsync();

    [Fact]
    public async Task RegisterDeployTestMonitorStopStartPushAndAddModel()
    {
        var a = _hub.Xinference.AddCluster("walk-a", workers: 2, gpusPerWorker: 4, apiKey: "sk-walk-a-7070");
        var b = _hub.Xinference.AddCluster("walk-b");
        var olga = _hub.App.ClientFor("olga", "operator");

        // The server, verified and described.
        var server = await RegisterServerAsync(olga, "walk-a", a);
        Assert.True(server.GetProperty("reachable").GetBoolean());
        Assert.Equal(3, server.GetProperty("nodes").GetArrayLength());

        // A hub model the server does not have: registered there first, then launched and running.
        await CreateModelAsync(_hub.Admin, ChatModel("walk-chat", "public"));
        Assert.Empty(a.Custom("LLM"));
        var id = await DeployAsync(olga, new { model = "walk-chat", server = "walk-a" });
        var running = await StateAsync(olga, id, "running", "failed");
        Assert.True(running.GetProperty("state").GetString() == "running", running.ToString());
        Assert.Equal(["pending", "registering", "launching", "running"], States(running));
        Assert.Equal(["walk-chat"], a.Custom("LLM").Keys);

        // Tested.
        var test = await (await olga.PostAsJsonAsync($"/api/deployments/{id}/test", new { input_data = new { prompt = "ping" } }).ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.Equal("walk-chat on walk-a heard: ping", test.GetProperty("output").GetString());

        // Monitored: a round of the timer, then the deployment's and the server's series.
        var round = await _hub.MonitorAsync();
        Assert.Equal(1, round.SamplesWritten);
        var metrics = await (await olga.GetAsync($"/api/deployments/{id}/metrics").ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.Contains(metrics.GetProperty("states").EnumerateArray(), s => s.GetProperty("state").GetString() == "running");
        var latest = metrics.GetProperty("server").EnumerateArray().Last().GetProperty("totals");
        Assert.True(latest.GetProperty("gpuVramUsed").GetDouble() > 0, latest.ToString());
        Assert.Equal(1, metrics.GetProperty("usage").GetProperty("totals").GetProperty("calls").GetInt32());
        var series = await (await olga.GetAsync("/api/inference-servers/walk-a/metrics").ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.Equal(3, series.GetProperty("points").EnumerateArray().Last().GetProperty("nodes").GetArrayLength());

        // Stopped and started again.
        await olga.PostAsync($"/api/deployments/{id}/stop", null).ExpectAsync(HttpStatusCode.Accepted);
        await StateAsync(olga, id, "stopped");
        Assert.Empty(a.Running);
        await olga.PostAsync($"/api/deployments/{id}/start", null).ExpectAsync(HttpStatusCode.Accepted);
        await StateAsync(olga, id, "running");
        Assert.Equal([id], a.Running);
        Assert.Equal(2, a.Launches.Count);

        // Pushed to two servers, one of which fails: each server's own result, and no overall success.
        await RegisterServerAsync(olga, "walk-b", b);
        b.Down = true;
        var push = await (await olga.PostAsJsonAsync("/api/inference-servers/push", new { servers = new[] { "walk-a", "walk-b" }, types = new[] { "llm" } },
            HubApplication.Json).ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.False(push.GetProperty("succeeded").GetBoolean());
        var results = push.GetProperty("servers").EnumerateArray().ToDictionary(s => s.GetProperty("server").GetString()!);
        Assert.True(results["walk-a"].GetProperty("succeeded").GetBoolean(), results["walk-a"].ToString());
        Assert.Equal(["walk-chat"], results["walk-a"].GetProperty("types")[0].GetProperty("unchanged").EnumerateArray().Select(n => n.GetString()));
        Assert.False(results["walk-b"].GetProperty("succeeded").GetBoolean());
        Assert.False(string.IsNullOrEmpty(results["walk-b"].GetProperty("error").GetString()));

        // Xinference's "Add Model": a worker reads the type, then the model's single entry (no sign-in).
        var worker = _hub.App.CreateClient();
        var model = await (await worker.GetAsync("/api/models/walk-chat").ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.Equal("llm", model.GetProperty("model_type").GetString());
        var entry = await (await worker.GetAsync("/api/models/download?model_name=walk-chat").ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.Equal(JsonValueKind.Object, entry.ValueKind);
        Assert.Equal("walk-chat", entry.GetProperty("model_name").GetString());
        Assert.False(entry.TryGetProperty("is_builtin", out _));
    }
}
