using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using ModelsHub.Core.Identity;
using ModelsHub.IntegrationTests.Infrastructure;
using ModelsHub.Testing;
using static ModelsHub.IntegrationTests.Infrastructure.GitHubTesting;

namespace ModelsHub.IntegrationTests.Reviews;

/// <summary>The review queue's filters, the bad inputs of reviews, workflows and the GitHub token, the queue trigger, and what an approval keeps of the live model.</summary>
public sealed class ReviewApiTests : IAsyncLifetime
{
    private FakeGitHub _github = null!;
    private HubApplication _app = null!;

    public async Task InitializeAsync()
    {
        _github = await FakeGitHub.StartAsync();
        _app = new HubApplication().WithGitHub(_github);
    }

    public async Task DisposeAsync()
    {
        _app.Dispose();
        await _github.DisposeAsync();
    }

    private async Task<string> SubmitAsync(string user, string name)
    {
        var response = await _app.ClientFor(user, "user").PostAsJsonAsync("/api/models", VideoModel(name), HubApplication.Json).ExpectAsync(HttpStatusCode.Accepted);
        Assert.StartsWith("/api/reviews/", response.Headers.Location!.OriginalString);
        return (await response.JsonAsync()).GetProperty("id").GetString()!;
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string? field = null)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        if (field is not null)
        {
            var body = await response.JsonAsync();
            Assert.True(body.GetProperty("errors").TryGetProperty(field, out _), body.ToString());
        }
    }

    [Fact]
    public async Task DecidingNeedsThePermissionAnExistingSubmissionAndAReasonToReject()
    {
        var id = await SubmitAsync("carol", "bad-input-video");
        var decide = (string? user, string[] roles, string submission, object body) =>
            _app.ClientFor(user, roles).PostAsJsonAsync($"/api/reviews/{submission}/decision", body, HubApplication.Json);

        await AssertProblemAsync(await decide("ursula", ["user"], id, new { decision = "approve" }), HttpStatusCode.Forbidden);
        await AssertProblemAsync(await decide("max", ["maintainer"], id, new { decision = "reject", feedback = "no" }), HttpStatusCode.Forbidden);
        await AssertProblemAsync(await decide(null, [], id, new { decision = "approve" }), HttpStatusCode.Unauthorized);
        await AssertProblemAsync(await decide("rita", ["reviewer"], "sub-does-not-exist", new { decision = "approve" }), HttpStatusCode.NotFound);
        await AssertProblemAsync(await decide("rita", ["reviewer"], id, new { decision = "reject" }), HttpStatusCode.BadRequest, "feedback");
        await AssertProblemAsync(await decide("rita", ["reviewer"], id, new { decision = "reject", feedback = "   " }), HttpStatusCode.BadRequest, "feedback");
        await AssertProblemAsync(await decide("rita", ["reviewer"], id, new { decision = "maybe" }), HttpStatusCode.BadRequest, "decision");
        await AssertProblemAsync(await decide("rita", ["reviewer"], id, new { feedback = "x" }), HttpStatusCode.BadRequest, "decision");
        await AssertProblemAsync(await decide("rita", ["reviewer"], id, new { decision = "approve", verdict = 1 }), HttpStatusCode.BadRequest, "verdict");

        // Nothing was decided.
        var submission = await (await _app.ClientFor("rita", "reviewer").GetAsync($"/api/reviews/{id}").ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.Equal("pending", submission.GetProperty("state").GetString());
        await _app.ClientFor("ursula", "user").GetAsync($"/api/reviews/{id}").ExpectAsync(HttpStatusCode.NotFound);
        await _app.ClientFor("carol", "user").GetAsync($"/api/reviews/{id}").ExpectAsync(HttpStatusCode.OK);

        await decide("rita", ["reviewer"], id, new { decision = "reject", feedback = "Needs a README." }).ExpectAsync(HttpStatusCode.OK);
        await AssertProblemAsync(await decide("rita", ["reviewer"], id, new { decision = "approve" }), HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task AGitHubTokenGitHubRejectsIsA400AndNothingIsStored()
    {
        var carol = _app.ClientFor("carol", "user");
        await AssertProblemAsync(await carol.SendJsonAsync(HttpMethod.Put, "/api/me/github-token", new { token = "ghp_neverissued" }), HttpStatusCode.BadRequest, "token");
        await AssertProblemAsync(await carol.SendJsonAsync(HttpMethod.Put, "/api/me/github-token", new { token = "" }), HttpStatusCode.BadRequest, "token");
        await AssertProblemAsync(await carol.SendJsonAsync(HttpMethod.Put, "/api/me/github-token", new { token = "has space" }), HttpStatusCode.BadRequest, "token");
        await AssertProblemAsync(await carol.SendJsonAsync(HttpMethod.Put, "/api/me/github-token", new { }), HttpStatusCode.BadRequest, "token");
        await AssertProblemAsync(await carol.SendJsonAsync(HttpMethod.Put, "/api/me/github-token", new { token = 5 }), HttpStatusCode.BadRequest, "token");
        await AssertProblemAsync(await _app.ClientFor(null).SendJsonAsync(HttpMethod.Put, "/api/me/github-token", new { token = "ghp_x" }), HttpStatusCode.Unauthorized);
        await AssertProblemAsync(await carol.GetAsync("/api/me/github-token"), HttpStatusCode.NotFound);
        var user = await _app.Services.GetRequiredService<IUserStore>().FindAsync("carol", CancellationToken.None);
        Assert.Null(user?.GitHubToken);
    }

    [Fact]
    public async Task TheQueueFiltersByTypeStateSubmitterModelAndAge()
    {
        var a = await SubmitAsync("carol", "queue-a");
        var b = await SubmitAsync("dave", "queue-b");
        var rita = _app.ClientFor("rita", "reviewer");
        await DecideAsync(rita, b, "reject", "No.");

        async Task<string[]> Ids(string query) =>
            (await (await rita.GetAsync("/api/reviews?" + query).ExpectAsync(HttpStatusCode.OK)).JsonAsync()).GetProperty("items")
                .EnumerateArray().Select(i => i.GetProperty("id").GetString()!).ToArray();

        Assert.Equal([a, b], await Ids("type=video"));
        Assert.Equal([a], await Ids("state=pending"));
        Assert.Equal([b], await Ids("state=rejected&submitter=dave"));
        Assert.Equal([b], await Ids("model=QUEUE-B"));
        Assert.Empty(await Ids("type=llm"));
        Assert.Empty(await Ids("minAgeHours=1"));
        Assert.Equal([a, b], await Ids("maxAgeHours=1"));
        var first = await (await rita.GetAsync("/api/reviews?pageSize=1").ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        var token = first.GetProperty("continuationToken").GetString();
        Assert.Equal([b], await Ids("pageSize=1&continuationToken=" + Uri.EscapeDataString(token!)));

        foreach (var bad in new[] { "state=lost", "type=x", "pageSize=0", "minAgeHours=-1", "minAgeHours=5&maxAgeHours=1", "continuationToken=zzz" })
        {
            await AssertProblemAsync(await rita.GetAsync("/api/reviews?" + bad), HttpStatusCode.BadRequest);
        }
        await AssertProblemAsync(await _app.ClientFor("carol", "user").GetAsync("/api/reviews"), HttpStatusCode.Forbidden);
        await AssertProblemAsync(await _app.ClientFor(null).GetAsync("/api/reviews"), HttpStatusCode.Unauthorized);
        await AssertProblemAsync(await _app.ClientFor("ursula", "user").GetAsync("/api/models/queue-a/reviews"), HttpStatusCode.NotFound);
        await AssertProblemAsync(await rita.GetAsync("/api/workflows/nothing-here"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task ApprovedChangesKeepTheModelsPinnedDefaultVersion()
    {
        var carol = _app.ClientFor("carol", "user");
        var rita = _app.ClientFor("rita", "reviewer");
        const string name = "pinned-reviewed";
        await Uploads.CreateModelAsync(carol, name);
        await Uploads.UploadVersionAsync(carol, name, null, "a.pt", Uploads.RandomBytes(100, 1));
        await Uploads.UploadVersionAsync(carol, name, null, "a.pt", Uploads.RandomBytes(100, 2));
        await carol.SendJsonAsync(HttpMethod.Put, $"/api/models/{name}/default-version", new { label = "v1" }).ExpectAsync(HttpStatusCode.OK);

        async Task ProposeAndApproveAsync(object change)
        {
            var read = await carol.GetAsync($"/api/models/{name}").ExpectAsync(HttpStatusCode.OK);
            var submitted = await (await carol.SendJsonAsync(HttpMethod.Patch, $"/api/models/{name}", change, read.Headers.ETag!.Tag)
                .ExpectAsync(HttpStatusCode.Accepted)).JsonAsync();
            var approved = await DecideAsync(rita, submitted.GetProperty("id").GetString()!, "approve");
            var workflow = await FinishedWorkflowAsync(carol, approved.GetProperty("workflowId").GetString()!);
            Assert.True(workflow.GetProperty("status").GetString() == "completed", workflow.ToString());
        }

        // Making the model public, then an update of the public model: both go through review.
        await ProposeAndApproveAsync(new { visibility = "public" });
        var model = await Uploads.GetAsync(carol, $"/api/models/{name}");
        Assert.Equal(("public", "v1", true), (model.GetProperty("visibility").GetString(), model.GetProperty("defaultVersion").GetString(), model.GetProperty("defaultVersionPinned").GetBoolean()));

        await ProposeAndApproveAsync(new { description = "Reviewed description" });
        model = await Uploads.GetAsync(carol, $"/api/models/{name}");
        Assert.Equal("Reviewed description", model.GetProperty("description").GetString());
        Assert.Equal(("v1", true), (model.GetProperty("defaultVersion").GetString(), model.GetProperty("defaultVersionPinned").GetBoolean()));
        Assert.Equal(JsonValueKind.Object, model.GetProperty("pullRequest").ValueKind);
    }

    [Fact]
    public async Task AReviewerCannotApproveTheirOwnSubmission()
    {
        // A reviewer holds reviews.decide but not the public permission: their public registration waits for review.
        var rita = _app.ClientFor("rita", "reviewer");
        var submitted = await (await rita.PostAsJsonAsync("/api/models", VideoModel("ritas-video"), HubApplication.Json).ExpectAsync(HttpStatusCode.Accepted)).JsonAsync();
        var id = submitted.GetProperty("id").GetString()!;
        var response = await rita.PostAsJsonAsync($"/api/reviews/{id}/decision", new { decision = "approve" }, HubApplication.Json);
        await AssertProblemAsync(response, HttpStatusCode.Forbidden);
        Assert.Contains("cannot approve their own submission", (await response.JsonAsync()).GetProperty("detail").GetString());

        // Rejecting their own is allowed, and another reviewer may approve a revision.
        var pending = await (await rita.GetAsync($"/api/reviews/{id}").ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.Equal("pending", pending.GetProperty("state").GetString());
        await DecideAsync(_app.ClientFor("rob", "reviewer"), id, "approve");
    }

    [Fact]
    public async Task TheQueueTriggerAdvancesAWorkflowFromTheHostsPayload()
    {
        // No in-process dispatcher: only the host's invocations below advance the workflow.
        using var app = new HubApplication().WithGitHub(_github).With("Triggers:InProcess", "false");
        var admin = app.ClientFor("ada", "admin");
        await admin.PostAsJsonAsync("/api/models", VideoModel("trigger-video"), HubApplication.Json).ExpectAsync(HttpStatusCode.Created);
        var workflowId = (await (await admin.GetAsync("/api/models/trigger-video/reviews")).JsonAsync()).GetProperty("latest").GetProperty("workflowId").GetString()!;
        async Task<JsonElement> WorkflowAsync() => await (await admin.GetAsync($"/api/workflows/{workflowId}").ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.Equal(("running", "apply"), ((await WorkflowAsync()).GetProperty("status").GetString(), (await WorkflowAsync()).GetProperty("step").GetString()));

        var host = app.CreateClient();
        var payload = new { Data = new { queueItem = $"{{\"workflowId\":\"{workflowId}\"}}" }, Metadata = new { DequeueCount = 1, Id = "m1" } };
        var response = await (await host.PostAsJsonAsync("/WorkflowQueue", payload, new JsonSerializerOptions()).ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.Contains(workflowId, response.GetProperty("Logs")[0].GetString());
        Assert.Equal("prepare", (await WorkflowAsync()).GetProperty("step").GetString());

        // The parsed form of the message advances it too, one step per invocation, to the pull request.
        for (var i = 0; i < 10 && (await WorkflowAsync()).GetProperty("status").GetString() == "running"; i++)
        {
            await host.PostAsJsonAsync("/WorkflowQueue", new { Data = new { queueItem = new { workflowId } }, Metadata = new { } }, new JsonSerializerOptions()).ExpectAsync(HttpStatusCode.OK);
        }
        var done = await WorkflowAsync();
        Assert.True(done.GetProperty("status").GetString() == "completed", done.ToString());
        var pr = await (await admin.GetAsync("/api/models/trigger-video").ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.Equal(1, pr.GetProperty("pullRequest").GetProperty("number").GetInt32());
        Assert.Equal(1, _github.CountPullRequests());

        await host.PostAsJsonAsync("/WorkflowQueue", new { Data = new { queueItem = "not a message" }, Metadata = new { } }, new JsonSerializerOptions()).ExpectAsync(HttpStatusCode.BadRequest);
        await host.PostAsJsonAsync("/WorkflowQueue", new { Data = new { other = 1 }, Metadata = new { } }, new JsonSerializerOptions()).ExpectAsync(HttpStatusCode.BadRequest);
        await host.PostAsJsonAsync("/WorkflowSweeper", new { Data = new { timer = new { IsPastDue = false } }, Metadata = new { } }, new JsonSerializerOptions()).ExpectAsync(HttpStatusCode.OK);
    }
}
