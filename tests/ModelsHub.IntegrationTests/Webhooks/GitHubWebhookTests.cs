using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using ModelsHub.IntegrationTests.Infrastructure;
using ModelsHub.Testing;
using static ModelsHub.IntegrationTests.Infrastructure.GitHubTesting;

namespace ModelsHub.IntegrationTests.Webhooks;

/// <summary>
/// GitHub's <c>pull_request</c> deliveries to <c>POST /api/github/webhook</c>, in GitHub's payload format and
/// signed as GitHub signs them (<c>X-Hub-Signature-256: sha256=</c> HMAC-SHA256 hex of the raw body): a merged
/// pull request is marked at once, without the sync's polling; a bad or missing signature changes nothing.
/// </summary>
public sealed class GitHubWebhookTests : IAsyncLifetime
{
    private const string Secret = "github-webhook-secret-for-tests";
    private FakeGitHub _github = null!;
    private HubApplication _app = null!;
    private WebhookReceiver _receiver = null!;

    public async Task InitializeAsync()
    {
        _github = await FakeGitHub.StartAsync();
        _receiver = await WebhookReceiver.StartAsync();
        _app = new LoggedHubApplication().WithGitHub(_github).With("GitHub:WebhookSecret", Secret)
            .With("Webhooks:AllowPrivateTargets", "true").With("Webhooks:AllowHttp", "true");
    }

    public async Task DisposeAsync()
    {
        _app.Dispose();
        await _receiver.DisposeAsync();
        await _github.DisposeAsync();
    }

    /// <summary>A <c>pull_request</c> event as GitHub sends it (the fields of its documented payload; the ones the hub reads are real).</summary>
    private static string Payload(string action, int number, string branch, bool merged, string repository = "xorbitsai/inference")
    {
        var (owner, name) = (repository.Split('/')[0], repository.Split('/')[1]);
        JsonObject User(string login, long id)
        {
            var api = $"https://api.github.com/users/{login}";
            var user = new JsonObject
            {
                ["login"] = login, ["id"] = id, ["node_id"] = "MDQ6VXNlcj" + id, ["avatar_url"] = $"https://avatars.githubusercontent.com/u/{id}?v=4",
                ["gravatar_id"] = "", ["url"] = api, ["html_url"] = $"https://github.com/{login}", ["type"] = "User", ["site_admin"] = false,
            };
            foreach (var (field, path) in new[] { ("followers_url", "/followers"), ("following_url", "/following{/other_user}"), ("gists_url", "/gists{/gist_id}"),
                         ("starred_url", "/starred{/owner}{/repo}"), ("subscriptions_url", "/subscriptions"), ("organizations_url", "/orgs"), ("repos_url", "/repos"),
                         ("events_url", "/events{/privacy}"), ("received_events_url", "/received_events") })
            {
                user[field] = api + path;
            }
            return user;
        }
        JsonObject Repo()
        {
            var api = $"https://api.github.com/repos/{repository}";
            var repo = new JsonObject
            {
                ["id"] = 612478123, ["node_id"] = "R_kgDOJIGmqw", ["name"] = name, ["full_name"] = repository, ["private"] = false, ["owner"] = User(owner, 109661872),
                ["html_url"] = $"https://github.com/{repository}", ["description"] = null, ["fork"] = false, ["url"] = api,
                ["created_at"] = "2023-06-14T07:05:04Z", ["updated_at"] = "2027-01-10T08:00:00Z", ["pushed_at"] = "2027-01-10T08:00:00Z",
                ["git_url"] = $"git://github.com/{repository}.git", ["ssh_url"] = $"git@github.com:{repository}.git", ["clone_url"] = $"https://github.com/{repository}.git",
                ["svn_url"] = $"https://github.com/{repository}", ["homepage"] = null, ["size"] = 41000, ["stargazers_count"] = 8000, ["watchers_count"] = 8000,
                ["language"] = "Python", ["has_issues"] = true, ["has_projects"] = true, ["has_downloads"] = true, ["has_wiki"] = true, ["has_pages"] = false,
                ["forks_count"] = 700, ["mirror_url"] = null, ["archived"] = false, ["disabled"] = false, ["open_issues_count"] = 400, ["license"] = null,
                ["forks"] = 700, ["open_issues"] = 400, ["watchers"] = 8000, ["default_branch"] = "main", ["is_template"] = false,
            };
            foreach (var (field, path) in new[] { ("forks_url", "/forks"), ("keys_url", "/keys{/key_id}"), ("collaborators_url", "/collaborators{/collaborator}"),
                         ("teams_url", "/teams"), ("hooks_url", "/hooks"), ("issue_events_url", "/issues/events{/number}"), ("events_url", "/events"),
                         ("assignees_url", "/assignees{/user}"), ("branches_url", "/branches{/branch}"), ("tags_url", "/tags"), ("blobs_url", "/git/blobs{/sha}"),
                         ("git_tags_url", "/git/tags{/sha}"), ("git_refs_url", "/git/refs{/sha}"), ("trees_url", "/git/trees{/sha}"), ("statuses_url", "/statuses/{sha}"),
                         ("languages_url", "/languages"), ("stargazers_url", "/stargazers"), ("contributors_url", "/contributors"), ("subscribers_url", "/subscribers"),
                         ("subscription_url", "/subscription"), ("commits_url", "/commits{/sha}"), ("git_commits_url", "/git/commits{/sha}"), ("comments_url", "/comments{/number}"),
                         ("issue_comment_url", "/issues/comments{/number}"), ("contents_url", "/contents/{+path}"), ("compare_url", "/compare/{base}...{head}"),
                         ("merges_url", "/merges"), ("archive_url", "/{archive_format}{/ref}"), ("downloads_url", "/downloads"), ("issues_url", "/issues{/number}"),
                         ("pulls_url", "/pulls{/number}"), ("milestones_url", "/milestones{/number}"), ("notifications_url", "/notifications{?since,all,participating}"),
                         ("labels_url", "/labels{/name}"), ("releases_url", "/releases{/id}"), ("deployments_url", "/deployments") })
            {
                repo[field] = api + path;
            }
            return repo;
        }
        var now = "2027-01-10T09:30:00Z";
        return new JsonObject
        {
            ["action"] = action,
            ["number"] = number,
            ["pull_request"] = new JsonObject
            {
                ["url"] = $"https://api.github.com/repos/{repository}/pulls/{number}",
                ["id"] = 1900000000 + number,
                ["node_id"] = "PR_kwDOJIGmq85xyz" + number,
                ["html_url"] = $"https://github.com/{repository}/pull/{number}",
                ["diff_url"] = $"https://github.com/{repository}/pull/{number}.diff",
                ["patch_url"] = $"https://github.com/{repository}/pull/{number}.patch",
                ["issue_url"] = $"https://api.github.com/repos/{repository}/issues/{number}",
                ["number"] = number,
                ["state"] = action == "reopened" ? "open" : "closed",
                ["locked"] = false,
                ["title"] = "chore: sync model JSON",
                ["user"] = User("modelshub-bot", 4242),
                ["body"] = "Synchronizes a model from ModelsHub.",
                ["created_at"] = "2027-01-10T09:00:00Z",
                ["updated_at"] = now,
                ["closed_at"] = action == "reopened" ? null : now,
                ["merged_at"] = merged ? now : null,
                ["merge_commit_sha"] = "c4295bd74fb0f4fda03689c3df3f2803b658fd85",
                ["assignee"] = null, ["assignees"] = new JsonArray(), ["requested_reviewers"] = new JsonArray(), ["requested_teams"] = new JsonArray(), ["labels"] = new JsonArray(),
                ["milestone"] = null, ["draft"] = false,
                ["commits_url"] = $"https://api.github.com/repos/{repository}/pulls/{number}/commits",
                ["review_comments_url"] = $"https://api.github.com/repos/{repository}/pulls/{number}/comments",
                ["review_comment_url"] = $"https://api.github.com/repos/{repository}/pulls/comments{{/number}}",
                ["comments_url"] = $"https://api.github.com/repos/{repository}/issues/{number}/comments",
                ["statuses_url"] = $"https://api.github.com/repos/{repository}/statuses/ec26c3e57ca3a959ca5aad62de7213c562f8c821",
                ["_links"] = new JsonObject
                {
                    ["self"] = new JsonObject { ["href"] = $"https://api.github.com/repos/{repository}/pulls/{number}" },
                    ["html"] = new JsonObject { ["href"] = $"https://github.com/{repository}/pull/{number}" },
                    ["issue"] = new JsonObject { ["href"] = $"https://api.github.com/repos/{repository}/issues/{number}" },
                    ["comments"] = new JsonObject { ["href"] = $"https://api.github.com/repos/{repository}/issues/{number}/comments" },
                    ["review_comments"] = new JsonObject { ["href"] = $"https://api.github.com/repos/{repository}/pulls/{number}/comments" },
                    ["review_comment"] = new JsonObject { ["href"] = $"https://api.github.com/repos/{repository}/pulls/comments{{/number}}" },
                    ["commits"] = new JsonObject { ["href"] = $"https://api.github.com/repos/{repository}/pulls/{number}/commits" },
                    ["statuses"] = new JsonObject { ["href"] = $"https://api.github.com/repos/{repository}/statuses/ec26c3e57ca3a959ca5aad62de7213c562f8c821" },
                },
                ["head"] = new JsonObject { ["label"] = $"{owner}:{branch}", ["ref"] = branch, ["sha"] = "ec26c3e57ca3a959ca5aad62de7213c562f8c821", ["user"] = User(owner, 109661872), ["repo"] = Repo() },
                ["base"] = new JsonObject { ["label"] = $"{owner}:main", ["ref"] = "main", ["sha"] = "f95f852bd8fca8fcc58a9a2d6c842781e32a215e", ["user"] = User(owner, 109661872), ["repo"] = Repo() },
                ["author_association"] = "CONTRIBUTOR",
                ["auto_merge"] = null,
                ["active_lock_reason"] = null,
                ["merged"] = merged,
                ["mergeable"] = null, ["rebaseable"] = null, ["mergeable_state"] = "unknown",
                ["merged_by"] = merged ? User("maintainer", 77) : null,
                ["comments"] = 0, ["review_comments"] = 0, ["maintainer_can_modify"] = false, ["commits"] = 1, ["additions"] = 12, ["deletions"] = 1, ["changed_files"] = 1,
            },
            ["repository"] = Repo(),
            ["sender"] = User("maintainer", 77),
        }.ToJsonString();
    }

    private Task<HttpResponseMessage> DeliverAsync(string payload, string? signature) => DeliverAsync(_app, payload, signature);

    private static async Task<HttpResponseMessage> DeliverAsync(HubApplication app, string payload, string? signature)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/github/webhook") { Content = new StringContent(payload, Encoding.UTF8, "application/json") };
        request.Headers.Add("X-GitHub-Event", "pull_request");
        request.Headers.Add("X-GitHub-Delivery", Guid.NewGuid().ToString());
        request.Headers.Add("X-GitHub-Hook-ID", "292430182");
        request.Headers.TryAddWithoutValidation("User-Agent", "GitHub-Hookshot/044aadd");
        if (signature is not null)
        {
            request.Headers.Add("X-Hub-Signature-256", signature);
        }
        return await app.CreateClient().SendAsync(request);
    }

    private static string Sign(string payload, string secret = Secret) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(payload)));

    [Fact]
    public async Task AMergedPullRequestIsMarkedAtOnceAndABadSignatureChangesNothing()
    {
        var admin = _app.ClientFor("ada", "admin");
        var hook = await (await admin.PostAsJsonAsync("/api/webhooks", new { url = _receiver.Url, events = new[] { "pull_request.opened", "pull_request.merged" } }, HubApplication.Json)
            .ExpectAsync(HttpStatusCode.Created)).JsonAsync();
        _receiver.Secret = hook.GetProperty("secret").GetString();
        var max = _app.ClientFor("max", "maintainer");
        await max.PostAsJsonAsync("/api/models", VideoModel("hooked-video"), HubApplication.Json).ExpectAsync(HttpStatusCode.Created);
        var opened = await PullRequestOfAsync(max, "hooked-video");
        var number = opened.GetProperty("number").GetInt32();
        Assert.Equal("open", opened.GetProperty("state").GetString());
        var merged = Payload("closed", number, "chore/models-sync/hooked-video", merged: true);

        // Unsigned, signed with another secret, or a body changed after signing: refused, nothing marked.
        foreach (var (body, signature) in new[] { (merged, (string?)null), (merged, Sign(merged, "not-the-secret-at-all")), (merged.Replace("\"number\":", "\"number\": "), Sign(merged)) })
        {
            var refused = await DeliverAsync(body, signature);
            Assert.False(refused.IsSuccessStatusCode, $"accepted: {(int)refused.StatusCode}");
        }
        Assert.Equal("open", (await (await max.GetAsync("/api/models/hooked-video")).JsonAsync()).GetProperty("pullRequest").GetProperty("state").GetString());

        // GitHub merges it on its side; its event is the only news the hub gets (no sync runs here).
        _github.MergePullRequest(number);
        (await DeliverAsync(merged, Sign(merged))).EnsureSuccessStatusCode();
        var model = await (await max.GetAsync("/api/models/hooked-video").ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.Equal("merged", model.GetProperty("pullRequest").GetProperty("state").GetString());
        Assert.NotEqual(System.Text.Json.JsonValueKind.Null, model.GetProperty("pullRequest").GetProperty("publishedAt").ValueKind);
        var history = await (await max.GetAsync("/api/models/hooked-video/reviews").ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.Contains("\"publishedAt\":\"", history.GetRawText().Replace(" ", ""));

        var received = await EventuallyAsync(() => Task.FromResult(_receiver.Requests.Any(r => r.Type == "io.modelshub.pull_request.merged") ? _receiver.Requests.ToList() : null),
            "the pull_request.merged event");
        Assert.All(received, r => Assert.True(r.Verified));
        Assert.Equal(["io.modelshub.pull_request.opened", "io.modelshub.pull_request.merged"],
            received.OrderBy(r => r.Json.GetProperty("time").GetDateTimeOffset()).Select(r => r.Type));
        // Another repository's pull request with the same number is none of the hub's business.
        var foreign = Payload("closed", number, "chore/models-sync/hooked-video", merged: false, repository: "someone/else");
        (await DeliverAsync(foreign, Sign(foreign))).EnsureSuccessStatusCode();
        Assert.Equal("merged", (await (await max.GetAsync("/api/models/hooked-video")).JsonAsync()).GetProperty("pullRequest").GetProperty("state").GetString());
    }

    [Fact]
    public async Task DeliveriesAreLimitedPerAddressByTheSignInFreePolicyForgedOnesIncluded()
    {
        // The writes policy is left unlimited here: the route needs no sign-in, so the anonymous allowance is what counts.
        using var app = new HubApplication().WithGitHub(_github).With("GitHub:WebhookSecret", Secret)
            .With("RateLimits:Anonymous:PermitLimit", "3").With("RateLimits:Anonymous:Window", "00:10:00");
        var unknown = Payload("closed", 4242, "chore/models-sync/nothing-here", merged: true);
        (await DeliverAsync(app, unknown, Sign(unknown))).EnsureSuccessStatusCode();
        // A forged delivery is refused, and still counts: a flood of them is cut off like any other.
        Assert.False((await DeliverAsync(app, unknown, Sign(unknown, "forged-secret-forged-secret"))).IsSuccessStatusCode);
        (await DeliverAsync(app, unknown, Sign(unknown))).EnsureSuccessStatusCode();

        var limited = await DeliverAsync(app, unknown, Sign(unknown));
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.True(limited.Headers.RetryAfter is not null, "no Retry-After");
        Assert.Equal("anonymous", (await limited.JsonAsync()).GetProperty("policy").GetString());

        // Another address (GitHub sends from several) has its own allowance.
        app.RemoteAddress = System.Net.IPAddress.Parse("192.0.2.80");
        (await DeliverAsync(app, unknown, Sign(unknown))).EnsureSuccessStatusCode();
    }

    [Fact]
    public async Task AClosedPullRequestIsMarkedClosedAndAReopenedOneOpenAgain()
    {
        var max = _app.ClientFor("max", "maintainer");
        await max.PostAsJsonAsync("/api/models", VideoModel("closed-video"), HubApplication.Json).ExpectAsync(HttpStatusCode.Created);
        var number = (await PullRequestOfAsync(max, "closed-video")).GetProperty("number").GetInt32();
        var closed = Payload("closed", number, "chore/models-sync/closed-video", merged: false);
        var c = await DeliverAsync(closed, Sign(closed));
        Assert.True(c.IsSuccessStatusCode, string.Join("\n", ((LoggedHubApplication)_app).Logs.Messages.TakeLast(30)));
        Assert.Equal("closed", (await (await max.GetAsync("/api/models/closed-video")).JsonAsync()).GetProperty("pullRequest").GetProperty("state").GetString());
        var reopened = Payload("reopened", number, "chore/models-sync/closed-video", merged: false);
        var r = await DeliverAsync(reopened, Sign(reopened));
        Assert.True(r.IsSuccessStatusCode, string.Join("\n", ((LoggedHubApplication)_app).Logs.Messages.Where(m => m.Contains("xception") || m.Contains("rror"))));
        Assert.Equal("open", (await (await max.GetAsync("/api/models/closed-video")).JsonAsync()).GetProperty("pullRequest").GetProperty("state").GetString());
    }
}
