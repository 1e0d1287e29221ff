using System.Net;
using System.Text.Json;
using ModelsHub.IntegrationTests.Infrastructure;
using ModelsHub.Testing.Xinference;
using static ModelsHub.IntegrationTests.Infrastructure.DeploymentTesting;

namespace ModelsHub.IntegrationTests.Cli;

/// <summary>
/// <c>modelshub deploy</c> as a real process against the hub in its own process, which drives the fake
/// Xinference server: the deployment is followed live to running (exit 0) or to the server's reason for
/// failing (exit 1), the hub's refusal of a field is bad usage (exit 2), and list, stop, start and delete
/// work on what was deployed. <c>--json</c> documents are read from standard output alone.
/// </summary>
public sealed class DeployCommandTests : IAsyncLifetime
{
    private FakeXinference _xinference = null!;
    private FakeXinferenceCluster _cluster = null!;
    private HubProcess _hub = null!;
    private string _token = null!;

    public async Task InitializeAsync()
    {
        _xinference = await FakeXinference.StartAsync();
        _cluster = _xinference.AddCluster("gpu-cli", apiKey: "sk-cli-cluster-0042");
        _cluster.FailLaunchesOf("oom-chat", "CUDA out of memory. Tried to allocate 20.00 GiB");
        _hub = await HubProcess.StartAsync(new Dictionary<string, string>
        {
            ["Deployments__FollowInterval"] = "00:00:00.050",
            ["Workflows__RetryDelay"] = "00:00:00.100",
            ["Monitoring__Schedule"] = HubApplication.NeverDuringTests,
        });
        using (var operatorClient = await _hub.ClientForAsync("olga", "operator"))
        {
            await RegisterServerAsync(operatorClient, "gpu-cli", _cluster);
        }
        _token = await _hub.TokenAsync("carol", "user");
        using var carol = _hub.ClientWith(_token);
        await CreateModelAsync(carol, ChatModel("carol-chat"));
        await CreateModelAsync(carol, ChatModel("oom-chat"));
    }

    public async Task DisposeAsync()
    {
        await _hub.DisposeAsync();
        await _xinference.DisposeAsync();
    }

    private async Task<(int Exit, string Output, string Stdout)> ModelshubAsync(params string[] args)
    {
        using var cli = _hub.StartCli([.. args, "--hub", _hub.Address.ToString(), "--token", _token]);
        var exit = await cli.WaitAsync(TimeSpan.FromMinutes(2));
        return (exit, cli.Output, cli.StandardOutput);
    }

    [Fact]
    public async Task DeployFollowsTheDeploymentLiveAndExitsByOutcome()
    {
        // Typed options become the API's fields; the command follows the deployment until it runs.
        var deployed = await ModelshubAsync("deploy", "carol-chat", "--server", "gpu-cli", "--format", "ggufv2", "--size", "7", "--quantization", "Q4_K_M",
            "--replicas", "1", "--gpus", "none", "--param", "max_model_len=4096", "--param", "enable_thinking=false", "--env", "TOKENIZERS_PARALLELISM=false", "--json");
        Assert.True(deployed.Exit == 0, $"{deployed.Output}\nserver:\n{_hub.Output}");
        var running = JsonDocument.Parse(deployed.Stdout).RootElement;
        Assert.Equal("running", running.GetProperty("state").GetString());
        var id = running.GetProperty("id").GetString()!;
        Assert.Equal(["pending", "registering", "launching", "running"], States(running));
        Assert.Contains(" registering", deployed.Output);
        Assert.Contains(" launching", deployed.Output);
        Assert.Contains($"Running: {id} on gpu-cli", deployed.Output);
        var launch = Assert.Single(_cluster.Launches);
        Assert.Equal((id, "llama.cpp", "ggufv2", "Q4_K_M", 7), (launch["model_uid"]!.GetValue<string>(), launch["model_engine"]!.GetValue<string>(),
            launch["model_format"]!.GetValue<string>(), launch["quantization"]!.GetValue<string>(), launch["model_size_in_billions"]!.GetValue<int>()));
        Assert.Null(launch["n_gpu"]);
        Assert.Equal(4096, launch["max_model_len"]!.GetValue<int>());
        Assert.False(launch["enable_thinking"]!.GetValue<bool>());
        Assert.Equal("false", launch["envs"]!["TOKENIZERS_PARALLELISM"]!.GetValue<string>());

        // A launch that fails on the server: exit 1 with the server's reason, nothing on stdout but the document.
        var failed = await ModelshubAsync("deploy", "oom-chat", "--server", "gpu-cli", "--json");
        Assert.True(failed.Exit == 1, failed.Output);
        Assert.Contains("Failed: CUDA out of memory", failed.Output);
        Assert.Equal("failed", JsonDocument.Parse(failed.Stdout).RootElement.GetProperty("state").GetString());

        // Fields the hub refuses are named, and bad usage; so are options caught before any request.
        var launches = _cluster.Launches.Count;
        var refused = await ModelshubAsync("deploy", "carol-chat", "--server", "gpu-cli", "--format", "awq");
        Assert.True(refused.Exit == 2, refused.Output);
        Assert.Contains("format", refused.Output);
        var noServer = await ModelshubAsync("deploy", "carol-chat", "--server", "gpu-zz");
        Assert.True(noServer.Exit == 2, noServer.Output);
        Assert.Contains("server: There is no inference server 'gpu-zz'", noServer.Output);
        Assert.Equal(2, (await ModelshubAsync("deploy", "carol-chat")).Exit);
        Assert.Equal(2, (await ModelshubAsync("deploy", "carol-chat", "--server", "gpu-cli", "--gpus", "many")).Exit);
        Assert.Equal(2, (await ModelshubAsync("deploy", "carol-chat", "--server", "gpu-cli", "--param", "max_model_len")).Exit);
        Assert.Equal(launches, _cluster.Launches.Count);

        var listed = await ModelshubAsync("deploy", "list", "--state", "running", "--json");
        Assert.True(listed.Exit == 0, listed.Output);
        Assert.Equal([id], JsonDocument.Parse(listed.Stdout).RootElement.GetProperty("items").EnumerateArray().Select(d => d.GetProperty("id").GetString()));
        var table = await ModelshubAsync("deploy", "list");
        Assert.True(table.Exit == 0, table.Output);
        Assert.Contains("2 deployment(s)", table.Stdout);

        // Stop waits until it is stopped (a spinner with the state, as on a terminal); start --no-wait returns the accepted deployment at once.
        var stopped = await ModelshubAsync("deploy", "stop", id, "--progress", "bar");
        Assert.True(stopped.Exit == 0, stopped.Output);
        Assert.Contains($"Stopped: {id}", stopped.Output);
        Assert.Empty(_cluster.Running);
        Assert.Equal(1, (await ModelshubAsync("deploy", "stop", id)).Exit);
        var started = await ModelshubAsync("deploy", "start", id, "--no-wait", "--json");
        Assert.True(started.Exit == 0, started.Output);
        Assert.Equal("pending", JsonDocument.Parse(started.Stdout).RootElement.GetProperty("state").GetString());
        using (var carol = _hub.ClientWith(_token))
        {
            await StateAsync(carol, id, "running");
        }
        var shown = await ModelshubAsync("deploy", "show", id);
        Assert.True(shown.Exit == 0, shown.Output);
        Assert.Contains("max_model_len", shown.Stdout);

        var deleted = await ModelshubAsync("deploy", "delete", id);
        Assert.True(deleted.Exit == 0, deleted.Output);
        Assert.Contains($"Deleted {id}", deleted.Output);
        Assert.Empty(_cluster.Running);
        using (var carol = _hub.ClientWith(_token))
        {
            Assert.Equal(HttpStatusCode.NotFound, (await carol.GetAsync($"/api/deployments/{id}")).StatusCode);
        }
        Assert.Equal(1, (await ModelshubAsync("deploy", "show", id)).Exit);
    }
}
