using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelsHub.IntegrationTests.Infrastructure;
using ModelsHub.Testing;
using ModelsHub.Testing.Xinference;
using static ModelsHub.IntegrationTests.Infrastructure.DeploymentTesting;

namespace ModelsHub.IntegrationTests.Deployments;

/// <summary>
/// A running deployment is called like an API model: its test call, the gateway naming it (by its id, or by
/// its model's name), usage recorded under the deployment; stopped or hidden deployments are refused.
/// </summary>
public sealed class DeploymentCallsTests : IAsyncLifetime
{
    private DeploymentHub _hub = null!;

    public async Task InitializeAsync() => _hub = await DeploymentHub.StartAsync(app => app.With("Usage:FlushInterval", "00:00:00.050"));

    public async Task DisposeAsync() => await _hub.DisposeAsync();

    private static object Chat(string model, string text, bool stream = false) =>
        new { model, stream, messages = new[] { new { role = "user", content = text } } };

    [Fact]
    public async Task ARunningDeploymentIsTestedAndCalledThroughTheGatewayAndItsCallsAreCountedUnderIt()
    {
        var cluster = _hub.Xinference.AddCluster("call-a", apiKey: "sk-call-a-5151");
        await RegisterServerAsync(_hub.Admin, "call-a", cluster);
        var carol = _hub.App.ClientFor("carol", "user");
        await CreateModelAsync(carol, ChatModel("call-chat"));
        var id = await DeployAsync(carol, new { model = "call-chat", server = "call-a" });
        await StateAsync(carol, id, "running");

        var test = await (await carol.PostAsJsonAsync($"/api/deployments/{id}/test", new { input_data = new { prompt = "hello there" } })
            .ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.Equal("call-chat on call-a heard: hello there", test.GetProperty("output").GetString());
        Assert.Equal((id, "call-chat"), (test.GetProperty("deployment").GetString(), test.GetProperty("model").GetString()));

        // Bad test input is named, and nothing reaches the server.
        var problem = await (await carol.PostAsJsonAsync($"/api/deployments/{id}/test", new { prompt = "no input_data" }).ExpectAsync(HttpStatusCode.BadRequest)).JsonAsync();
        Assert.True(problem.GetProperty("errors").TryGetProperty("input_data", out _), problem.ToString());
        problem = await (await carol.PostAsJsonAsync($"/api/deployments/{id}/test", new { input_data = new { prompt = 5 } }).ExpectAsync(HttpStatusCode.BadRequest)).JsonAsync();
        Assert.True(problem.GetProperty("errors").TryGetProperty("input_data.prompt", out _), problem.ToString());
        await carol.PostAsJsonAsync("/api/deployments/no-such-deployment/test", new { input_data = new { prompt = "hi" } }).ExpectAsync(HttpStatusCode.NotFound);
        Assert.Equal(1, cluster.ChatCompletions);

        // The gateway: the deployment by its id, then the model by its name (no provider: its running deployment answers).
        var byId = await (await carol.PostAsJsonAsync("/api/v1/chat/completions", Chat(id, "by id")).ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.Equal("call-chat on call-a heard: by id", byId.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
        var byName = await (await carol.PostAsJsonAsync("/api/v1/chat/completions", Chat("call-chat", "by name")).ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.Equal("call-chat on call-a heard: by name", byName.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
        var streamed = await (await carol.PostAsJsonAsync("/api/v1/chat/completions", Chat(id, "streamed please", stream: true)).ExpectAsync(HttpStatusCode.OK))
            .Content.ReadAsStringAsync();
        Assert.Contains("heard:", streamed);
        Assert.EndsWith("data: [DONE]", streamed.TrimEnd());
        Assert.Equal(4, cluster.ChatCompletions);
        // Every call carried the server's key (the fake answers 401 without it).
        Assert.All(_hub.Xinference.Requests.Where(r => r.Cluster == "call-a"), r => Assert.NotEqual(401, r.Status));

        // Usage: the model's report split per deployment, and the deployment's own metrics.
        var usage = await (await carol.GetAsync("/api/models/call-chat/usage?by=deployment").ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        var group = Assert.Single(usage.GetProperty("groups").EnumerateArray());
        Assert.Equal((id, 4), (group.GetProperty("key").GetString(), group.GetProperty("totals").GetProperty("calls").GetInt32()));
        var metrics = await (await carol.GetAsync($"/api/deployments/{id}/metrics").ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        var calls = metrics.GetProperty("usage");
        Assert.Equal(4, calls.GetProperty("totals").GetProperty("calls").GetInt32());
        Assert.Equal(1.0, calls.GetProperty("totals").GetProperty("successRate").GetDouble());
        Assert.True(calls.GetProperty("totals").GetProperty("latencyMs").GetProperty("p99").GetDouble() > 0);
        Assert.True(calls.GetProperty("callsPerMinute").GetDouble() > 0);
        Assert.Equal(4, calls.GetProperty("buckets").EnumerateArray().Sum(b => b.GetProperty("stats").GetProperty("calls").GetInt32()));

        // Someone who may not see the private model sees neither the deployment nor a way to call it.
        var ursula = _hub.App.ClientFor("ursula", "user");
        await ursula.PostAsJsonAsync($"/api/deployments/{id}/test", new { input_data = new { prompt = "hi" } }).ExpectAsync(HttpStatusCode.NotFound);
        await ursula.PostAsJsonAsync("/api/v1/chat/completions", Chat(id, "hi")).ExpectAsync(HttpStatusCode.NotFound);

        // Stopped: the deployment answers 409 with its state, and the model has nothing left to call.
        await carol.PostAsync($"/api/deployments/{id}/stop", null).ExpectAsync(HttpStatusCode.Accepted);
        await StateAsync(carol, id, "stopped");
        var stopped = await (await carol.PostAsJsonAsync($"/api/deployments/{id}/test", new { input_data = new { prompt = "still there?" } })
            .ExpectAsync(HttpStatusCode.Conflict)).JsonAsync();
        Assert.Contains("stopped", stopped.GetProperty("detail").GetString());
        await carol.PostAsJsonAsync("/api/v1/chat/completions", Chat("call-chat", "anyone?")).ExpectAsync(HttpStatusCode.Conflict);
        Assert.Equal(4, cluster.ChatCompletions);
    }

    [Fact]
    public async Task AnEmbeddingDeploymentAnswersEmbeddings()
    {
        var cluster = _hub.Xinference.AddCluster("call-e");
        await RegisterServerAsync(_hub.Admin, "call-e", cluster);
        var entry = JsonNode.Parse(UpstreamFixtures.Read("embedding").EnumerateArray().First(e => e.GetProperty("model_name").GetString() == "bge-large-en").GetRawText())!.AsObject();
        entry["model_name"] = "call-embed";
        await CreateModelAsync(_hub.Admin, new JsonObject { ["name"] = "call-embed", ["type"] = "embedding", ["visibility"] = "public", ["spec"] = entry });
        var id = await DeployAsync(_hub.Admin, new { model = "call-embed", server = "call-e" });
        var running = await StateAsync(_hub.Admin, id, "running", "failed");
        Assert.True(running.GetProperty("state").GetString() == "running", running.ToString());

        var user = _hub.App.ClientFor("ursula", "user");
        var test = await (await user.PostAsJsonAsync($"/api/deployments/{id}/test", new { input_data = new { prompt = "a sentence to embed" } })
            .ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.Equal(("embeddings", FakeXinferenceCluster.EmbeddingDimensions), (test.GetProperty("operation").GetString(),
            test.GetProperty("embedding").GetProperty("dimensions").GetInt32()));
        var gateway = await (await user.PostAsJsonAsync("/api/v1/embeddings", new { model = id, input = new[] { "one", "two" } }).ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.Equal(2, gateway.GetProperty("data").GetArrayLength());
        Assert.Equal(FakeXinferenceCluster.EmbeddingDimensions, gateway.GetProperty("data")[1].GetProperty("embedding").GetArrayLength());
        Assert.Equal(2, cluster.Embeddings);
    }

    [Fact]
    public async Task TheGatewaysModelListHasModelsWithARunningDeploymentForWhoeverMaySeeThem()
    {
        var cluster = _hub.Xinference.AddCluster("list-a");
        await RegisterServerAsync(_hub.Admin, "list-a", cluster);
        var carol = _hub.App.ClientFor("carol", "user");
        await CreateModelAsync(carol, ChatModel("listed-chat"));
        await CreateModelAsync(carol, ChatModel("idle-chat"));
        static async Task<List<string>> IdsAsync(HttpClient client) =>
            (await (await client.GetAsync("/api/v1/models").ExpectAsync(HttpStatusCode.OK)).JsonAsync()).GetProperty("data").EnumerateArray()
                .Select(m => m.GetProperty("id").GetString()!).ToList();
        Assert.DoesNotContain("listed-chat", await IdsAsync(carol));
        await carol.GetAsync("/api/v1/models/listed-chat").ExpectAsync(HttpStatusCode.NotFound);

        var id = await DeployAsync(carol, new { model = "listed-chat", server = "list-a" });
        await StateAsync(carol, id, "running");

        var listed = await IdsAsync(carol);
        Assert.Contains("listed-chat", listed);
        Assert.DoesNotContain("idle-chat", listed);
        var one = await (await carol.GetAsync("/api/v1/models/listed-chat").ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.Equal(("listed-chat", "model", "carol"), (one.GetProperty("id").GetString(), one.GetProperty("object").GetString(), one.GetProperty("owned_by").GetString()));
        // Someone who may not see carol's private model does not learn of it.
        var max = _hub.App.ClientFor("max", "user");
        Assert.DoesNotContain("listed-chat", await IdsAsync(max));
        await max.GetAsync("/api/v1/models/listed-chat").ExpectAsync(HttpStatusCode.NotFound);

        // Stopped, it leaves the list.
        await carol.PostAsync($"/api/deployments/{id}/stop", null).ExpectAsync(HttpStatusCode.Accepted);
        await StateAsync(carol, id, "stopped");
        Assert.DoesNotContain("listed-chat", await IdsAsync(carol));
        await carol.GetAsync("/api/v1/models/listed-chat").ExpectAsync(HttpStatusCode.NotFound);
    }
}
