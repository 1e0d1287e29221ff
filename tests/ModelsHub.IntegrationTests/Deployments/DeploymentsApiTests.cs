using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ModelsHub.IntegrationTests.Infrastructure;
using static ModelsHub.IntegrationTests.Infrastructure.DeploymentTesting;

namespace ModelsHub.IntegrationTests.Deployments;

/// <summary>
/// Deploying hub models on a (fake) Xinference server: the hub registers what the server lacks,
/// launches under the deployment's uid, follows progress to running or to the server's reason for
/// failing, and stops, starts and deletes.
/// </summary>
public sealed class DeploymentsApiTests : IAsyncLifetime
{
    private DeploymentHub _hub = null!;

    public async Task InitializeAsync() => _hub = await DeploymentHub.StartAsync(app => app
        .With("Deployments:Defaults:GpuMemoryUtilization", "0.85")
        .With("Deployments:Defaults:CacheDirectory", "/models/cache"));

    public async Task DisposeAsync() => await _hub.DisposeAsync();

    [Fact]
    public async Task AnOwnerDeploysAModelTheServerLacksAndItIsRegisteredLaunchedAndRunning()
    {
        var cluster = _hub.Xinference.AddCluster("gpu-a", workers: 2, gpusPerWorker: 4, apiKey: "sk-cluster-a-4242");
        await RegisterServerAsync(_hub.App.ClientFor("olga", "operator"), "gpu-a", cluster);
        var carol = _hub.App.ClientFor("carol", "user");
        await CreateModelAsync(carol, ChatModel("carol-chat"));

        var id = await DeployAsync(carol, new { model = "carol-chat", server = "gpu-a", parameters = new { max_model_len = 4096 }, env = new Dictionary<string, string> { ["TOKENIZERS_PARALLELISM"] = "false" } });
        var running = await StateAsync(carol, id, "running", "failed");

        Assert.True(running.GetProperty("state").GetString() == "running", running.ToString());
        Assert.Equal(["pending", "registering", "launching", "running"], States(running));
        Assert.True(running.GetProperty("registeredByHub").GetBoolean());
        Assert.Equal(id, running.GetProperty("modelUid").GetString());
        Assert.Equal(cluster.BaseUrl.ToString().TrimEnd('/') + "/v1", running.GetProperty("endpoint").GetString());
        Assert.Equal(0.85, running.GetProperty("defaults").GetProperty("gpuMemoryUtilization").GetDouble());

        // The server got the model's family with its specs expanded as its loaders expand them, and one launch.
        var family = Assert.Single(cluster.Custom("LLM")).Value;
        Assert.Equal("carol-chat", family["model_name"]!.GetValue<string>());
        Assert.Equal(4, family["model_specs"]!.AsArray().Count);
        Assert.Contains(family["model_specs"]!.AsArray(), s => s!["quantization"]!.GetValue<string>() == "Q8_0"
            && s["model_file_name_template"]?.GetValue<string>() == "carol-chat-Q8_0.gguf" && s["model_hub"]!.GetValue<string>() == "huggingface");
        var launch = Assert.Single(cluster.Launches);
        Assert.Equal(id, launch["model_uid"]!.GetValue<string>());
        Assert.Equal("Transformers", launch["model_engine"]!.GetValue<string>());
        Assert.Equal("pytorch", launch["model_format"]!.GetValue<string>());
        Assert.Equal(7, launch["model_size_in_billions"]!.GetValue<int>());
        Assert.Equal("none", launch["quantization"]!.GetValue<string>());
        Assert.Equal(4096, launch["max_model_len"]!.GetValue<int>());
        Assert.Equal(0.85, launch["gpu_memory_utilization"]!.GetValue<double>());
        Assert.Equal("/models/cache", launch["envs"]!["HF_HOME"]!.GetValue<string>());
        Assert.Equal("false", launch["envs"]!["TOKENIZERS_PARALLELISM"]!.GetValue<string>());
        Assert.Equal([id], cluster.Running);
        Assert.All(_hub.Xinference.Requests.Where(r => r.Cluster == "gpu-a"), r => Assert.NotEqual(401, r.Status));
    }

    [Fact]
    public async Task AModelTheServerHasBuiltInIsLaunchedWithoutRegistering()
    {
        var cluster = _hub.Xinference.AddCluster("gpu-b");
        await RegisterServerAsync(_hub.Admin, "gpu-b", cluster);
        // The hub's copy of an upstream model: the server ships it.
        var builtin = ChatModel("qwen2.5-instruct", "public");
        builtin["spec"] = System.Text.Json.Nodes.JsonNode.Parse(ModelsHub.Testing.UpstreamFixtures.Read("llm").EnumerateArray()
            .First(e => e.GetProperty("model_name").GetString() == "qwen2.5-instruct").GetRawText());
        await CreateModelAsync(_hub.Admin, builtin);

        var id = await DeployAsync(_hub.App.ClientFor("olga", "operator"), new { model = "qwen2.5-instruct", server = "gpu-b", format = "ggufv2", sizeInBillions = 7, quantization = "q4_0" });
        var running = await StateAsync(_hub.Admin, id, "running", "failed");

        Assert.True(running.GetProperty("state").GetString() == "running", running.ToString());
        Assert.False(running.GetProperty("registeredByHub").GetBoolean());
        Assert.Equal(0, _hub.Xinference.Count("gpu-b", "POST", "/v1/model_registrations"));
        var launch = Assert.Single(cluster.Launches);
        Assert.Equal(("llama.cpp", "ggufv2", "q4_0", 7), (launch["model_engine"]!.GetValue<string>(), launch["model_format"]!.GetValue<string>(),
            launch["quantization"]!.GetValue<string>(), launch["model_size_in_billions"]!.GetValue<int>()));
    }

    [Fact]
    public async Task ALaunchThatFailsOnTheServerLeavesTheDeploymentFailedWithTheServersReason()
    {
        var cluster = _hub.Xinference.AddCluster("gpu-c");
        cluster.FailLaunchesOf("oom-chat", "CUDA out of memory. Tried to allocate 20.00 GiB (GPU 0; 79.15 GiB total capacity)");
        await RegisterServerAsync(_hub.Admin, "gpu-c", cluster);
        await CreateModelAsync(_hub.Admin, ChatModel("oom-chat"));

        var id = await DeployAsync(_hub.Admin, new { model = "oom-chat", server = "gpu-c" });
        var failed = await StateAsync(_hub.Admin, id, "running", "failed");

        Assert.Equal("failed", failed.GetProperty("state").GetString());
        Assert.Contains("CUDA out of memory", failed.GetProperty("error").GetString());
        Assert.Equal(["pending", "registering", "launching", "failed"], States(failed));
        Assert.Empty(cluster.Running);
    }

    [Fact]
    public async Task ARegistrationTheServerRefusesFailsTheDeploymentWithItsReason()
    {
        var cluster = _hub.Xinference.AddCluster("gpu-d");
        await RegisterServerAsync(_hub.Admin, "gpu-d", cluster);
        // A custom LLM without model_family: Xinference refuses to register it.
        await CreateModelAsync(_hub.Admin, Samples.Model("no-family-chat"));

        var id = await DeployAsync(_hub.Admin, new { model = "no-family-chat", server = "gpu-d" });
        var failed = await StateAsync(_hub.Admin, id, "running", "failed");

        Assert.Equal("failed", failed.GetProperty("state").GetString());
        Assert.Contains("You must specify `model_family` when registering custom LLM models.", failed.GetProperty("error").GetString());
        Assert.Empty(cluster.Launches);
    }

    [Fact]
    public async Task StopStartAndDeleteDriveTheModelOnTheServer()
    {
        var cluster = _hub.Xinference.AddCluster("gpu-e");
        await RegisterServerAsync(_hub.Admin, "gpu-e", cluster);
        var carol = _hub.App.ClientFor("carol", "user");
        await CreateModelAsync(carol, ChatModel("cycle-chat"));
        var id = await DeployAsync(carol, new { model = "cycle-chat", server = "gpu-e" });
        await StateAsync(carol, id, "running");

        await carol.PostAsync($"/api/deployments/{id}/stop", null).ExpectAsync(HttpStatusCode.Accepted);
        var stopped = await StateAsync(carol, id, "stopped");
        Assert.Empty(cluster.Running);
        await carol.PostAsync($"/api/deployments/{id}/stop", null).ExpectAsync(HttpStatusCode.Conflict);

        await carol.PostAsync($"/api/deployments/{id}/start", null).ExpectAsync(HttpStatusCode.Accepted);
        var again = await StateAsync(carol, id, "running");
        Assert.Equal([id], cluster.Running);
        Assert.Equal(2, cluster.Launches.Count);
        Assert.Equal(["pending", "registering", "launching", "running", "stopping", "stopped", "pending", "registering", "launching", "running"], States(again));
        await carol.PostAsync($"/api/deployments/{id}/start", null).ExpectAsync(HttpStatusCode.Conflict);

        // The server cannot be forgotten while the deployment runs there.
        var server = await _hub.Admin.GetAsync("/api/inference-servers/gpu-e").ExpectAsync(HttpStatusCode.OK);
        await _hub.Admin.DeleteAsync("/api/inference-servers/gpu-e", server.ETagOf()).ExpectAsync(HttpStatusCode.Conflict);

        await carol.DeleteAsync($"/api/deployments/{id}").ExpectAsync(HttpStatusCode.Accepted);
        await GitHubTesting.EventuallyAsync<object>(async () => (await carol.GetAsync($"/api/deployments/{id}")).StatusCode == HttpStatusCode.NotFound ? true : null,
            "the deleted deployment to be gone");
        Assert.Empty(cluster.Running);
        Assert.Equal("Stopped on the server.", stopped.GetProperty("history").EnumerateArray().Last().GetProperty("detail").GetString());
        await _hub.Admin.DeleteAsync("/api/inference-servers/gpu-e", server.ETagOf()).ExpectAsync(HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task ListsFilterByModelServerAndState()
    {
        var cluster = _hub.Xinference.AddCluster("gpu-f");
        await RegisterServerAsync(_hub.Admin, "gpu-f", cluster);
        await CreateModelAsync(_hub.Admin, ChatModel("list-a", "public"));
        await CreateModelAsync(_hub.Admin, ChatModel("list-b"));
        var a = await DeployAsync(_hub.Admin, new { model = "list-a", server = "gpu-f" });
        var b = await DeployAsync(_hub.Admin, new { model = "list-b", server = "gpu-f" });
        await StateAsync(_hub.Admin, a, "running");
        await StateAsync(_hub.Admin, b, "running");

        async Task<string[]> Ids(HttpClient client, string query) =>
            (await (await client.GetAsync("/api/deployments" + query).ExpectAsync(HttpStatusCode.OK)).JsonAsync())
                .GetProperty("items").EnumerateArray().Select(d => d.GetProperty("id").GetString()!).ToArray();
        Assert.Equal([b, a], await Ids(_hub.Admin, "?server=GPU-F"));
        Assert.Equal([a], await Ids(_hub.Admin, "?model=list-a"));
        Assert.Equal([b, a], await Ids(_hub.Admin, "?state=running&server=gpu-f"));
        Assert.Empty(await Ids(_hub.Admin, "?state=stopped&server=gpu-f"));
        // A signed-in user sees the deployment of the public model only.
        Assert.Equal([a], await Ids(_hub.App.ClientFor("ursula", "user"), "?server=gpu-f"));
        var problem = await (await _hub.Admin.GetAsync("/api/deployments?state=sleeping&pageSize=0").ExpectAsync(HttpStatusCode.BadRequest)).JsonAsync();
        Assert.True(problem.GetProperty("errors").TryGetProperty("state", out _));
        Assert.True(problem.GetProperty("errors").TryGetProperty("pageSize", out _));
    }
}
