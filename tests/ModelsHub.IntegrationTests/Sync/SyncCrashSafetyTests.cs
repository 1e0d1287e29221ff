using System.Net;
using ModelsHub.Core.Upstream;
using ModelsHub.IntegrationTests.Infrastructure;
using ModelsHub.IntegrationTests.Reviews;
using ModelsHub.Testing;
using static ModelsHub.IntegrationTests.Infrastructure.SyncTesting;

namespace ModelsHub.IntegrationTests.Sync;

/// <summary>
/// The server is killed inside a sync run (after a step's side effect and before its state is
/// saved, or after the save and before the next message), then a new process starts on the same
/// data folder: the same run finishes, once, with every upstream model imported once.
/// </summary>
[Collection(nameof(CrashSafetyCollection))]
public sealed class SyncCrashSafetyTests : IAsyncLifetime
{
    private FakeGitHub _github = null!;

    public async Task InitializeAsync() => _github = await FakeGitHub.StartAsync();

    public async Task DisposeAsync() => await _github.DisposeAsync();

    public static TheoryData<string> Boundaries()
    {
        var data = new TheoryData<string>();
        foreach (var step in new[] { UpstreamSyncWorkflow.Steps.Resolve, UpstreamSyncWorkflow.Steps.PullRequests, UpstreamSyncWorkflow.Steps.Reconcile })
        {
            data.Add(step);
            data.Add(step + ":after-save");
        }
        return data;
    }

    private Dictionary<string, string> Settings(string? crashAt)
    {
        var settings = new Dictionary<string, string>
        {
            ["GitHub__ApiUrl"] = _github.ApiUrl.ToString(),
            ["Workflows__VisibilityTimeout"] = "00:00:02",
            ["Workflows__RetryDelay"] = "00:00:00.200",
            ["Workflows__MaxRetryDelay"] = "00:00:01",
            ["Workflows__SweeperSchedule"] = "* * * * * *",
        };
        if (crashAt is not null) settings["Workflows__CrashAt"] = crashAt;
        return settings;
    }

    [Theory]
    [MemberData(nameof(Boundaries))]
    public async Task AfterACrashAtAnyStepTheSameRunFinishesAndImportsEachModelOnce(string crashAt)
    {
        var data = Path.Combine(Path.GetTempPath(), "modelshub-crash", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(data);
        try
        {
            string runId;
            await using (var doomed = await HubProcess.StartAsync(data, Settings(crashAt)))
            {
                var admin = await doomed.ClientForAsync("ada", "admin");
                (runId, _) = await StartSyncAsync(admin);
                Assert.True(await doomed.WaitForExitAsync(TimeSpan.FromSeconds(60)), $"the server did not crash at {crashAt}:\n{doomed.Output}");
                Assert.Contains("Workflows:CrashAt=" + crashAt, doomed.Output);
            }

            await using var restarted = await HubProcess.StartAsync(data, Settings(null));
            var restartedAdmin = await restarted.ClientForAsync("ada", "admin");
            var run = await FinishedRunAsync(restartedAdmin, runId, TimeSpan.FromSeconds(90));
            Assert.True(run.GetProperty("status").GetString() == "succeeded", run.ToString());
            Assert.Equal((331, 0, 0), (Count(run, "added"), Count(run, "updated"), Count(run, "unchanged")));
            var runs = await (await restartedAdmin.GetAsync("/api/sync").ExpectAsync(HttpStatusCode.OK)).JsonAsync();
            Assert.Equal([runId], runs.GetProperty("items").EnumerateArray().Select(r => r.GetProperty("id").GetString()));
            Assert.Equal(331, (await ModelETagsAsync(restartedAdmin, "&source=upstream")).Count);

            // A later sync is a new run that finds nothing to do.
            var next = await SyncAsync(restartedAdmin);
            Assert.Equal((0, 0, 331), (Count(next, "added"), Count(next, "updated"), Count(next, "unchanged")));
        }
        finally
        {
            try { Directory.Delete(data, recursive: true); } catch (IOException) { }
        }
    }
}
