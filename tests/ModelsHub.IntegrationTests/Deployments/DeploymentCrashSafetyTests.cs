using System.Net;
using System.Net.Http.Json;
using ModelsHub.Core.Deployments;
using ModelsHub.IntegrationTests.Infrastructure;
using ModelsHub.IntegrationTests.Reviews;
using ModelsHub.Testing.Xinference;
using static ModelsHub.IntegrationTests.Infrastructure.DeploymentTesting;

namespace ModelsHub.IntegrationTests.Deployments;

/// <summary>
/// The server is killed inside a deployment's workflow (right after a step's calls to Xinference and
/// before its state is saved, or after the save and before the next message), then a new process
/// starts on the same data folder against the same Xinference: the one deployment ends running, with
/// the model registered once and launched once.
/// </summary>
[Collection(nameof(CrashSafetyCollection))]
public sealed class DeploymentCrashSafetyTests : IAsyncLifetime
{
    private FakeXinference _xinference = null!;

    public async Task InitializeAsync() => _xinference = await FakeXinference.StartAsync();

    public async Task DisposeAsync() => await _xinference.DisposeAsync();

    public static TheoryData<string> Boundaries()
    {
        var data = new TheoryData<string>();
        foreach (var step in new[] { DeploymentWorkflow.Steps.Register, DeploymentWorkflow.Steps.Launch, DeploymentWorkflow.Steps.Follow })
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
            ["Deployments__FollowInterval"] = "00:00:00.100",
            ["Monitoring__Schedule"] = HubApplication.NeverDuringTests,
        };
        if (crashAt is not null) settings["Workflows__CrashAt"] = crashAt;
        return settings;
    }

    private static async Task<JsonElementList> DeploymentsAsync(HttpClient client) =>
        new((await (await client.GetAsync("/api/deployments").ExpectAsync(HttpStatusCode.OK)).JsonAsync()).GetProperty("items").EnumerateArray().ToList());

    private sealed record JsonElementList(List<System.Text.Json.JsonElement> Items);

    [Theory]
    [MemberData(nameof(Boundaries))]
    public async Task AfterACrashAtAnyStepOneDeploymentRunsAndTheModelWasLaunchedOnce(string crashAt)
    {
        var cluster = _xinference.AddCluster("crash-" + crashAt.Replace(':', '-'));
        cluster.LaunchDuration = TimeSpan.FromSeconds(1);
        var data = Path.Combine(Path.GetTempPath(), "modelshub-crash", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(data);
        try
        {
            await using (var doomed = await HubProcess.StartAsync(data, Settings(crashAt)))
            {
                var admin = await doomed.ClientForAsync("ada", "admin");
                await CreateModelAsync(admin, ChatModel("crash-chat"));
                await RegisterServerAsync(admin, "gpu", cluster);
                try
                {
                    await admin.PostAsJsonAsync("/api/deployments", new { model = "crash-chat", server = "gpu" }, HubApplication.Json);
                }
                catch (HttpRequestException)
                {
                    // The process may end before it answers: the deployment is there or not, and either way there is at most one.
                }
                Assert.True(await doomed.WaitForExitAsync(TimeSpan.FromSeconds(60)), $"the server did not crash at {crashAt}:\n{doomed.Output}");
                Assert.Contains("Workflows:CrashAt=" + crashAt, doomed.Output);
            }

            await using var restarted = await HubProcess.StartAsync(data, Settings(null));
            var client = await restarted.ClientForAsync("ada", "admin");
            var id = Assert.Single((await DeploymentsAsync(client)).Items).GetProperty("id").GetString()!;
            var running = await StateAsync(client, id, "running", "failed");
            Assert.True(running.GetProperty("state").GetString() == "running", running.ToString());
            Assert.Single((await DeploymentsAsync(client)).Items);
            Assert.Equal([id], cluster.Running);
            Assert.Single(cluster.Launches);
            Assert.Single(cluster.Custom("LLM"));
            Assert.Equal(1, _xinference.Requests.Count(r => r.Cluster == cluster.Name && r.Method == "POST" && r.Path.StartsWith("/v1/model_registrations", StringComparison.Ordinal) && r.Status == 200));
        }
        finally
        {
            try { Directory.Delete(data, recursive: true); } catch (IOException) { }
        }
    }

    [Theory]
    [InlineData("stop")]
    [InlineData("stop:after-save")]
    public async Task AfterACrashWhileStoppingTheDeploymentEndsStoppedAndTheModelIsGone(string crashAt)
    {
        var cluster = _xinference.AddCluster("crash-" + crashAt.Replace(':', '-'));
        var data = Path.Combine(Path.GetTempPath(), "modelshub-crash", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(data);
        try
        {
            string id;
            await using (var first = await HubProcess.StartAsync(data, Settings(null)))
            {
                var admin = await first.ClientForAsync("ada", "admin");
                await CreateModelAsync(admin, ChatModel("crash-stop-chat"));
                await RegisterServerAsync(admin, "gpu", cluster);
                id = await DeployAsync(admin, new { model = "crash-stop-chat", server = "gpu" });
                await StateAsync(admin, id, "running");
            }
            await using (var doomed = await HubProcess.StartAsync(data, Settings(crashAt)))
            {
                var admin = await doomed.ClientForAsync("ada", "admin");
                try
                {
                    await admin.PostAsync($"/api/deployments/{id}/stop", null);
                }
                catch (HttpRequestException)
                {
                }
                Assert.True(await doomed.WaitForExitAsync(TimeSpan.FromSeconds(60)), $"the server did not crash at {crashAt}:\n{doomed.Output}");
            }
            await using var restarted = await HubProcess.StartAsync(data, Settings(null));
            var client = await restarted.ClientForAsync("ada", "admin");
            var stopped = await StateAsync(client, id, "stopped", "failed");
            Assert.True(stopped.GetProperty("state").GetString() == "stopped", stopped.ToString());
            Assert.Empty(cluster.Running);
            Assert.Single(cluster.Launches);
        }
        finally
        {
            try { Directory.Delete(data, recursive: true); } catch (IOException) { }
        }
    }
}
