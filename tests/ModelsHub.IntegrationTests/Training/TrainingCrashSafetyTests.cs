using System.Net;
using ModelsHub.Core.Training;
using ModelsHub.IntegrationTests.Infrastructure;
using ModelsHub.IntegrationTests.Reviews;

namespace ModelsHub.IntegrationTests.Training;

/// <summary>A sample dataset and base model made once for the crash runs.</summary>
public sealed class PreparedTraining : IAsyncLifetime
{
    public string Folder { get; } = Directory.CreateTempSubdirectory("training-crash-").FullName;

    public byte[] Dataset { get; private set; } = [];

    public byte[] BaseModel { get; private set; } = [];

    public double BaseAccuracy { get; private set; }

    public async Task InitializeAsync() => (Dataset, BaseModel, BaseAccuracy) = await TrainingTesting.PrepareAsync(Folder, rows: 400);

    public Task DisposeAsync()
    {
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { }
        return Task.CompletedTask;
    }
}

/// <summary>
/// The hub is killed at every step boundary of a training job (after the step's side effect and before
/// its state is saved, or after the save and before the next message), then started again on the same
/// data folder and address, as a service would be: the job finishes, its trainer (which outlived the
/// hub and posted on once it was back) was started once, and its output is registered as one version.
/// </summary>
[Collection(nameof(CrashSafetyCollection))]
public sealed class TrainingCrashSafetyTests(PreparedTraining prepared) : IClassFixture<PreparedTraining>
{
    public static TheoryData<string> Boundaries()
    {
        var data = new TheoryData<string>();
        foreach (var step in new[]
                 {
                     TrainingJobWorkflow.Steps.Validate, TrainingJobWorkflow.Steps.Stage, TrainingJobWorkflow.Steps.Submit,
                     TrainingJobWorkflow.Steps.Monitor, TrainingJobWorkflow.Steps.Collect, TrainingJobWorkflow.Steps.Register,
                 })
        {
            data.Add(step);
            data.Add(step + ":after-save");
        }
        return data;
    }

    private static Dictionary<string, string> Settings(string? crashAt)
    {
        var settings = new Dictionary<string, string>
        {
            ["Workflows__VisibilityTimeout"] = "00:00:02",
            ["Workflows__RetryDelay"] = "00:00:00.200",
            ["Workflows__MaxRetryDelay"] = "00:00:01",
            ["Workflows__SweeperSchedule"] = "* * * * * *",
            ["Training__MonitorInterval"] = "00:00:00.200",
        };
        if (crashAt is not null) settings["Workflows__CrashAt"] = crashAt;
        return settings;
    }

    [Theory]
    [MemberData(nameof(Boundaries))]
    public async Task AfterACrashAtAnyStepTheJobFinishesWithOneTrainerAndOneVersion(string crashAt)
    {
        var data = Path.Combine(Path.GetTempPath(), "modelshub-crash", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(data);
        var port = HubProcess.FreePort();
        try
        {
            string? id = null;
            await using (var doomed = await HubProcess.StartAsync(data, Settings(crashAt), port))
            {
                var tess = await doomed.ClientForAsync("tess", "trainer");
                await TrainingTesting.SeedAsync(tess, "crash-model", "crash-data", prepared.BaseModel, prepared.Dataset, prepared.BaseAccuracy);
                try
                {
                    var job = await TrainingTesting.StartAsync(tess, new { model = "crash-model", version = "v1", dataset = "crash-data", datasetVersion = "v1", hyperparameters = new { epochs = 3 } });
                    id = job.GetProperty("id").GetString()!;
                }
                catch (HttpRequestException)
                {
                    // The first step ran (and crashed the hub) before the answer went out: the job is found after the restart.
                }
                Assert.True(await doomed.WaitForExitAsync(TimeSpan.FromSeconds(120)), $"the server did not crash at {crashAt}:\n{doomed.Output}");
                Assert.Contains("Workflows:CrashAt=" + crashAt, doomed.Output);
            }

            await using var restarted = await HubProcess.StartAsync(data, Settings(null), port);
            var client = await restarted.ClientForAsync("tess", "trainer");
            id ??= (await Uploads.GetAsync(client, "/api/training-jobs")).GetProperty("items").EnumerateArray().Single().GetProperty("id").GetString()!;
            var ended = await TrainingTesting.EndedAsync(client, id);
            Assert.True(ended.GetProperty("state").GetString() == "succeeded", ended.ToString());
            Assert.Equal("v2", ended.GetProperty("output").GetProperty("version").GetString());

            var versions = await Uploads.GetAsync(client, "/api/models/crash-model/versions");
            Assert.Equal(["v1", "v2"], versions.GetProperty("items").EnumerateArray().Select(v => v.GetProperty("label").GetString()));
            var events = await Uploads.GetAsync(client, $"/api/training-jobs/{id}/events?pageSize=1000");
            var starts = events.GetProperty("items").EnumerateArray()
                .Where(e => e.GetProperty("type").GetString() == "log" && e.GetProperty("message").GetString()!.StartsWith("reference trainer started", StringComparison.Ordinal))
                .ToList();
            Assert.Single(starts);
            Assert.Equal(["queued", "starting", "running", "uploading", "registering", "succeeded"],
                ended.GetProperty("states").EnumerateArray().Select(s => s.GetProperty("state").GetString()).Distinct().ToList());
        }
        finally
        {
            try { Directory.Delete(data, recursive: true); } catch (IOException) { }
        }
    }
}
