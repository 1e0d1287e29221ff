using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using ModelsHub.Contracts.Models;
using ModelsHub.Core.Catalog;
using ModelsHub.Core.Upstream;
using ModelsHub.IntegrationTests.Infrastructure;
using ModelsHub.Testing;
using static ModelsHub.IntegrationTests.Infrastructure.GitHubTesting;
using static ModelsHub.IntegrationTests.Infrastructure.SyncTesting;

namespace ModelsHub.IntegrationTests.Sync;

/// <summary>
/// The scheduled upstream sync against a fake GitHub holding the six upstream files: what it imports,
/// that it is idempotent, what one upstream change does, and what it must never do.
/// </summary>
public sealed class UpstreamSyncTests : IAsyncLifetime
{
    private const int UpstreamEntries = 355;
    private const int UpstreamModels = 331;

    private FakeGitHub _github = null!;
    private RecordingHubApplication _app = null!;
    private HttpClient _admin = null!;

    public async Task InitializeAsync()
    {
        _github = await FakeGitHub.StartAsync();
        _app = new RecordingHubApplication();
        _app.WithGitHub(_github).With("Workflows:MaxAttempts", "3");
        _admin = _app.ClientFor("ada", "admin");
    }

    public async Task DisposeAsync()
    {
        _app.Dispose();
        await _github.DisposeAsync();
    }

    private static long Now => DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    [Fact]
    public async Task ASyncImportsEveryUpstreamEntryAndEachDownloadIsTheUpstreamFilePlusTheHubsOwnPublicModels()
    {
        await Samples.RegisterDownloadAudienceModelsAsync(_admin);
        var run = await SyncAsync(_admin);

        Assert.Equal(UpstreamEntries, run.GetProperty("entries").GetInt32());
        Assert.Equal((UpstreamModels, 0, 0, 0, 0), (Count(run, "added"), Count(run, "updated"), Count(run, "unchanged"), Count(run, "removed"), Count(run, "errors")));
        Assert.Equal(_github.BranchHead(), run.GetProperty("commit").GetString());
        Assert.Equal("manual", run.GetProperty("trigger").GetString());
        Assert.True(run.GetProperty("durationMs").GetInt64() >= 0);
        Assert.Empty(run.GetProperty("errors").EnumerateArray());
        Assert.Equal(UpstreamModels, (await ModelETagsAsync(_admin, "&source=upstream")).Count);

        var anonymous = _app.ClientFor(null);
        var hubOwn = (await (await _admin.GetAsync("/api/models/hub-own-llm").ExpectAsync(HttpStatusCode.OK)).JsonAsync()).GetProperty("spec");
        var entries = 0;
        foreach (var type in UpstreamFixtures.Types)
        {
            var (served, _) = await DownloadAsync(anonymous, type);
            var upstream = UpstreamCatalog.GroupByModel(UpstreamFixtures.Read(type));
            var expected = upstream.ToDictionary(g => g.Name, g => g.Spec, StringComparer.Ordinal);
            if (type == "llm")
            {
                expected["hub-own-llm"] = hubOwn;
            }
            Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), served.Keys.Order(StringComparer.Ordinal));
            foreach (var (name, spec) in expected)
            {
                Assert.True(JsonElement.DeepEquals(spec, served[name]), $"{type}/{name} is served as {served[name]}, not as {spec}");
            }
            entries += upstream.Sum(g => g.Spec.GetArrayLength());
        }
        Assert.Equal(UpstreamEntries, entries);
    }

    [Fact]
    public async Task ASecondSyncWithoutAnUpstreamChangeWritesNothing()
    {
        await Samples.RegisterDownloadAudienceModelsAsync(_admin);
        var first = await SyncAsync(_admin);
        await WorkflowsSettledAsync(_app);
        var models = await ModelETagsAsync(_admin);
        var anonymousLists = await DownloadETagsAsync(_app.ClientFor(null));
        var authorizedLists = await DownloadETagsAsync(_app.ClientFor("vic", "advanced-viewer"));
        var writes = _app.Writes.Count;

        var second = await SyncAsync(_admin);

        Assert.NotEqual(first.GetProperty("id").GetString(), second.GetProperty("id").GetString());
        Assert.Equal(first.GetProperty("sequence").GetInt64() + 1, second.GetProperty("sequence").GetInt64());
        Assert.Equal((0, 0, UpstreamModels, 0, 0, 0),
            (Count(second, "added"), Count(second, "updated"), Count(second, "unchanged"), Count(second, "removed"), Count(second, "underReview"), Count(second, "errors")));
        Assert.Equal(writes, _app.Writes.Count);
        Assert.Equal(models, await ModelETagsAsync(_admin));
        Assert.Equal(anonymousLists, await DownloadETagsAsync(_app.ClientFor(null)));
        Assert.Equal(authorizedLists, await DownloadETagsAsync(_app.ClientFor("vic", "advanced-viewer")));
    }

    [Fact]
    public async Task ChangingOneUpstreamEntryUpdatesOnlyThatModelAndOnlyItsTypesETag()
    {
        await SyncAsync(_admin);
        var models = await ModelETagsAsync(_admin);
        var anonymous = _app.ClientFor(null);
        var lists = await DownloadETagsAsync(anonymous);
        var authorized = _app.ClientFor("vic", "advanced-viewer");
        var authorizedLists = await DownloadETagsAsync(authorized);

        var (name, spec) = UpstreamModels(_github, "embedding")[7];
        var changed = JsonNode.Parse(spec.GetRawText())!.AsArray();
        changed[0]!["updated_at"] = Now + 60;
        changed[0]!["model_description"] = "Changed in the model repository — 上游修改";
        SetUpstreamEntries(_github, "embedding", name, changed.Select(e => JsonSerializer.SerializeToElement(e)).ToList());
        var writes = _app.Writes.Count;

        var run = await SyncAsync(_admin);

        Assert.Equal((0, 1, UpstreamModels - 1, 0), (Count(run, "added"), Count(run, "updated"), Count(run, "unchanged"), Count(run, "removed")));
        var written = Assert.Single(_app.Writes.All.Skip(writes));
        Assert.Equal(name, written.Name);
        var after = await ModelETagsAsync(_admin);
        Assert.Equal([name], after.Where(m => models[m.Key] != m.Value).Select(m => m.Key));
        var model = await (await _admin.GetAsync($"/api/models/{name}").ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.Equal("Changed in the model repository — 上游修改", model.GetProperty("description").GetString());

        foreach (var type in UpstreamFixtures.Types)
        {
            var (served, etag) = await DownloadAsync(anonymous, type);
            if (type == "embedding")
            {
                Assert.NotEqual(lists[type], etag);
                Assert.True(JsonElement.DeepEquals(JsonSerializer.SerializeToElement(changed), served[name]));
            }
            else
            {
                Assert.Equal(lists[type], etag);
            }
        }
        // The authorized audience has its own list per type: it changes for the same type only.
        var authorizedAfter = await DownloadETagsAsync(authorized);
        Assert.NotEqual(authorizedLists["embedding"], authorizedAfter["embedding"]);
        Assert.Equal(authorizedLists.Where(l => l.Key != "embedding"), authorizedAfter.Where(l => l.Key != "embedding"));
        Assert.True(JsonElement.DeepEquals(JsonSerializer.SerializeToElement(changed), (await DownloadAsync(authorized, "embedding")).Models[name]));
    }

    [Fact]
    public async Task AnOlderUpstreamEntryDoesNotReplaceANewerHubChange()
    {
        await SyncAsync(_admin);
        var (name, spec) = UpstreamModels(_github, "rerank")[2];
        var max = _app.ClientFor("max", "maintainer");
        var read = await max.GetAsync($"/api/models/{name}").ExpectAsync(HttpStatusCode.OK);
        var edited = JsonNode.Parse(spec.GetRawText())!.AsArray();
        edited[0]!["model_description"] = "Edited on the hub";
        await max.SendJsonAsync(HttpMethod.Patch, $"/api/models/{name}", new JsonObject { ["spec"] = edited }, read.ETagOf()).ExpectAsync(HttpStatusCode.OK);
        var hubSpec = (await (await max.GetAsync($"/api/models/{name}").ExpectAsync(HttpStatusCode.OK)).JsonAsync()).GetProperty("spec");

        // The repository still holds the older entry (the hub's pull request is open): the hub's newer one stays.
        var run = await SyncAsync(_admin);
        Assert.Equal((0, 0), (Count(run, "updated"), Count(run, "added")));
        var (served, _) = await DownloadAsync(_app.ClientFor(null), "rerank");
        Assert.True(JsonElement.DeepEquals(hubSpec, served[name]));
    }

    [Fact]
    public async Task AModelRemovedUpstreamIsMarkedNotDeletedAndLeavesTheDownloadsUntilItReturns()
    {
        await SyncAsync(_admin);
        var anonymous = _app.ClientFor(null);
        var lists = await DownloadETagsAsync(anonymous);
        var (name, spec) = UpstreamModels(_github, "video")[3];
        SetUpstreamEntries(_github, "video", name, []);

        var run = await SyncAsync(_admin);
        Assert.Equal((1, 0, 0, UpstreamModels - 1), (Count(run, "removed"), Count(run, "updated"), Count(run, "added"), Count(run, "unchanged")));
        var model = await (await anonymous.GetAsync($"/api/models/{name}").ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.Equal(JsonValueKind.String, model.GetProperty("removedUpstreamAt").ValueKind);
        Assert.Equal("upstream", model.GetProperty("source").GetString());
        Assert.True(JsonElement.DeepEquals(spec, model.GetProperty("spec")), "the spec is kept as it was");
        var listed = await (await _admin.GetAsync($"/api/models?source=upstream&type=video&pageSize=100").ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.Equal(JsonValueKind.String, listed.GetProperty("items").EnumerateArray().Single(i => i.GetProperty("name").GetString() == name).GetProperty("removedUpstreamAt").ValueKind);

        var (video, videoETag) = await DownloadAsync(anonymous, "video");
        Assert.DoesNotContain(name, video.Keys);
        Assert.NotEqual(lists["video"], videoETag);
        Assert.Equal(lists.Where(l => l.Key != "video"), (await DownloadETagsAsync(anonymous)).Where(l => l.Key != "video"));

        var again = await SyncAsync(_admin);
        Assert.Equal((0, 0, UpstreamModels - 1), (Count(again, "removed"), Count(again, "updated"), Count(again, "unchanged")));

        // Back in the repository: the mark is cleared and the model is served again.
        SetUpstreamEntries(_github, "video", name, spec.EnumerateArray().ToList());
        var back = await SyncAsync(_admin);
        Assert.Equal((1, 0), (Count(back, "updated"), Count(back, "removed")));
        var restored = await (await anonymous.GetAsync($"/api/models/{name}").ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.Equal(JsonValueKind.Null, restored.GetProperty("removedUpstreamAt").ValueKind);
        var (served, etag) = await DownloadAsync(anonymous, "video");
        Assert.True(JsonElement.DeepEquals(spec, served[name]));
        Assert.Equal(lists["video"], etag);
    }

    [Fact]
    public async Task APendingRegistrationIsNotPreemptedByAnUpstreamModelOfTheSameName()
    {
        var uma = _app.ClientFor("uma", "user");
        var pending = await (await uma.PostAsJsonAsync("/api/models", VideoModel("review-video", "Uma's video model"), HubApplication.Json)
            .ExpectAsync(HttpStatusCode.Accepted)).JsonAsync();
        SetUpstreamEntries(_github, "video", "review-video", [JsonSerializer.SerializeToElement(VideoEntry("review-video", "The repository's own"))]);

        var run = await SyncAsync(_admin);
        Assert.Equal((1, UpstreamModels), (Count(run, "underReview"), Count(run, "added")));
        await _admin.GetAsync("/api/models/review-video").ExpectAsync(HttpStatusCode.NotFound);

        await DecideAsync(_app.ClientFor("rita", "reviewer"), pending.GetProperty("id").GetString()!, "approve");
        var model = await EventuallyAsync<object>(async () =>
        {
            var response = await uma.GetAsync("/api/models/review-video");
            return response.StatusCode == HttpStatusCode.OK ? await response.JsonAsync() : null;
        }, "the approved registration to apply");
        Assert.Equal("uma", ((JsonElement)model).GetProperty("owner").GetString());
        Assert.Equal("Uma's video model", ((JsonElement)model).GetProperty("description").GetString());
    }

    [Fact]
    public async Task APendingChangeToAPublishedModelIsNotOverwrittenAndAMergedPullRequestMarksTheChangePublished()
    {
        await SyncAsync(_admin);
        var uma = _app.ClientFor("uma", "user");
        var pending = await (await uma.PostAsJsonAsync("/api/models", VideoModel("uma-video", "Uma's video model"), HubApplication.Json)
            .ExpectAsync(HttpStatusCode.Accepted)).JsonAsync();
        var submissionId = pending.GetProperty("id").GetString()!;
        await DecideAsync(_app.ClientFor("rita", "reviewer"), submissionId, "approve");
        var pr = await PullRequestOfAsync(uma, "uma-video");
        _github.MergePullRequest(pr.GetProperty("number").GetInt32());

        // The sync sees the pull request merged: the change is published; the repository's entry is the hub's own.
        var merged = await SyncAsync(_admin);
        Assert.Equal((1, 1, 0), (merged.GetProperty("pullRequests").GetProperty("checked").GetInt32(),
            merged.GetProperty("pullRequests").GetProperty("merged").GetInt32(), Count(merged, "errors")));
        Assert.Equal((0, 0, UpstreamModels + 1), (Count(merged, "added"), Count(merged, "updated"), Count(merged, "unchanged")));
        var model = await (await uma.GetAsync("/api/models/uma-video").ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.Equal("merged", model.GetProperty("pullRequest").GetProperty("state").GetString());
        Assert.Equal(JsonValueKind.String, model.GetProperty("pullRequest").GetProperty("publishedAt").ValueKind);
        Assert.Equal("uma", model.GetProperty("owner").GetString());
        var status = await (await uma.GetAsync("/api/models/uma-video/reviews").ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.Equal(JsonValueKind.String, status.GetProperty("latest").GetProperty("publishedAt").ValueKind);
        Assert.Equal("merged", status.GetProperty("latest").GetProperty("pullRequest").GetProperty("state").GetString());
        var history = await (await uma.GetAsync("/api/models/uma-video/history").ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.Contains(history.GetProperty("entries").EnumerateArray(), e => e.GetProperty("action").GetString() == "published");
        Assert.Equal(0, (await SyncAsync(_admin)).GetProperty("pullRequests").GetProperty("checked").GetInt32());

        // Uma proposes a change (it waits for review) while the repository changes the entry, newer.
        var read = await uma.GetAsync("/api/models/uma-video").ExpectAsync(HttpStatusCode.OK);
        var proposal = VideoEntry("uma-video", "Uma's second thoughts");
        await uma.SendJsonAsync(HttpMethod.Patch, "/api/models/uma-video", new JsonObject { ["spec"] = proposal, ["description"] = "Uma's second thoughts" },
            read.ETagOf()).ExpectAsync(HttpStatusCode.Accepted);
        var upstreamEdit = VideoEntry("uma-video", "Edited in the repository");
        upstreamEdit["updated_at"] = Now + 3600;
        SetUpstreamEntries(_github, "video", "uma-video", [JsonSerializer.SerializeToElement(upstreamEdit)]);

        var held = await SyncAsync(_admin);
        Assert.Equal((1, 0), (Count(held, "underReview"), Count(held, "updated")));
        var unchanged = await uma.GetAsync("/api/models/uma-video").ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(read.ETagOf(), unchanged.ETagOf());

        // Once the proposal is rejected nothing holds the model back: the newer repository entry wins, the owner's metadata stays.
        var proposalId = (await (await uma.GetAsync("/api/models/uma-video/reviews").ExpectAsync(HttpStatusCode.OK)).JsonAsync()).GetProperty("latest").GetProperty("id").GetString()!;
        await DecideAsync(_app.ClientFor("rita", "reviewer"), proposalId, "reject", "Not now");
        var followed = await SyncAsync(_admin);
        Assert.Equal((0, 1), (Count(followed, "underReview"), Count(followed, "updated")));
        var now = await (await uma.GetAsync("/api/models/uma-video").ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.True(JsonElement.DeepEquals(JsonSerializer.SerializeToElement(new[] { upstreamEdit }), now.GetProperty("spec")));
        Assert.Equal(("uma", "Uma's video model"), (now.GetProperty("owner").GetString(), now.GetProperty("description").GetString()));
    }

    [Fact]
    public async Task ADeleteOnTheHubIsNotUndoneWhileItsPullRequestIsOpen()
    {
        await SyncAsync(_admin);
        var (name, _) = UpstreamModels(_github, "image")[4];
        await _app.ClientFor("max", "maintainer").DeleteAsync($"/api/models/{name}", "*").ExpectAsync(HttpStatusCode.NoContent);
        var pr = await EventuallyAsync(() => Task.FromResult(_github.FindPullRequest("chore/models-sync/" + name)), "the delete's pull request");

        var open = await SyncAsync(_admin);
        Assert.Equal((0, 1), (Count(open, "added"), Count(open, "underReview")));
        await _admin.GetAsync($"/api/models/{name}").ExpectAsync(HttpStatusCode.NotFound);

        // The repository refuses the delete (closes the pull request): the model comes back from it.
        _github.ClosePullRequest(pr.Number);
        var closed = await SyncAsync(_admin);
        Assert.Equal(1, Count(closed, "added"));
        await _admin.GetAsync($"/api/models/{name}").ExpectAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task OverlappingSyncsJoinOneRunAndWriteEachModelOnce()
    {
        // Four administrators' requests and two timer invocations, all in flight at once.
        var manual = Enumerable.Range(0, 4).Select(_ => StartSyncAsync(_admin)).ToList();
        var timers = Enumerable.Range(0, 2).Select(_ => Task.Run(() => _app.RunFunctionAsync("UpstreamSync"))).ToList();
        await Task.WhenAll(timers);
        var started = await Task.WhenAll(manual);
        var runId = Assert.Single(started.Select(s => s.RunId).Distinct());
        var run = await FinishedRunAsync(_admin, runId);
        Assert.Equal("succeeded", run.GetProperty("status").GetString());

        var runs = await (await _admin.GetAsync("/api/sync").ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.Equal([runId], runs.GetProperty("items").EnumerateArray().Select(r => r.GetProperty("id").GetString()));
        Assert.Equal(UpstreamModels, Count(run, "added"));
        var writes = _app.Writes.All;
        Assert.Equal(UpstreamModels, writes.Count);
        Assert.All(writes, w => Assert.Null(w.Before));
        Assert.Equal(UpstreamModels, writes.Select(w => w.Name).Distinct().Count());
    }

    [Fact]
    public async Task TwoImportsRacingOverTheSameFilesCreateEachModelOnce()
    {
        var importer = _app.Services.GetRequiredService<UpstreamImporter>();
        var files = UpstreamFixtures.Types.ToDictionary(t => Enum.Parse<ModelType>(t, ignoreCase: true), UpstreamFixtures.Read);
        var results = await Task.WhenAll(
            Task.Run(() => importer.ImportAsync(files, UpstreamImportMode.Mirror, CancellationToken.None)),
            Task.Run(() => importer.ImportAsync(files, UpstreamImportMode.Mirror, CancellationToken.None)));

        Assert.All(results, r => Assert.Empty(r.Errors));
        Assert.Equal(UpstreamModels, results.Sum(r => r.Added));
        Assert.Equal(UpstreamModels, results.Sum(r => r.Unchanged));
        Assert.Equal(UpstreamModels, _app.Writes.Count);
    }

    [Fact]
    public async Task TheTimerFunctionStartsARunThatTheAdminCanFollow()
    {
        await _app.RunFunctionAsync("UpstreamSync");
        var runs = await (await _admin.GetAsync("/api/sync?pageSize=5").ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        var listed = Assert.Single(runs.GetProperty("items").EnumerateArray());
        Assert.Equal("schedule", listed.GetProperty("trigger").GetString());
        var run = await FinishedRunAsync(_admin, listed.GetProperty("id").GetString()!);
        Assert.Equal(("succeeded", UpstreamModels), (run.GetProperty("status").GetString(), Count(run, "added")));
        // The step writes the run's outcome; its workflow completes once that step returns, a moment later.
        var followed = await GitHubTesting.EventuallyAsync<object>(async () =>
        {
            var current = await (await _admin.GetAsync($"/api/sync/{listed.GetProperty("id").GetString()}").ExpectAsync(HttpStatusCode.OK)).JsonAsync();
            return current.GetProperty("workflow").GetProperty("status").GetString() == "running" ? null : current;
        }, "the sync's workflow to end");
        Assert.Equal("completed", ((JsonElement)followed).GetProperty("workflow").GetProperty("status").GetString());

        var function = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(UpstreamFixtures.RepositoryRoot, "src", "Functions", "FunctionsHost", "UpstreamSync", "function.json")))!;
        var binding = function["bindings"]![0]!;
        Assert.Equal(("timerTrigger", "timer", "%Sync:Schedule%"), (binding["type"]!.GetValue<string>(), binding["name"]!.GetValue<string>(), binding["schedule"]!.GetValue<string>()));
    }

    [Fact]
    public async Task AFileThatCannotBeReadIsAnErrorAndItsModelsStayAsTheyAre()
    {
        await SyncAsync(_admin);
        var before = await ModelETagsAsync(_admin, "&source=upstream");
        _github.SetFile(FakeGitHub.UpstreamPaths["rerank"], "{\"not\": \"a list\"}\n");
        _github.SetFile(FakeGitHub.UpstreamPaths["audio"], "[{\"version\": 1, \"model_family\": \"whisper\"}]\n");

        var run = await SyncAsync(_admin);
        Assert.Equal((2, 0, 0, 0), (Count(run, "errors"), Count(run, "removed"), Count(run, "updated"), Count(run, "added")));
        Assert.Equal(["audio", "rerank"], run.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("type").GetString()).Order());
        Assert.Equal(before, await ModelETagsAsync(_admin, "&source=upstream"));
        foreach (var type in new[] { "rerank", "audio" })
        {
            var listed = await (await _admin.GetAsync($"/api/models?source=upstream&type={type}&pageSize=100").ExpectAsync(HttpStatusCode.OK)).JsonAsync();
            Assert.All(listed.GetProperty("items").EnumerateArray(), m => Assert.Equal(JsonValueKind.Null, m.GetProperty("removedUpstreamAt").ValueKind));
        }
    }

    [Fact]
    public async Task SyncRunsAreForAdministrators()
    {
        var anonymous = _app.ClientFor(null);
        var response = await anonymous.PostAsync("/api/sync", null).ExpectAsync(HttpStatusCode.Unauthorized);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        await anonymous.GetAsync("/api/sync").ExpectAsync(HttpStatusCode.Unauthorized);
        foreach (var role in new[] { "user", "maintainer", "reviewer", "advanced-maintainer" })
        {
            var client = _app.ClientFor("someone", role);
            var forbidden = await client.PostAsync("/api/sync", null).ExpectAsync(HttpStatusCode.Forbidden);
            Assert.Equal("application/problem+json", forbidden.Content.Headers.ContentType?.MediaType);
            await client.GetAsync("/api/sync").ExpectAsync(HttpStatusCode.Forbidden);
            await client.GetAsync("/api/sync/sync-000001").ExpectAsync(HttpStatusCode.Forbidden);
        }
        Assert.Empty((await (await _admin.GetAsync("/api/sync").ExpectAsync(HttpStatusCode.OK)).JsonAsync()).GetProperty("items").EnumerateArray());

        foreach (var unknown in new[] { "sync-999999", "nothing", Uri.EscapeDataString("../../etc"), new string('x', 300) })
        {
            var notFound = await _admin.GetAsync($"/api/sync/{unknown}").ExpectAsync(HttpStatusCode.NotFound);
            Assert.Equal("application/problem+json", notFound.Content.Headers.ContentType?.MediaType);
        }
        foreach (var bad in new[] { "0", "101", "many" })
        {
            var invalid = await _admin.GetAsync($"/api/sync?pageSize={bad}").ExpectAsync(HttpStatusCode.BadRequest);
            Assert.Contains("pageSize", (await invalid.JsonAsync()).GetProperty("errors").EnumerateObject().Select(p => p.Name));
        }
    }

    [Fact]
    public async Task AnUnreachableRepositoryFailsTheRunReadablyAndTheNextRunStartsAfresh()
    {
        using var app = new HubApplication().WithGitHub(_github)
            .With("GitHub:ApiUrl", "http://127.0.0.1:9/")
            .With("Workflows:MaxAttempts", "2");
        var admin = app.ClientFor("ada", "admin");
        var (runId, _) = await StartSyncAsync(admin);
        var run = await FinishedRunAsync(admin, runId);
        Assert.Equal("failed", run.GetProperty("status").GetString());
        Assert.Contains("GitHub", run.GetProperty("lastError").GetString());
        Assert.Equal("failed", run.GetProperty("workflow").GetProperty("status").GetString());

        var (next, joined) = await StartSyncAsync(admin);
        Assert.False(joined);
        Assert.NotEqual(runId, next);
    }
}
