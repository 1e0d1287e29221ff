using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using ModelsHub.Core.Identity;
using ModelsHub.IntegrationTests.Infrastructure;
using ModelsHub.Testing;
using static ModelsHub.IntegrationTests.Infrastructure.GitHubTesting;

namespace ModelsHub.IntegrationTests.Reviews;

/// <summary>The pull requests approvals become: file content, forks, tokens, parallel approvals, failures and retries.</summary>
public sealed class PullRequestTests : IAsyncLifetime
{
    private FakeGitHub _github = null!;
    private HubApplication _app = null!;

    public async Task InitializeAsync()
    {
        _github = await FakeGitHub.StartAsync();
        _app = new HubApplication().WithGitHub(_github).With("Workflows:MaxAttempts", "3");
    }

    public async Task DisposeAsync()
    {
        _app.Dispose();
        await _github.DisposeAsync();
    }

    private async Task ImportUpstreamAsync(params string[] types)
    {
        var body = new JsonObject();
        foreach (var type in types) body[type] = JsonNode.Parse(UpstreamFixtures.ReadText(type));
        await _app.ClientFor("ada", "admin").PostAsJsonAsync("/api/admin/upstream-import", body, HubApplication.Json).ExpectAsync(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData("embedding")]
    [InlineData("audio")]
    [InlineData("llm")]
    public async Task ThePullRequestsFileDiffersFromTheBaseOnlyInThatModelsEntry(string type)
    {
        await ImportUpstreamAsync(type);
        var groups = ModelsHub.Core.Upstream.UpstreamCatalog.GroupByModel(UpstreamFixtures.Read(type));
        var (name, spec) = groups[groups.Count / 2];
        var max = _app.ClientFor("max", "maintainer");
        var read = await max.GetAsync($"/api/models/{name}").ExpectAsync(HttpStatusCode.OK);
        var changed = JsonNode.Parse(spec.GetRawText())!.AsArray();
        changed[0]!["model_description"] = "Changed on the hub — 已修改";
        await max.SendJsonAsync(HttpMethod.Patch, $"/api/models/{name}", new JsonObject { ["spec"] = changed }, read.Headers.ETag!.Tag).ExpectAsync(HttpStatusCode.OK);

        await PullRequestOfAsync(max, name);
        var path = FakeGitHub.UpstreamPaths[type];
        var baseLines = UpstreamFixtures.ReadText(type).Split('\n');
        var prLines = _github.GetFile(path, reference: "chore/models-sync/" + name)!.Split('\n');
        var prefix = 0;
        while (prefix < Math.Min(baseLines.Length, prLines.Length) && baseLines[prefix] == prLines[prefix]) prefix++;
        var suffix = 0;
        while (suffix < Math.Min(baseLines.Length, prLines.Length) - prefix && baseLines[^(suffix + 1)] == prLines[^(suffix + 1)]) suffix++;

        // Every changed line of the base lies inside the model's entries (their '{' ... '}' lines).
        var entryLines = EntryLineRanges(baseLines, name);
        Assert.NotEmpty(entryLines);
        Assert.True(prefix < baseLines.Length - suffix || prefix < prLines.Length - suffix, "the pull request changes nothing");
        for (var line = prefix; line < baseLines.Length - suffix; line++)
        {
            Assert.True(entryLines.Any(r => line >= r.Start && line <= r.End), $"line {line + 1} changed outside {name}'s entries: {baseLines[line]}");
        }
        var added = prLines[prefix..(prLines.Length - suffix)];
        Assert.Contains(added, l => l.Contains("Changed on the hub — 已修改", StringComparison.Ordinal));
        Assert.Contains(added, l => l.TrimStart().StartsWith("\"updated_at\": ", StringComparison.Ordinal));
        Assert.DoesNotContain(added, l => l.Contains("is_builtin", StringComparison.Ordinal));
        Assert.EndsWith("]\n", _github.GetFile(path, reference: "chore/models-sync/" + name));
    }

    private static List<(int Start, int End)> EntryLineRanges(string[] lines, string name)
    {
        var ranges = new List<(int, int)>();
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i] == $"    \"model_name\": \"{name}\",")
            {
                var start = i;
                while (lines[start] != "  {") start--;
                var end = i;
                while (lines[end] is not ("  }" or "  },")) end++;
                ranges.Add((start, end));
            }
        }
        return ranges;
    }

    [Fact]
    public async Task AHundredApprovalsInParallelOpenAHundredPullRequests()
    {
        const int count = 100;
        var names = Enumerable.Range(0, count).Select(i => $"par-video-{i:D3}").ToArray();
        var submissions = new string[count];
        var clients = Enumerable.Range(0, count).Select(i => _app.ClientFor($"submitter-{i}", "user")).ToArray();
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
        {
            var client = clients[i];
            var submitted = await (await client.PostAsJsonAsync("/api/models", VideoModel(names[i]), HubApplication.Json).ExpectAsync(HttpStatusCode.Accepted)).JsonAsync();
            submissions[i] = submitted.GetProperty("id").GetString()!;
        });
        var rita = _app.ClientFor("rita", "reviewer");
        var queue = await (await rita.GetAsync("/api/reviews?state=pending&type=video&pageSize=100").ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.True(count == queue.GetProperty("items").GetArrayLength(), $"queue holds {queue.GetProperty("items").GetArrayLength()}");

        var workflows = await Task.WhenAll(submissions.Select(async id =>
            (await DecideAsync(rita, id, "approve")).GetProperty("workflowId").GetString()!));
        foreach (var id in workflows)
        {
            var workflow = await FinishedWorkflowAsync(rita, id, TimeSpan.FromSeconds(120));
            Assert.True(workflow.GetProperty("status").GetString() == "completed", workflow.ToString());
        }

        var pulls = _github.PullRequests();
        Assert.True(count == pulls.Count, $"{pulls.Count} pull requests: missing {string.Join(", ", names.Except(pulls.Select(p => p.HeadBranch["chore/models-sync/".Length..])))}");
        Assert.Equal(names.Order(), pulls.Select(p => p.HeadBranch["chore/models-sync/".Length..]).Order());
        foreach (var name in names)
        {
            var model = await (await rita.GetAsync($"/api/models/{name}").ExpectAsync(HttpStatusCode.OK)).JsonAsync();
            var number = model.GetProperty("pullRequest").GetProperty("number").GetInt32();
            Assert.Equal("chore/models-sync/" + name, pulls.Single(p => p.Number == number).HeadBranch);
            var file = _github.GetFile(FakeGitHub.UpstreamPaths["video"], reference: "chore/models-sync/" + name)!;
            Assert.Single(JsonDocument.Parse(file).RootElement.EnumerateArray(), e => e.GetProperty("model_name").GetString() == name);
            Assert.Single(_github.CommitsAhead("chore/models-sync/" + name));
        }
    }

    [Fact]
    public async Task ASubmittersOwnTokenIsUsedAndAForkWhenItCannotPushUpstream()
    {
        _github.AddToken("ghp_carolsowntoken1234", "carol-gh", canPushUpstream: false, "repo", "read:org");
        var carol = _app.ClientFor("carol", "user");
        var saved = await (await carol.SendJsonAsync(HttpMethod.Put, "/api/me/github-token", new { token = "ghp_carolsowntoken1234" }).ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.Equal(("1234", "carol-gh"), (saved.GetProperty("lastFour").GetString(), saved.GetProperty("login").GetString()));
        Assert.Equal(["repo", "read:org"], saved.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));
        Assert.DoesNotContain("ghp_carolsowntoken1234", saved.ToString());
        Assert.DoesNotContain("ghp_carolsowntoken1234", (await carol.GetStringAsync("/api/me")));

        // At rest the token is Data Protection ciphertext, with the key ring in the data folder.
        var user = await _app.Services.GetRequiredService<IUserStore>().FindAsync("carol", CancellationToken.None);
        Assert.DoesNotContain("carolsowntoken", user!.GitHubToken!.Protected);
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(_app.DataDirectory, "keys")));

        var submitted = await (await carol.PostAsJsonAsync("/api/models", VideoModel("carol-forked"), HubApplication.Json).ExpectAsync(HttpStatusCode.Accepted)).JsonAsync();
        await DecideAsync(_app.ClientFor("rita", "reviewer"), submitted.GetProperty("id").GetString()!, "approve");
        await PullRequestOfAsync(carol, "carol-forked");
        var pr = _github.FindPullRequest("chore/models-sync/carol-forked")!;
        Assert.Equal(("carol-gh", "carol-gh/inference", "carol-gh"), (pr.HeadOwner, pr.HeadRepository, pr.CreatedBy));
        Assert.False(_github.BranchExists("chore/models-sync/carol-forked"), "pushed to upstream without permission");

        await carol.DeleteAsync("/api/me/github-token", ifMatch: null).ExpectAsync(HttpStatusCode.NoContent);
        await carol.GetAsync("/api/me/github-token").ExpectAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task AFailingWorkflowFailsReadablyAfterItsAttemptsAndAnAdminRetryFinishesIt()
    {
        using var app = new HubApplication().WithGitHub(_github, defaultToken: null)
            .With("GitHub:DefaultToken", "ghp_notknownyet0000").With("Workflows:MaxAttempts", "3");
        var admin = app.ClientFor("ada", "admin");
        var created = await admin.PostAsJsonAsync("/api/models", VideoModel("retry-video"), HubApplication.Json).ExpectAsync(HttpStatusCode.Created);
        var status = await (await admin.GetAsync("/api/models/retry-video/reviews").ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        var latest = status.GetProperty("latest");
        Assert.True(latest.GetProperty("autoApproved").GetBoolean());
        var id = latest.GetProperty("workflowId").GetString()!;

        var failed = await FinishedWorkflowAsync(admin, id);
        Assert.Equal(("failed", "prepare", 3), (failed.GetProperty("status").GetString(), failed.GetProperty("step").GetString(), failed.GetProperty("attempt").GetInt32()));
        Assert.Equal("GitHub rejected the token (401).", failed.GetProperty("lastError").GetString());
        Assert.Equal(["started", "done", "retrying", "retrying", "failed"], failed.GetProperty("history").EnumerateArray().Select(e => e.GetProperty("outcome").GetString()));

        await app.ClientFor("dave", "user").PostAsync($"/api/workflows/{id}/retry", null).ExpectAsync(HttpStatusCode.Forbidden);
        await app.ClientFor("dave", "user").GetAsync($"/api/workflows/{id}").ExpectAsync(HttpStatusCode.NotFound);
        _github.AddToken("ghp_notknownyet0000", "modelshub-bot");
        await admin.PostAsync($"/api/workflows/{id}/retry", null).ExpectAsync(HttpStatusCode.OK);
        var done = await FinishedWorkflowAsync(admin, id);
        Assert.Equal("completed", done.GetProperty("status").GetString());
        await PullRequestOfAsync(admin, "retry-video");
        await admin.PostAsync($"/api/workflows/{id}/retry", null).ExpectAsync(HttpStatusCode.Conflict);
        await admin.PostAsync("/api/workflows/no-such-workflow/retry", null).ExpectAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task AChangeAfterTheMergeOpensANewPullRequestAgainstTheCurrentBase()
    {
        var carol = _app.ClientFor("carol", "user");
        var rita = _app.ClientFor("rita", "reviewer");
        const string name = "merged-video";
        var branch = "chore/models-sync/" + name;
        var path = FakeGitHub.UpstreamPaths["video"];
        var submitted = await (await carol.PostAsJsonAsync("/api/models", VideoModel(name), HubApplication.Json).ExpectAsync(HttpStatusCode.Accepted)).JsonAsync();
        await DecideAsync(rita, submitted.GetProperty("id").GetString()!, "approve");
        var first = await PullRequestOfAsync(carol, name);
        _github.MergePullRequest(first.GetProperty("number").GetInt32());
        Assert.Contains($"\"{name}\"", _github.GetFile(path));

        // The base moves on after the merge (another model's pull request lands).
        var moved = JsonNode.Parse(_github.GetFile(path)!)!.AsArray();
        moved.Add(VideoEntry("landed-meanwhile"));
        _github.SetFile(path, moved.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n");

        var read = await carol.GetAsync($"/api/models/{name}").ExpectAsync(HttpStatusCode.OK);
        var revision = await (await carol.SendJsonAsync(HttpMethod.Patch, $"/api/models/{name}",
            new JsonObject { ["spec"] = VideoEntry(name, "After the merge"), ["description"] = "After the merge" }, read.Headers.ETag!.Tag).ExpectAsync(HttpStatusCode.Accepted)).JsonAsync();
        await DecideAsync(rita, revision.GetProperty("id").GetString()!, "approve");
        var second = await PullRequestOfAsync(carol, name, number: 2);
        Assert.True(_github.PullRequests().Single(p => p.Number == 2).Open);

        // Its file is the current base's but for the model's entry; its only commit is this change.
        var baseEntries = JsonNode.Parse(_github.GetFile(path)!)!.AsArray();
        var prEntries = JsonNode.Parse(_github.GetFile(path, reference: branch)!)!.AsArray();
        Assert.Equal(baseEntries.Select(e => e!["model_name"]!.GetValue<string>()), prEntries.Select(e => e!["model_name"]!.GetValue<string>()));
        for (var i = 0; i < baseEntries.Count; i++)
        {
            if (baseEntries[i]!["model_name"]!.GetValue<string>() == name)
            {
                Assert.Equal("After the merge", prEntries[i]!["model_description"]!.GetValue<string>());
            }
            else
            {
                Assert.True(JsonNode.DeepEquals(baseEntries[i], prEntries[i]), $"entry {i} differs from the base");
            }
        }
        Assert.Single(_github.CommitsAhead(branch));
    }

    [Fact]
    public async Task ADefaultTokenThatIsStillAKeyVaultReferenceMeansNoDefaultTokenAndOneWarning()
    {
        // What App Service passes through when the referenced secret does not exist.
        const string unresolved = "@Microsoft.KeyVault(SecretUri=https://kv-test.vault.azure.net/secrets/github-default-token)";
        var logs = new CapturedLogs();
        using var app = new LoggedHubApplication(logs).WithGitHub(_github, defaultToken: null)
            .With("GitHub:DefaultToken", unresolved).With("Workflows:MaxAttempts", "3");
        var admin = app.ClientFor("ada", "admin");
        await admin.PostAsJsonAsync("/api/models", VideoModel("vault-video"), HubApplication.Json).ExpectAsync(HttpStatusCode.Created);
        var status = await (await admin.GetAsync("/api/models/vault-video/reviews").ExpectAsync(HttpStatusCode.OK)).JsonAsync();

        var failed = await FinishedWorkflowAsync(admin, status.GetProperty("latest").GetProperty("workflowId").GetString()!);

        // The no-token path (a readable, permanent failure at once), not the reference text sent as a token (401, retried).
        Assert.Equal("failed", failed.GetProperty("status").GetString());
        Assert.StartsWith("No GitHub token", failed.GetProperty("lastError").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, failed.GetProperty("attempt").GetInt32());
        Assert.Null(app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<ModelsHub.Core.GitHub.GitHubOptions>>().Value.DefaultToken);
        Assert.Null(app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptionsMonitor<ModelsHub.Core.GitHub.GitHubOptions>>().CurrentValue.DefaultToken);
        var warning = Assert.Single(logs.Entries, e => e.Level == Microsoft.Extensions.Logging.LogLevel.Warning && e.Message.Contains("Key Vault reference", StringComparison.Ordinal));
        Assert.Equal("GitHub:DefaultToken", warning.State["Setting"]);
        Assert.DoesNotContain(unresolved, warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARefreshShowsTheMergedStateAndDeleteAndExpiryProduceTheMatchingChange()
    {
        var admin = _app.ClientFor("ada", "admin");
        var created = await admin.PostAsJsonAsync("/api/models", VideoModel("lifecycle-video"), HubApplication.Json).ExpectAsync(HttpStatusCode.Created);
        var pr = await PullRequestOfAsync(admin, "lifecycle-video");
        _github.MergePullRequest(pr.GetProperty("number").GetInt32());
        var refreshed = await (await admin.PostAsync("/api/models/lifecycle-video/pull-request/refresh", null).ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.Equal("merged", refreshed.GetProperty("state").GetString());
        var path = FakeGitHub.UpstreamPaths["video"];
        Assert.Contains("\"lifecycle-video\"", _github.GetFile(path));

        // An expiry in the past takes the entry out at once; the branch's open PR carries it.
        var etag = (await admin.GetAsync("/api/models/lifecycle-video").ExpectAsync(HttpStatusCode.OK)).Headers.ETag!.Tag;
        var expired = await admin.SendJsonAsync(HttpMethod.Patch, "/api/models/lifecycle-video", new { expiresAt = DateTimeOffset.UtcNow.AddMinutes(-1) }, etag).ExpectAsync(HttpStatusCode.OK);
        var second = await PullRequestOfAsync(admin, "lifecycle-video", number: 2);
        Assert.DoesNotContain("\"lifecycle-video\"", _github.GetFile(path, reference: "chore/models-sync/lifecycle-video"));

        _github.ClosePullRequest(2);
        await admin.DeleteAsync("/api/models/lifecycle-video", "*").ExpectAsync(HttpStatusCode.NoContent);
        Assert.Equal(2, second.GetProperty("number").GetInt32());

        // The delete's pull request: the base's file without the model's entry, nothing else changed.
        var third = await EventuallyAsync(() => Task.FromResult(_github.PullRequests().FirstOrDefault(p => p.Number == 3)), "the delete's pull request");
        Assert.Equal("chore/models-sync/lifecycle-video", third.HeadBranch);
        var baseFile = _github.GetFile(path)!;
        var deleteFile = _github.GetFile(path, reference: "chore/models-sync/lifecycle-video")!;
        Assert.Contains("\"lifecycle-video\"", baseFile);
        Assert.DoesNotContain("\"lifecycle-video\"", deleteFile);
        var expected = JsonNode.Parse(baseFile)!.AsArray().Where(e => e!["model_name"]!.GetValue<string>() != "lifecycle-video").Select(e => e!.DeepClone()).ToArray();
        Assert.True(JsonNode.DeepEquals(new JsonArray(expected), JsonNode.Parse(deleteFile)), "the delete's file differs from the base beyond the model's entry");
        Assert.Equal(UpstreamFixtures.ReadText("video"), deleteFile);
        var history = await (await admin.GetAsync("/api/models/lifecycle-video/history").ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.Equal(3, history.GetProperty("entries").EnumerateArray().Count(e => e.GetProperty("action").GetString() == "changed"));
    }
}

/// <summary>A hub whose log records a test can read.</summary>
internal sealed class LoggedHubApplication(CapturedLogs logs) : HubApplication
{
    protected override void ConfigureTestServices(IServiceCollection services) =>
        services.AddSingleton<Microsoft.Extensions.Logging.ILoggerProvider>(logs);
}

/// <summary>Every log record, with its message template's values.</summary>
internal sealed class CapturedLogs : Microsoft.Extensions.Logging.ILoggerProvider
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<Entry> _entries = new();

    public sealed record Entry(string Category, Microsoft.Extensions.Logging.LogLevel Level, string Message, IReadOnlyDictionary<string, object?> State);

    public IReadOnlyList<Entry> Entries => [.. _entries];

    public Microsoft.Extensions.Logging.ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturedLogs owner, string category) : Microsoft.Extensions.Logging.ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = state as IEnumerable<KeyValuePair<string, object?>> ?? [];
            owner._entries.Enqueue(new Entry(category, logLevel, formatter(state, exception), values.ToDictionary(v => v.Key, v => v.Value)));
        }
    }
}
