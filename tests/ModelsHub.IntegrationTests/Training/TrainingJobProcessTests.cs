using System.Net;
using System.Text.Json;
using ModelsHub.IntegrationTests.Infrastructure;
using ModelsHub.Testing;

namespace ModelsHub.IntegrationTests.Training;

/// <summary>
/// Issue 13's "done when", with real processes: the hub, the reference trainer's commands as a newcomer
/// runs them, and the trainer the hub starts, on the local compute and through the kubernetes compute
/// against the fake API server (whose kubelet runs the same trainer with exactly the pod's env and
/// args). A job trains a base model version on a dataset version, is followed live, and its output is a
/// new version with lineage and better metrics whose model loads and predicts.
/// </summary>
public sealed class TrainingJobProcessTests : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("training-e2e-").FullName;
    private byte[] _dataset = [];
    private byte[] _baseModel = [];
    private double _baseAccuracy;

    public async Task InitializeAsync() => (_dataset, _baseModel, _baseAccuracy) = await TrainingTesting.PrepareAsync(_folder);

    [Fact]
    public async Task ANewcomerTrainsANewVersionOnTheLocalComputeAndFollowsItLive()
    {
        await using var hub = await HubProcess.StartAsync(new Dictionary<string, string>
        {
            ["Training__MonitorInterval"] = "00:00:00.200",
            // A second trainer that crashes, for the CLI's failure.
            ["Training__Trainers__crash__Local__Command"] = "/bin/sh",
            ["Training__Trainers__crash__Local__Arguments__0"] = "-c",
            ["Training__Trainers__crash__Local__Arguments__1"] = "echo 'CUDA out of memory' >&2; exit 3",
            ["Training__Trainers__crash__DatasetFormats__0"] = "csv",
            ["Training__Trainers__crash__Methods__0"] = "full",
        });
        await RunWalkthroughAsync(hub, compute: null);

        // The same from the command line: `modelshub train` follows the job live and exits with its result.
        var token = await hub.TokenAsync("tess", "trainer");
        async Task<(int Exit, string Output)> Modelshub(params string[] args)
        {
            using var cli = hub.StartCli([.. args, "--hub", hub.Address.ToString(), "--token", token]);
            return (await cli.WaitAsync(TimeSpan.FromMinutes(3)), cli.Output);
        }
        var trained = await Modelshub("train", "--model", "news-topics", "--version", "v2", "--dataset", "news", "--dataset-version", "v1",
            "--set", "epochs=2", "--output-label", "v2.1");
        Assert.True(trained.Exit == 0, trained.Output);
        Assert.Contains("running", trained.Output);
        Assert.Contains("loss ", trained.Output);
        Assert.Contains("progress 100%", trained.Output);
        Assert.Contains("Succeeded: version v2.1 of news-topics (", trained.Output);
        var lineage = (await Uploads.GetAsync(await hub.ClientForAsync("tess", "trainer"), "/api/models/news-topics/versions/v2.1")).GetProperty("lineage");
        Assert.Equal(("v2", 2), (lineage.GetProperty("baseVersion").GetString(), lineage.GetProperty("hyperparameters").GetProperty("epochs").GetInt32()));

        var crashed = await Modelshub("train", "--model", "news-topics", "--version", "v1", "--dataset", "news", "--dataset-version", "v1", "--trainer", "crash");
        Assert.True(crashed.Exit == 1, crashed.Output);
        Assert.Contains("Failed: ", crashed.Output);
        Assert.Contains("exited with code 3", crashed.Output);
        Assert.Contains("CUDA out of memory", crashed.Output);

        var refused = await Modelshub("train", "--model", "news-topics", "--version", "v1", "--dataset", "news", "--dataset-version", "v1", "--set", "epochz=3");
        Assert.True(refused.Exit == 1, refused.Output);
        Assert.Contains("400", refused.Output);
        Assert.Contains("epochz", refused.Output);

        var listed = await Modelshub("jobs", "list", "--state", "failed", "--json");
        Assert.True(listed.Exit == 0, listed.Output);
        Assert.Single(JsonDocument.Parse(listed.Output).RootElement.GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task TheSameJobRunsThroughTheKubernetesComputeWithTheContractUnchanged()
    {
        await using var cluster = await FakeKubernetes.StartAsync();
        cluster.MapImage("modelshub/reference-trainer:1", "dotnet", TrainingTesting.TrainerDll);
        await using var hub = await HubProcess.StartAsync(new Dictionary<string, string>
        {
            ["Training__MonitorInterval"] = "00:00:00.200",
            ["Training__Kubernetes__Host"] = cluster.Url.ToString(),
            ["Training__Kubernetes__Namespace"] = "ml",
            ["Training__Kubernetes__Gpus"] = "1",
            ["Training__Trainers__reference__Container__Image"] = "modelshub/reference-trainer:1",
            ["Training__Trainers__reference__Container__Arguments__0"] = "train",
        });

        var job = await RunWalkthroughAsync(hub, compute: "kubernetes");

        var pod = Assert.Single(cluster.Launched);
        Assert.Equal(["dotnet", TrainingTesting.TrainerDll], pod.Command);
        Assert.Equal(["train"], pod.Arguments);
        var stored = cluster.GetJob("ml", "modelshub-" + job)!;
        var container = stored["spec"]!["template"]!["spec"]!["containers"]![0]!;
        var env = container["env"]!.AsArray().ToDictionary(e => e!["name"]!.GetValue<string>(), e => e!["value"]!.GetValue<string>());
        // The pod's environment, exactly: every contract variable, and the process got each as the pod spec says.
        Assert.Equal(ModelsHub.Contracts.Training.TrainerEnvironment.All.Order(), env.Keys.Order());
        foreach (var (key, value) in env)
        {
            Assert.Equal(value, pod.Environment[key]);
        }
        Assert.Equal("1", container["resources"]!["limits"]!["nvidia.com/gpu"]!.GetValue<string>());
        Assert.Empty(cluster.Unhandled);
    }

    private async Task<string> RunWalkthroughAsync(HubProcess hub, string? compute)
    {
        var tess = await hub.ClientForAsync("tess", "trainer");
        await TrainingTesting.SeedAsync(tess, "news-topics", "news", _baseModel, _dataset, _baseAccuracy);

        var started = await TrainingTesting.StartAsync(tess, new
        {
            model = "news-topics",
            version = "v1",
            dataset = "news",
            datasetVersion = "v1",
            compute,
            hyperparameters = new { epochs = 4, checkpointEvery = 2 },
        });
        var id = started.GetProperty("id").GetString()!;
        Assert.Equal("queued", started.GetProperty("state").GetString());
        Assert.StartsWith("news-topics-v1-ft-", started.GetProperty("name").GetString());
        Assert.Equal(compute ?? "local", started.GetProperty("compute").GetString());

        var live = await TrainingTesting.FollowAsync(tess, id);

        Assert.Equal("job", live[0].Type);
        var trainerEvents = live.Where(i => i.Type != "job").ToList();
        Assert.Equal(Enumerable.Range(1, trainerEvents.Count).Select(n => n.ToString()), trainerEvents.Select(i => i.Id));
        Assert.Contains(trainerEvents, e => e.Type == "progress" && e.Data.GetProperty("percent").GetDouble() == 100);
        var losses = trainerEvents.Where(e => e.Type == "metric" && e.Data.GetProperty("name").GetString() == "loss").Select(e => e.Data.GetProperty("value").GetDouble()).ToList();
        Assert.Equal(5, losses.Count);
        Assert.True(losses[^1] < losses[0] / 2, $"loss {string.Join(" → ", losses)}");
        Assert.Equal("output", trainerEvents[^1].Type);
        var states = live.Where(i => i.Type == "job").Select(i => i.Data.GetProperty("state").GetString()).ToList();
        Assert.Equal("succeeded", states[^1]);

        var job = await Uploads.GetAsync(tess, $"/api/training-jobs/{id}");
        Assert.Equal(["queued", "starting", "running", "uploading", "registering", "succeeded"],
            job.GetProperty("states").EnumerateArray().Select(s => s.GetProperty("state").GetString()).ToList());
        Assert.Equal("v2", job.GetProperty("output").GetProperty("version").GetString());
        var accuracy = job.GetProperty("metrics").GetProperty("accuracy").GetProperty("value").GetDouble();
        Assert.True(accuracy > _baseAccuracy + 0.25, $"accuracy {_baseAccuracy} → {accuracy}");
        Assert.Equal(JsonValueKind.Null, job.GetProperty("error").ValueKind);

        var version = await Uploads.GetAsync(tess, "/api/models/news-topics/versions/v2");
        Assert.Equal("ready", version.GetProperty("status").GetString());
        var lineage = version.GetProperty("lineage");
        Assert.Equal((id, "news-topics", "v1", "news", "v1", "reference", "full"),
            (lineage.GetProperty("trainingJob").GetString(), lineage.GetProperty("baseModel").GetString(), lineage.GetProperty("baseVersion").GetString(),
             lineage.GetProperty("dataset").GetString(), lineage.GetProperty("datasetVersion").GetString(), lineage.GetProperty("trainer").GetString(),
             lineage.GetProperty("method").GetString()));
        Assert.Equal(4, lineage.GetProperty("hyperparameters").GetProperty("epochs").GetInt32());
        Assert.Equal(accuracy, lineage.GetProperty("metrics").GetProperty("accuracy").GetDouble());
        Assert.Equal(accuracy, version.GetProperty("metrics").GetProperty("accuracy").GetDouble());

        var compare = await Uploads.GetAsync(tess, "/api/models/news-topics/versions/compare?a=v1&b=v2");
        var accuracyRow = compare.GetProperty("metrics").EnumerateArray().Single(m => m.GetProperty("name").GetString() == "accuracy");
        Assert.True(accuracyRow.GetProperty("delta").GetDouble() > 0.25);
        Assert.False(compare.GetProperty("files").EnumerateArray().Single().GetProperty("same").GetBoolean());
        Assert.Equal(JsonValueKind.Undefined, compare.GetProperty("a").TryGetProperty("lineage", out _) ? JsonValueKind.Object : JsonValueKind.Undefined);

        var metrics = await Uploads.GetAsync(tess, $"/api/training-jobs/{id}/metrics?name=loss");
        Assert.Equal(losses, metrics.GetProperty("items").EnumerateArray().Select(p => p.GetProperty("value").GetDouble()));
        var checkpoints = await Uploads.GetAsync(tess, $"/api/training-jobs/{id}/checkpoints");
        Assert.Equal("epoch-2", checkpoints.GetProperty("items").EnumerateArray().Single().GetProperty("name").GetString());

        // The new version's model loads and predicts, downloaded as any client would.
        var file = await (await tess.GetAsync("/api/models/news-topics/versions/v2/files/model.zip").ExpectAsync(HttpStatusCode.OK)).Content.ReadAsByteArrayAsync();
        var path = Path.Combine(_folder, $"trained-{compute ?? "local"}.zip");
        await File.WriteAllBytesAsync(path, file);
        var prediction = JsonDocument.Parse(await TrainingTesting.RunTrainerAsync(_folder, "predict", "--model", path,
            "--text", "the bank raised the interest rate as bond yield and inflation rose")).RootElement;
        Assert.Equal("finance", prediction.GetProperty("label").GetString());
        return id;
    }

    public Task DisposeAsync()
    {
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
        return Task.CompletedTask;
    }
}
