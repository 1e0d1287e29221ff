using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using ModelsHub.Contracts.Training;
using ModelsHub.IntegrationTests.Infrastructure;

namespace ModelsHub.IntegrationTests.Training;

/// <summary>
/// A trainer that crashes, hangs past Training:Timeout, posts malformed or out-of-order events, leaves
/// events out, or uploads an output whose SHA-256 does not match: the job ends failed with a readable
/// reason, its trainer is stopped, no half-registered version stays behind, and an ended job refuses events.
/// </summary>
public sealed class TrainingFailureTests
{
    [Fact]
    public async Task ATrainerThatCrashesFailsTheJobWithItsExitCodeAndLastLines()
    {
        await using var hub = new ShellTrainerHub("echo 'loading data'; echo 'CUDA out of memory' >&2; exit 3");
        await hub.SeedAsync();

        var job = await TrainingTesting.EndedAsync(hub.Owner, await hub.StartAsync());

        Assert.Equal("failed", job.GetProperty("state").GetString());
        var error = job.GetProperty("error");
        Assert.Contains("exited with code 3", error.GetProperty("reason").GetString());
        Assert.Contains("output: CUDA out of memory", error.GetProperty("lastLogLines").EnumerateArray().Select(l => l.GetString()));
        Assert.Equal(["v1"], await LabelsAsync(hub));
    }

    [Fact]
    public async Task ATrainerThatHangsPastTheTimeoutIsStoppedAndTheJobFails()
    {
        await using var hub = new ShellTrainerHub("sleep 300", app => app.With("Training:Timeout", "00:00:01"));
        await hub.SeedAsync();
        var id = await hub.StartAsync();
        await hub.EnvironmentOfAsync(id);

        var job = await TrainingTesting.EndedAsync(hub.Owner, id);

        Assert.Equal("failed", job.GetProperty("state").GetString());
        Assert.Contains("longer than Training:Timeout", job.GetProperty("error").GetProperty("reason").GetString());
        Assert.False(hub.IsTrainerAlive(id));
    }

    [Fact]
    public async Task AMalformedEventIsNamedTheJobFailsItsTrainerStopsAndLaterEventsAreRefused()
    {
        await using var hub = new ShellTrainerHub();
        await hub.SeedAsync();
        var id = await hub.StartAsync();
        var env = await hub.EnvironmentOfAsync(id);
        await hub.PostEventsAsync(env, """{"seq":1,"type":"progress","step":1,"totalSteps":10}""").ExpectAsync(HttpStatusCode.OK);

        var refused = await hub.PostEventsAsync(env, """{"seq":2,"type":"metric","name":"loss","value":"low"}""").ExpectAsync(HttpStatusCode.BadRequest);

        Assert.Contains("events[0].value", (await refused.JsonAsync()).GetProperty("errors").EnumerateObject().Select(e => e.Name));
        var job = await TrainingTesting.EndedAsync(hub.Owner, id);
        Assert.Equal("failed", job.GetProperty("state").GetString());
        Assert.Contains("malformed or out-of-order event (events[0].value", job.GetProperty("error").GetProperty("reason").GetString());
        await GitHubTesting.EventuallyAsync<object>(() => Task.FromResult<object?>(hub.IsTrainerAlive(id) ? null : true), "the trainer to be stopped");
        var late = await hub.PostEventsAsync(env, """{"seq":3,"type":"log","message":"still here"}""").ExpectAsync(HttpStatusCode.Conflict);
        Assert.Contains("has ended (failed)", (await late.JsonAsync()).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task ASeqUsedTwiceWithOtherContentIsOutOfOrderButAResentBatchIsAcknowledgedOnce()
    {
        await using var hub = new ShellTrainerHub();
        await hub.SeedAsync();
        var id = await hub.StartAsync();
        var env = await hub.EnvironmentOfAsync(id);
        string[] batch = ["""{"seq":1,"type":"log","message":"a"}""", """{"seq":2,"type":"metric","name":"loss","value":0.5,"step":1}"""];

        var first = await (await hub.PostEventsAsync(env, batch).ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        var again = await (await hub.PostEventsAsync(env, batch).ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        var events = await Uploads.GetAsync(hub.Owner, $"/api/training-jobs/{id}/events");

        Assert.Equal((2, 2L), (first.GetProperty("accepted").GetInt32(), first.GetProperty("lastSeq").GetInt64()));
        Assert.Equal((0, 2L), (again.GetProperty("accepted").GetInt32(), again.GetProperty("lastSeq").GetInt64()));
        Assert.Equal(2, events.GetProperty("items").GetArrayLength());
        Assert.Equal(2, (await Uploads.GetAsync(hub.Owner, $"/api/training-jobs/{id}")).GetProperty("eventCount").GetInt64());

        await hub.PostEventsAsync(env, """{"seq":2,"type":"metric","name":"loss","value":0.1,"step":1}""").ExpectAsync(HttpStatusCode.BadRequest);
        var job = await TrainingTesting.EndedAsync(hub.Owner, id);
        Assert.Contains("seq 2 twice", job.GetProperty("error").GetProperty("reason").GetString());
    }

    [Fact]
    public async Task LinesOutOfOrderInOneBatchFailTheJob()
    {
        await using var hub = new ShellTrainerHub();
        await hub.SeedAsync();
        var id = await hub.StartAsync();
        var env = await hub.EnvironmentOfAsync(id);

        var refused = await hub.PostEventsAsync(env, """{"seq":5,"type":"log","message":"a"}""", """{"seq":4,"type":"log","message":"b"}""")
            .ExpectAsync(HttpStatusCode.BadRequest);

        Assert.Contains("events[1].seq", (await refused.JsonAsync()).GetProperty("errors").EnumerateObject().Select(e => e.Name));
        Assert.Equal("failed", (await TrainingTesting.EndedAsync(hub.Owner, id)).GetProperty("state").GetString());
    }

    [Fact]
    public async Task AnOutputWhoseSha256DoesNotMatchFailsTheJobAndLeavesNoVersion()
    {
        await using var hub = new ShellTrainerHub();
        await hub.SeedAsync();
        var id = await hub.StartAsync();
        var env = await hub.EnvironmentOfAsync(id);
        var promised = Uploads.RandomBytes(5000, 7);
        var sent = Uploads.RandomBytes(5000, 8);

        var upload = await OpenOutputAsync(hub, env, promised);
        Assert.Equal("uploading", (await Uploads.GetAsync(hub.Owner, $"/api/training-jobs/{id}")).GetProperty("state").GetString());
        Assert.Equal(["v1", "v2"], await LabelsAsync(hub));
        await Uploads.PutChunksAsync(hub.Trainer, upload, sent);
        await hub.PostEventsAsync(env, OutputLine(1, upload, promised)).ExpectAsync(HttpStatusCode.OK);

        var job = await TrainingTesting.EndedAsync(hub.Owner, id);
        Assert.Equal("failed", job.GetProperty("state").GetString());
        Assert.Contains("sha256", job.GetProperty("error").GetProperty("reason").GetString());
        Assert.Equal(["v1"], await LabelsAsync(hub));
        await hub.PostEventsAsync(env, """{"seq":2,"type":"log","message":"late"}""").ExpectAsync(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task EventsThatNeverArriveBeforeTheOutputFailTheJobAfterTheGrace()
    {
        await using var hub = new ShellTrainerHub(configure: app => app.With("Training:MissingEventsGrace", "00:00:01"));
        await hub.SeedAsync();
        var id = await hub.StartAsync();
        var env = await hub.EnvironmentOfAsync(id);
        var output = Uploads.RandomBytes(2000, 3);
        var upload = await OpenOutputAsync(hub, env, output);
        await Uploads.PutChunksAsync(hub.Trainer, upload, output);

        await hub.PostEventsAsync(env, """{"seq":1,"type":"log","message":"a"}""", OutputLine(3, upload, output)).ExpectAsync(HttpStatusCode.OK);

        var job = await TrainingTesting.EndedAsync(hub.Owner, id);
        Assert.Contains("1 of the trainer's events before its output (seq 3) never arrived", job.GetProperty("error").GetProperty("reason").GetString());
        Assert.Equal(["v1"], await LabelsAsync(hub));
    }

    [Fact]
    public async Task ATrainerPlayingByTheContractGetsItsOutputRegisteredWithLineage()
    {
        await using var hub = new ShellTrainerHub();
        await hub.SeedAsync();
        var id = await hub.StartAsync(new { output = new { label = "v1_tuned" }, hyperparameters = new { epochs = 2 } });
        var env = await hub.EnvironmentOfAsync(id);
        Assert.Equal("{\"epochs\":2}", env[TrainerEnvironment.Hyperparameters]);
        var dataset = JsonDocument.Parse(env[TrainerEnvironment.Dataset]).RootElement;
        Assert.Equal(("d", "v1", "csv", 2L), (dataset.GetProperty("name").GetString(), dataset.GetProperty("version").GetString(),
            dataset.GetProperty("format").GetString(), dataset.GetProperty("records").GetInt64()));
        var baseFile = JsonDocument.Parse(env[TrainerEnvironment.BaseFiles]).RootElement[0];
        var read = await hub.Trainer.GetAsync(ShellTrainerHub.Relative(baseFile.GetProperty("url").GetString()!)).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(baseFile.GetProperty("sha256").GetString(), Convert.ToHexStringLower(SHA256.HashData(await read.Content.ReadAsByteArrayAsync())));

        var output = Uploads.RandomBytes(7000, 5);
        var upload = await OpenOutputAsync(hub, env, output);
        await Uploads.PutChunksAsync(hub.Trainer, upload, output);
        await hub.PostEventsAsync(env,
            """{"seq":1,"type":"progress","step":10,"totalSteps":10,"epoch":2}""",
            """{"seq":2,"type":"metric","name":"loss","value":0.25,"step":10,"epoch":2}""",
            OutputLine(3, upload, output, """{"accuracy":0.9}""")).ExpectAsync(HttpStatusCode.OK);

        var job = await TrainingTesting.EndedAsync(hub.Owner, id);
        Assert.Equal("succeeded", job.GetProperty("state").GetString());
        Assert.Equal("v1_tuned", job.GetProperty("output").GetProperty("version").GetString());
        var version = await Uploads.GetAsync(hub.Owner, "/api/models/m/versions/v1_tuned");
        Assert.Equal((id, 0.9), (version.GetProperty("lineage").GetProperty("trainingJob").GetString(), version.GetProperty("metrics").GetProperty("accuracy").GetDouble()));
        Assert.Equal(Uploads.Sha256(output), version.GetProperty("files")[0].GetProperty("sha256").GetString());
        await hub.PostEventsAsync(env, """{"seq":4,"type":"log","message":"after the end"}""").ExpectAsync(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task CancelStopsTheTrainerTakesBackTheOutputAndTheJobRefusesEvents()
    {
        await using var hub = new ShellTrainerHub();
        await hub.SeedAsync();
        var id = await hub.StartAsync();
        var env = await hub.EnvironmentOfAsync(id);
        await OpenOutputAsync(hub, env, Uploads.RandomBytes(100, 1));

        var accepted = await hub.Owner.PostAsync($"/api/training-jobs/{id}/cancel", null).ExpectAsync(HttpStatusCode.Accepted);
        Assert.True((await accepted.JsonAsync()).GetProperty("cancelRequested").GetBoolean());

        var job = await TrainingTesting.EndedAsync(hub.Owner, id);
        Assert.Equal("cancelled", job.GetProperty("state").GetString());
        Assert.False(hub.IsTrainerAlive(id));
        Assert.Equal(["v1"], await LabelsAsync(hub));
        await hub.PostEventsAsync(env, """{"seq":1,"type":"log","message":"x"}""").ExpectAsync(HttpStatusCode.Conflict);
        await hub.Owner.PostAsync($"/api/training-jobs/{id}/cancel", null).ExpectAsync(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task AtMostMaxConcurrentTrainersRunTheNextJobWaitsQueued()
    {
        await using var hub = new ShellTrainerHub();
        await hub.SeedAsync();
        var first = await hub.StartAsync();
        await hub.EnvironmentOfAsync(first);

        var second = await hub.StartAsync();
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Equal("queued", (await Uploads.GetAsync(hub.Owner, $"/api/training-jobs/{second}")).GetProperty("state").GetString());
        Assert.False(File.Exists(Path.Combine(hub.Folder, second + ".env")));

        await hub.Owner.PostAsync($"/api/training-jobs/{first}/cancel", null).ExpectAsync(HttpStatusCode.Accepted);
        await hub.EnvironmentOfAsync(second);
        // The trainer writes its environment before the hub records that it started: wait for that, not a snapshot.
        await TrainingTesting.InStateAsync(hub.Owner, second, "running");
    }

    private static async Task<JsonElement> OpenOutputAsync(ShellTrainerHub hub, IReadOnlyDictionary<string, string> env, byte[] promised)
    {
        var response = await hub.Trainer.PostAsJsonAsync(ShellTrainerHub.Relative(env[TrainerEnvironment.OutputUrl]),
            new { fileName = "model.zip", size = promised.Length, sha256 = Uploads.Sha256(promised) }).ExpectAsync(HttpStatusCode.Created);
        return await response.JsonAsync();
    }

    private static string OutputLine(long seq, JsonElement upload, byte[] content, string metrics = "{}") =>
        $$"""{"seq":{{seq}},"type":"output","uploadId":"{{upload.GetProperty("id").GetString()}}","fileName":"model.zip","size":{{content.Length}},"sha256":"{{Uploads.Sha256(content)}}","metrics":{{metrics}}}""";

    private static async Task<List<string?>> LabelsAsync(ShellTrainerHub hub) =>
        (await Uploads.GetAsync(hub.Owner, "/api/models/m/versions")).GetProperty("items").EnumerateArray().Select(v => v.GetProperty("label").GetString()).ToList();
}
