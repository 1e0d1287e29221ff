using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using ModelsHub.Contracts.Reviews;
using ModelsHub.Core.Reviews;
using ModelsHub.IntegrationTests.Infrastructure;
using ModelsHub.Testing;
using static ModelsHub.IntegrationTests.Infrastructure.GitHubTesting;

namespace ModelsHub.IntegrationTests.Reviews;

/// <summary>Submissions, decisions, revisions and the pull requests they become, against the fake GitHub.</summary>
public class ReviewWorkflowTests : IAsyncLifetime
{
    private FakeGitHub _github = null!;
    private HubApplication _app = null!;

    /// <summary>The hub under test; the Azure profile's subclass returns one on the emulators.</summary>
    protected virtual HubApplication NewApplication() => new();

    public async Task InitializeAsync()
    {
        _github = await FakeGitHub.StartAsync();
        _app = NewApplication().WithGitHub(_github);
    }

    public async Task DisposeAsync()
    {
        _app.Dispose();
        await _github.DisposeAsync();
    }

    [Fact]
    public async Task RejectionRevisionApprovalThenASecondRevisionMakeOnePullRequestWithTwoCommits()
    {
        var carol = _app.ClientFor("carol", "user");
        var rita = _app.ClientFor("rita", "reviewer");
        const string name = "carol-video";

        var first = await (await carol.PostAsJsonAsync("/api/models", VideoModel(name), HubApplication.Json).ExpectAsync(HttpStatusCode.Accepted)).JsonAsync();
        Assert.Equal(("pending", 1), (first.GetProperty("state").GetString(), first.GetProperty("revision").GetInt32()));
        await _app.ClientFor("ada", "admin").GetAsync($"/api/models/{name}").ExpectAsync(HttpStatusCode.NotFound);

        var rejected = await DecideAsync(rita, first.GetProperty("id").GetString()!, "reject", "Describe the model better.");
        Assert.Equal("rejected", rejected.GetProperty("state").GetString());
        var status = await (await carol.GetAsync($"/api/models/{name}/reviews").ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.Equal("Describe the model better.", status.GetProperty("latest").GetProperty("feedback").GetString());

        var revision = await (await carol.PostAsJsonAsync("/api/models", VideoModel(name, "A better description"), HubApplication.Json).ExpectAsync(HttpStatusCode.Accepted)).JsonAsync();
        Assert.Equal(2, revision.GetProperty("revision").GetInt32());
        await DecideAsync(rita, first.GetProperty("id").GetString()!, "approve", expect: HttpStatusCode.Conflict);
        await DecideAsync(carol, revision.GetProperty("id").GetString()!, "approve", expect: HttpStatusCode.Forbidden);
        var firstApproval = await DecideAsync(rita, revision.GetProperty("id").GetString()!, "approve", "Looks good.");
        await AssertCompletedAsync(carol, firstApproval.GetProperty("workflowId").GetString()!);

        var pr = await PullRequestOfAsync(carol, name);
        Assert.Equal("open", pr.GetProperty("state").GetString());
        Assert.Single(_github.CommitsAhead("chore/models-sync/" + name));

        var model = await carol.GetAsync($"/api/models/{name}").ExpectAsync(HttpStatusCode.OK);
        var spec = VideoEntry(name, "Second revision");
        var second = await (await carol.SendJsonAsync(HttpMethod.Patch, $"/api/models/{name}", new JsonObject { ["spec"] = spec, ["description"] = "Second revision" }, model.Headers.ETag!.Tag)
            .ExpectAsync(HttpStatusCode.Accepted)).JsonAsync();
        Assert.Equal(3, second.GetProperty("revision").GetInt32());
        var approved = await DecideAsync(rita, second.GetProperty("id").GetString()!, "approve");
        await AssertCompletedAsync(carol, approved.GetProperty("workflowId").GetString()!);

        Assert.Equal(1, _github.CountPullRequests());
        Assert.Equal(2, _github.CommitsAhead("chore/models-sync/" + name).Count);
        var file = _github.GetFile(FakeGitHub.UpstreamPaths["video"], reference: "chore/models-sync/" + name)!;
        Assert.Contains("\"model_description\": \"Second revision\"", file);
        var pull = _github.FindPullRequest("chore/models-sync/" + name)!;
        Assert.Equal($"chore: sync model \"{name}\" JSON", pull.Title);
        Assert.Contains($"https://hub.example.test/api/models/{name}", pull.Body);
        Assert.Contains("https://hub.example.test/api/reviews/", pull.Body);

        var history = await (await carol.GetAsync($"/api/models/{name}/history").ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        var actions = history.GetProperty("entries").EnumerateArray().Select(e => (e.GetProperty("action").GetString(), e.GetProperty("by").GetString())).ToList();
        Assert.Contains(("rejected", "rita"), actions);
        Assert.Equal(2, actions.Count(a => a == ("approved", "rita")));
        Assert.Contains(history.GetProperty("entries").EnumerateArray(), e => e.GetProperty("detail").GetString() == "Describe the model better.");
    }

    [Fact]
    public async Task AnotherUsersPendingRegistrationCannotBeSupersededButItsSubmitterMayRevise()
    {
        var carol = _app.ClientFor("carol", "user");
        var dave = _app.ClientFor("dave", "user");
        const string name = "contested-video";
        var first = await (await carol.PostAsJsonAsync("/api/models", VideoModel(name), HubApplication.Json).ExpectAsync(HttpStatusCode.Accepted)).JsonAsync();
        var firstId = first.GetProperty("id").GetString()!;

        var hijack = await dave.PostAsJsonAsync("/api/models", VideoModel(name, "Dave's"), HubApplication.Json).ExpectAsync(HttpStatusCode.Conflict);
        var problem = await hijack.JsonAsync();
        Assert.Contains(firstId, problem.GetProperty("detail").GetString());
        Assert.Contains("pending submission by another user", problem.GetProperty("detail").GetString());
        var rita = _app.ClientFor("rita", "reviewer");
        var still = await (await rita.GetAsync($"/api/reviews/{firstId}").ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.Equal("pending", still.GetProperty("state").GetString());

        var revised = await (await carol.PostAsJsonAsync("/api/models", VideoModel(name, "Carol's revision"), HubApplication.Json).ExpectAsync(HttpStatusCode.Accepted)).JsonAsync();
        Assert.Equal(2, revised.GetProperty("revision").GetInt32());
        var superseded = await (await rita.GetAsync($"/api/reviews/{firstId}").ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.Equal(("superseded", revised.GetProperty("id").GetString()), (superseded.GetProperty("state").GetString(), superseded.GetProperty("supersededBy").GetString()));
    }

    [Fact]
    public async Task DecidingAPendingSubmissionThatANewerRevisionReplacedIsAConflict()
    {
        var carol = _app.ClientFor("carol", "user");
        var rita = _app.ClientFor("rita", "reviewer");
        const string name = "stale-video";
        var first = await (await carol.PostAsJsonAsync("/api/models", VideoModel(name), HubApplication.Json).ExpectAsync(HttpStatusCode.Accepted)).JsonAsync();
        await carol.PostAsJsonAsync("/api/models", VideoModel(name, "Revised"), HubApplication.Json).ExpectAsync(HttpStatusCode.Accepted);
        var firstId = first.GetProperty("id").GetString()!;
        await DecideAsync(rita, firstId, "approve", expect: HttpStatusCode.Conflict);

        // As when superseding lost a race with a reader: the first is still pending, yet revision 2 exists.
        var store = _app.Services.GetRequiredService<ISubmissionStore>();
        var stored = (await store.FindAsync(firstId, CancellationToken.None))!;
        var reopened = stored.Clone();
        reopened.State = SubmissionState.Pending;
        reopened.SupersededBy = null;
        await store.ReplaceAsync(reopened, stored.ETag!, CancellationToken.None);
        Assert.Equal("pending", (await (await rita.GetAsync($"/api/reviews/{firstId}").ExpectAsync(HttpStatusCode.OK)).JsonAsync()).GetProperty("state").GetString());

        foreach (var decision in new[] { "approve", "reject" })
        {
            var response = await rita.PostAsJsonAsync($"/api/reviews/{firstId}/decision", new { decision, feedback = "x" }, HubApplication.Json).ExpectAsync(HttpStatusCode.Conflict);
            Assert.Contains("stale", (await response.JsonAsync()).GetProperty("detail").GetString());
        }
        Assert.Equal("pending", (await (await rita.GetAsync($"/api/reviews/{firstId}").ExpectAsync(HttpStatusCode.OK)).JsonAsync()).GetProperty("state").GetString());
        await _app.ClientFor("ada", "admin").GetAsync($"/api/models/{name}").ExpectAsync(HttpStatusCode.NotFound);
    }

    private async Task AssertCompletedAsync(HttpClient client, string workflowId)
    {
        var workflow = await FinishedWorkflowAsync(client, workflowId);
        Assert.True(workflow.GetProperty("status").GetString() == "completed",
            $"{workflow}\nunhandled by the fake GitHub: {string.Join("; ", _github.Unhandled)}");
    }
}
