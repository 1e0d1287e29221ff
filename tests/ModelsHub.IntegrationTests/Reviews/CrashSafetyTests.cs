using System.Net;
using System.Net.Http.Json;
using ModelsHub.Core.PullRequests;
using ModelsHub.IntegrationTests.Infrastructure;
using ModelsHub.Testing;
using static ModelsHub.IntegrationTests.Infrastructure.GitHubTesting;

namespace ModelsHub.IntegrationTests.Reviews;

/// <summary>
/// The server is killed inside the pull request workflow (right after a step's side effect and
/// before its state is saved, or after the save and before the next message is sent), then a new
/// process starts on the same data folder against the same GitHub: exactly one pull request
/// exists, with one commit, and the model shows it.
/// </summary>
[Collection(nameof(CrashSafetyCollection))]
public sealed class CrashSafetyTests : IAsyncLifetime
{
    private FakeGitHub _github = null!;

    public async Task InitializeAsync() => _github = await FakeGitHub.StartAsync();

    public async Task DisposeAsync() => await _github.DisposeAsync();

    public static TheoryData<string> Boundaries()
    {
        var data = new TheoryData<string>();
        foreach (var step in ModelSyncWorkflow.Steps.All)
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
            ["GitHub__DefaultToken"] = DefaultToken,
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
    public async Task AfterACrashAtAnyStepExactlyOnePullRequestExistsAndTheModelShowsIt(string crashAt)
    {
        _github.AddToken(DefaultToken, DefaultLogin);
        var name = "crash-" + crashAt.Replace(':', '-');
        var data = Path.Combine(Path.GetTempPath(), "modelshub-crash", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(data);
        try
        {
            await using (var doomed = await HubProcess.StartAsync(data, Settings(crashAt)))
            {
                var carol = await doomed.ClientForAsync("carol", "user");
                var rita = await doomed.ClientForAsync("rita", "reviewer");
                var submitted = await (await carol.PostAsJsonAsync("/api/models", VideoModel(name), HubApplication.Json).ExpectAsync(HttpStatusCode.Accepted)).JsonAsync();
                try
                {
                    await rita.PostAsJsonAsync($"/api/reviews/{submitted.GetProperty("id").GetString()}/decision", new { decision = "approve" });
                }
                catch (HttpRequestException)
                {
                    // The fault may end the process before the approval's answer is sent.
                }
                Assert.True(await doomed.WaitForExitAsync(TimeSpan.FromSeconds(60)), $"the server did not crash at {crashAt}:\n{doomed.Output}");
                Assert.Contains("Workflows:CrashAt=" + crashAt, doomed.Output);
            }

            await using var restarted = await HubProcess.StartAsync(data, Settings(null));
            var admin = await restarted.ClientForAsync("ada", "admin");
            var pr = await PullRequestOfAsync(admin, name, timeout: TimeSpan.FromSeconds(60));
            var status = await (await admin.GetAsync($"/api/models/{name}/reviews").ExpectAsync(HttpStatusCode.OK)).JsonAsync();
            var workflow = await FinishedWorkflowAsync(admin, status.GetProperty("latest").GetProperty("workflowId").GetString()!, TimeSpan.FromSeconds(60));
            Assert.True(workflow.GetProperty("status").GetString() == "completed", workflow.ToString());

            var branch = PullRequestNaming.Branch(name);
            var pulls = _github.PullRequests().Where(p => p.HeadBranch == branch).ToList();
            var only = Assert.Single(pulls);
            Assert.Equal(only.Number, pr.GetProperty("number").GetInt32());
            Assert.Single(_github.CommitsAhead(branch));
        }
        finally
        {
            try { Directory.Delete(data, recursive: true); } catch (IOException) { }
        }
    }
}

[CollectionDefinition(nameof(CrashSafetyCollection), DisableParallelization = true)]
public sealed class CrashSafetyCollection;
