using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ModelsHub.Contracts.Training;
using ModelsHub.IntegrationTests.Infrastructure;
using ModelsHub.IntegrationTests.Webhooks;

namespace ModelsHub.IntegrationTests.Training;

/// <summary>
/// A training job's life as webhook events (signed CloudEvents, verified by the receiver): created,
/// running, succeeded with the output version, each once and in order; cancelled with who asked;
/// failed with the reason; and nothing to a webhook of someone who did not start the job.
/// </summary>
public sealed class TrainingWebhookTests : IAsyncLifetime
{
    private WebhookReceiver _receiver = null!;

    public async Task InitializeAsync() => _receiver = await WebhookReceiver.StartAsync();

    public async Task DisposeAsync() => await _receiver.DisposeAsync();

    [Fact]
    public async Task EachStateAUserCaresAboutIsOneSignedEvent()
    {
        await using var hub = new ShellTrainerHub(configure: app => app
            .With("Webhooks:AllowPrivateTargets", "true")
            .With("Webhooks:AllowHttp", "true"));
        await hub.SeedAsync();
        var hook = await (await hub.Owner.PostAsJsonAsync("/api/webhooks", new { url = _receiver.Url, events = new[] { "training_job.created", "training_job.running",
            "training_job.succeeded", "training_job.failed", "training_job.cancelled" } }, HubApplication.Json).ExpectAsync(HttpStatusCode.Created)).JsonAsync();
        _receiver.Secret = hook.GetProperty("secret").GetString();
        // Someone else's webhook hears nothing of tess's jobs.
        await hub.App.ClientFor("max", "trainer").PostAsJsonAsync("/api/webhooks", new { url = _receiver.Url, events = new[] { "*" } }, HubApplication.Json)
            .ExpectAsync(HttpStatusCode.Created);

        // One job to success, played through the contract.
        var id = await hub.StartAsync();
        var env = await hub.EnvironmentOfAsync(id);
        var output = Uploads.RandomBytes(5000, 3);
        var upload = await (await hub.Trainer.PostAsJsonAsync(ShellTrainerHub.Relative(env[TrainerEnvironment.OutputUrl]),
            new { fileName = "model.zip", size = output.Length, sha256 = Uploads.Sha256(output) }).ExpectAsync(HttpStatusCode.Created)).JsonAsync();
        await Uploads.PutChunksAsync(hub.Trainer, upload, output);
        await hub.PostEventsAsync(env,
            """{"seq":1,"type":"metric","name":"loss","value":0.5,"step":1}""",
            $$"""{"seq":2,"type":"output","uploadId":"{{upload.GetProperty("id").GetString()}}","fileName":"model.zip","size":{{output.Length}},"sha256":"{{Uploads.Sha256(output)}}","metrics":""" + """{"accuracy":0.875}}""")
            .ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("succeeded", (await TrainingTesting.EndedAsync(hub.Owner, id)).GetProperty("state").GetString());

        // A second job, cancelled.
        var cancelled = await hub.StartAsync();
        await TrainingTesting.InStateAsync(hub.Owner, cancelled, "running");
        await hub.Owner.PostAsync($"/api/training-jobs/{cancelled}/cancel", null).ExpectAsync(HttpStatusCode.Accepted);
        await TrainingTesting.EndedAsync(hub.Owner, cancelled);

        var received = await GitHubTesting.EventuallyAsync(() => Task.FromResult(
            _receiver.Requests.Any(r => r.Type == "io.modelshub.training_job.cancelled") ? _receiver.Requests.ToList() : null), "the jobs' events");
        Assert.All(received, r => Assert.True(r.Verified, "every delivery verifies with tess's secret (max's gets none)"));
        List<string> TypesOf(string job) => received.Where(r => r.Json.GetProperty("data").GetProperty("job").GetProperty("id").GetString() == job)
            .OrderBy(r => r.Json.GetProperty("time").GetDateTimeOffset()).Select(r => r.Type["io.modelshub.".Length..]).ToList();
        Assert.Equal(["training_job.created", "training_job.running", "training_job.succeeded"], TypesOf(id));
        Assert.Equal(["training_job.created", "training_job.running", "training_job.cancelled"], TypesOf(cancelled));

        var succeeded = received.Single(r => r.Type == "io.modelshub.training_job.succeeded").Json;
        Assert.Equal($"training-jobs/{id}", succeeded.GetProperty("subject").GetString());
        var data = succeeded.GetProperty("data");
        Assert.Equal(("m", "v1", "d", "v1", "succeeded"), (data.GetProperty("job").GetProperty("model").GetString(), data.GetProperty("job").GetProperty("version").GetString(),
            data.GetProperty("job").GetProperty("dataset").GetString(), data.GetProperty("job").GetProperty("datasetVersion").GetString(),
            data.GetProperty("job").GetProperty("state").GetString()));
        Assert.Equal(("m", "v2"), (data.GetProperty("outputModel").GetString(), data.GetProperty("outputVersion").GetString()));
        Assert.Equal(0.875, data.GetProperty("metrics").GetProperty("accuracy").GetDouble());
        var stopped = received.Single(r => r.Type == "io.modelshub.training_job.cancelled").Json.GetProperty("data");
        Assert.Equal("tess", stopped.GetProperty("actor").GetString());
    }

    [Fact]
    public async Task AFailedJobsEventCarriesTheReasonAndTheTrainersLastLines()
    {
        await using var hub = new ShellTrainerHub("echo 'CUDA out of memory' >&2; exit 3", app => app
            .With("Webhooks:AllowPrivateTargets", "true")
            .With("Webhooks:AllowHttp", "true"));
        await hub.SeedAsync();
        var hook = await (await hub.Owner.PostAsJsonAsync("/api/webhooks", new { url = _receiver.Url, events = new[] { "training_job.failed" } }, HubApplication.Json)
            .ExpectAsync(HttpStatusCode.Created)).JsonAsync();
        _receiver.Secret = hook.GetProperty("secret").GetString();

        var id = await hub.StartAsync();

        var failed = (await GitHubTesting.EventuallyAsync(() => Task.FromResult(_receiver.Requests.FirstOrDefault()), "the failed event")).Json.GetProperty("data");
        Assert.Equal(id, failed.GetProperty("job").GetProperty("id").GetString());
        Assert.Contains("exited with code 3", failed.GetProperty("reason").GetString());
        Assert.Contains("output: CUDA out of memory", failed.GetProperty("lastLogLines").EnumerateArray().Select(l => l.GetString()));
        Assert.Single(_receiver.Requests);
    }
}
