using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using ModelsHub.Contracts.Models;
using ModelsHub.Functions.Models;
using ModelsHub.IntegrationTests.Infrastructure;
using ModelsHub.IntegrationTests.Webhooks;
using ModelsHub.Testing;

namespace ModelsHub.IntegrationTests.Api;

/// <summary>
/// Every catalog endpoint × every kind of caller × every kind of model, each cell asserting the
/// exact status. A hidden model is always a 404 (never 403), in lists too. A change that needs
/// review (a public registration without the permission, an owner's change to their public
/// model) is a 202 with a pending submission, and the live model stays as it was.
/// </summary>
public class AuthorizationMatrixTests : IDisposable
{
    private readonly HubApplication _app;
    private readonly FakeHuggingFace _hf;

    public AuthorizationMatrixTests() : this(new HubApplication()) { }

    /// <summary>The same tests against another configuration of the hub (the Azure profile's subclass).</summary>
    protected AuthorizationMatrixTests(HubApplication app)
    {
        // Imports read a fake Hugging Face Hub, so every caller's answer is the hub's verdict, not the network's.
        _hf = FakeHuggingFace.StartAsync().GetAwaiter().GetResult();
        _hf.AddRepositories();
        _app = app.WithHuggingFace(_hf);
    }

    private int _sequence;

    public void Dispose()
    {
        _app.Dispose();
        _hf.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    // "public-own": a public standard model carol registered through review (she holds no public permission).
    private static readonly string[] Kinds = ["private", "public", "advanced", "enterprise", "public-own"];

    private static readonly (string Name, string? User, string[] Roles)[] Callers =
    [
        ("anonymous", null, []),
        ("user", "ursula", ["user"]),
        ("owner", "carol", ["user"]),
        ("maintainer", "max", ["maintainer"]),
        ("reviewer", "rita", ["reviewer"]),
        ("admin", "ada", ["admin"]),
    ];

    // Expected status per caller for [private (owned by carol), public, advanced, enterprise, public-own (owned by carol)].
    private static readonly Dictionary<string, int[]> Read = new()
    {
        ["anonymous"] = [404, 200, 404, 404, 200],
        ["user"] = [404, 200, 404, 404, 200],
        ["owner"] = [200, 200, 404, 404, 200],
        ["maintainer"] = [404, 200, 404, 404, 200],
        ["reviewer"] = [404, 200, 200, 200, 200],
        ["admin"] = [200, 200, 200, 200, 200],
    };

    private static Dictionary<string, int[]> Change(int success) => new()
    {
        ["anonymous"] = [404, 401, 404, 404, 401],
        ["user"] = [404, 403, 404, 404, 403],
        ["owner"] = [success, 403, 404, 404, 202],
        ["maintainer"] = [404, success, 404, 404, success],
        ["reviewer"] = [404, 403, 403, 403, 403],
        ["admin"] = [success, success, success, success, success],
    };

    // Create: [private, public, advanced, enterprise, public again]; without the permission a signed-in user's public registration goes to review.
    private static readonly Dictionary<string, int[]> Create = new()
    {
        ["anonymous"] = [401, 401, 401, 401, 401],
        ["user"] = [201, 202, 202, 202, 202],
        ["owner"] = [201, 202, 202, 202, 202],
        ["maintainer"] = [201, 201, 202, 202, 201],
        ["reviewer"] = [201, 202, 202, 202, 202],
        ["admin"] = [201, 201, 201, 201, 201],
    };

    private async Task<string[]> SeedAsync()
    {
        var n = Interlocked.Increment(ref _sequence);
        var names = Kinds.Select(k => $"mx-{k}-{n}").ToArray();
        await _app.ClientFor("carol", "user").PostAsJsonAsync("/api/models", Samples.Model(names[0]), HubApplication.Json).ExpectAsync(HttpStatusCode.Created);
        var olivia = _app.ClientFor("olivia", "admin");
        await olivia.PostAsJsonAsync("/api/models", Samples.Model(names[1], "public"), HubApplication.Json).ExpectAsync(HttpStatusCode.Created);
        await olivia.PostAsJsonAsync("/api/models", Samples.Model(names[2], "public", "advanced"), HubApplication.Json).ExpectAsync(HttpStatusCode.Created);
        await olivia.PostAsJsonAsync("/api/models", Samples.Model(names[3], "public", "enterprise"), HubApplication.Json).ExpectAsync(HttpStatusCode.Created);
        var submitted = await (await _app.ClientFor("carol", "user").PostAsJsonAsync("/api/models", Samples.Model(names[4], "public"), HubApplication.Json)
            .ExpectAsync(HttpStatusCode.Accepted)).JsonAsync();
        await _app.ClientFor("rita", "reviewer").PostAsJsonAsync($"/api/reviews/{submitted.GetProperty("id").GetString()}/decision", new { decision = "approve" })
            .ExpectAsync(HttpStatusCode.OK);
        var admin = _app.ClientFor("ada", "admin");
        await GitHubTesting.EventuallyAsync<object>(async () => (await admin.GetAsync($"/api/models/{names[4]}")).StatusCode == HttpStatusCode.OK ? true : null,
            $"the approved registration of {names[4]}");
        return names;
    }

    private async Task<string> ETagAsync(string name) =>
        (await _app.ClientFor("ada", "admin").GetAsync($"/api/models/{name}").ExpectAsync(HttpStatusCode.OK)).ETagOf();

    [Fact]
    public async Task EveryCellHasTheExactStatus()
    {
        var failures = new StringBuilder();
        var cells = 0;
        void Check(string op, string caller, string kind, int expected, HttpStatusCode actual)
        {
            cells++;
            if ((int)actual != expected)
            {
                failures.AppendLine($"{op} × {caller} × {kind}: expected {expected}, got {(int)actual}");
            }
        }

        var shared = await SeedAsync();
        foreach (var (caller, user, roles) in Callers)
        {
            var client = _app.ClientFor(user, roles);
            for (var k = 0; k < Kinds.Length; k++)
            {
                var name = shared[k];
                Check("get", caller, Kinds[k], Read[caller][k], (await client.GetAsync($"/api/models/{name}")).StatusCode);
                Check("readme-template", caller, Kinds[k], Read[caller][k], (await client.GetAsync($"/api/models/{name}/readme-template")).StatusCode);
                var listed = await client.GetFromJsonAsync<ModelListResponse>($"/api/models?q={name}&pageSize=100", HubApplication.Json);
                Check("list", caller, Kinds[k], Read[caller][k], listed!.Items.Any(m => m.Name == name) ? HttpStatusCode.OK : HttpStatusCode.NotFound);
                var all = await client.GetFromJsonAsync<ModelListResponse>($"/api/models?tier={(k is 0 or 1 or 4 ? "standard" : Kinds[k])}&pageSize=100", HubApplication.Json);
                Check("list-by-tier", caller, Kinds[k], Read[caller][k], all!.Items.Any(m => m.Name == name) ? HttpStatusCode.OK : HttpStatusCode.NotFound);
            }
            var stats = await client.GetFromJsonAsync<ModelStatsResponse>("/api/models/stats", HubApplication.Json);
            Check("stats", caller, "all", Read[caller].Count(s => s == 200), (HttpStatusCode)stats!.Total);
        }

        // Changes, each on models of its own so one cell cannot disturb the next.
        foreach (var (caller, user, roles) in Callers)
        {
            var client = _app.ClientFor(user, roles);
            foreach (var (op, expected) in new[] { ("update", Change(200)), ("expire", Change(200)), ("delete", Change(204)) })
            {
                var names = await SeedAsync();
                for (var k = 0; k < Kinds.Length; k++)
                {
                    var etag = await ETagAsync(names[k]);
                    var response = op switch
                    {
                        "update" => await client.SendJsonAsync(HttpMethod.Patch, $"/api/models/{names[k]}", new { description = "changed" }, etag),
                        "expire" => await client.SendJsonAsync(HttpMethod.Patch, $"/api/models/{names[k]}", new { expiresAt = DateTimeOffset.UtcNow.AddDays(30) }, etag),
                        _ => await client.DeleteAsync($"/api/models/{names[k]}", etag),
                    };
                    Check(op, caller, Kinds[k], expected[caller][k], response.StatusCode);
                    if (response.StatusCode == HttpStatusCode.Accepted && (await _app.ClientFor("ada", "admin").GetAsync($"/api/models/{names[k]}")).Headers.ETag?.Tag != etag)
                    {
                        failures.AppendLine($"{op} × {caller} × {Kinds[k]}: answered 202 but the live model changed before review");
                    }
                    var stillThere = (await _app.ClientFor("ada", "admin").GetAsync($"/api/models/{names[k]}")).StatusCode == HttpStatusCode.OK;
                    if (op == "delete" && stillThere == ((int)response.StatusCode == 204))
                    {
                        failures.AppendLine($"delete × {caller} × {Kinds[k]}: answered {(int)response.StatusCode} but the model is {(stillThere ? "still there" : "gone")}");
                    }
                }
            }

            for (var k = 0; k < Kinds.Length; k++)
            {
                var name = $"mx-new-{caller}-{Kinds[k]}";
                var body = k == 0 ? Samples.Model(name) : Samples.Model(name, "public", k is 1 or 4 ? "standard" : Kinds[k]);
                Check("create", caller, Kinds[k], Create[caller][k], (await client.PostAsJsonAsync("/api/models", body, HubApplication.Json)).StatusCode);
            }
        }

        Assert.True(failures.Length == 0, $"{failures}");
        Assert.Equal(Callers.Length * (Kinds.Length * 8 + 1), cells);
    }

    // Callers in order: anonymous, user, owner (carol), maintainer, reviewer, admin.
    private static int[] All(int status) => [status, status, status, status, status, status];

    private static int[] SignedIn(int status) => [401, status, status, status, status, status];

    private static int[] AdminOnly(int status) => [401, 403, 403, 403, 403, status];

    /// <summary>One row of the model-independent part: a request every caller sends, and the status each must get.</summary>
    private sealed record Row(string Route, HttpMethod Method, Func<string, string> Url, Func<string, object?> Body, int[] Expected);

    /// <summary>Routes whose caller × model matrix lives in <see cref="VersionAuthorizationMatrixTests"/> (versions, uploads, version files).</summary>
    private static readonly string[] VersionMatrixRoutes =
    [
        "GET /api/models/{name}/versions", "GET /api/models/{name}/versions/suggestion", "POST /api/models/{name}/versions",
        "GET /api/models/{name}/versions/{version}", "PATCH /api/models/{name}/versions/{version}", "DELETE /api/models/{name}/versions/{version}",
        "GET /api/models/{name}/versions/{version}/files/{fileName}", "HEAD /api/models/{name}/versions/{version}/files/{fileName}",
        "PUT /api/models/{name}/default-version", "POST /api/models/{name}/versions/{version}/uploads", "GET /api/models/{name}/uploads",
        "GET /api/models/{name}/versions/{version}/uploads/{uploadId}", "POST /api/models/{name}/versions/{version}/uploads/{uploadId}/complete",
        "DELETE /api/models/{name}/versions/{version}/uploads/{uploadId}",
    ];

    /// <summary>Routes <see cref="EveryCellHasTheExactStatus"/> walks per caller × model kind.</summary>
    private static readonly string[] ModelMatrixRoutes =
    [
        "GET /api/models", "GET /api/models/stats", "GET /api/models/{name}", "GET /api/models/{name}/readme-template", "POST /api/models",
        "PATCH /api/models/{name}", "DELETE /api/models/{name}",
        "GET /api/models/{name}/reviews", "GET /api/models/{name}/history", "POST /api/models/{name}/pull-request/refresh",
    ];

    private static string RouteOf(string method, string pattern) => $"{method} {System.Text.RegularExpressions.Regex.Replace("/" + pattern.Trim('/'), @"\{\*\*(\w+)\}", "{$1}")}";

    [Fact]
    public void EveryMappedApiRouteHasAMatrixRow()
    {
        var mapped = _app.Services.GetRequiredService<Microsoft.AspNetCore.Routing.EndpointDataSource>().Endpoints
            .OfType<Microsoft.AspNetCore.Routing.RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.TrimStart('/').StartsWith("api", StringComparison.Ordinal) == true)
            .SelectMany(e => (e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.IHttpMethodMetadata>()?.HttpMethods ?? ["ANY"])
                .Select(m => RouteOf(m, e.RoutePattern.RawText!)))
            .ToHashSet();
        var covered = ModelMatrixRoutes.Concat(VersionMatrixRoutes).Concat(ApiModels.ApiModelAuthorizationMatrixTests.Routes).Concat(DatasetAuthorizationMatrixTests.Routes)
            .Concat(WebhookAuthorizationMatrixTests.Routes).Concat(TrainingAuthorizationMatrixTests.Routes)
            .Concat(ModelIndependentRows("x", "x", "x", "x", "x").Select(r => r.Route))
            .Concat(["HEAD /api/models/download"]).ToHashSet();
        var missing = mapped.Except(covered).Order().ToList();
        Assert.True(missing.Count == 0, "Endpoints without a row in the authorization matrix:\n" + string.Join("\n", missing));
        var stale = covered.Except(mapped).Where(r => !r.StartsWith("HEAD", StringComparison.Ordinal)).Order().ToList();
        Assert.True(stale.Count == 0, "Matrix rows for routes the app no longer maps:\n" + string.Join("\n", stale));
    }

    private static IEnumerable<Row> ModelIndependentRows(string submission, string workflow, string run, string otherUser, string import, int blobMirror = 403)
    {
        Row R(string route, Func<string, object?>? body, int[] expected, Func<string, string>? url = null)
        {
            var parts = route.Split(' ', 2);
            return new Row(route, new HttpMethod(parts[0]), url ?? (_ => parts[1]), body ?? (_ => null), expected);
        }
        yield return R("GET /api/health", null, All(200));
        yield return R("GET /api/health/ready", null, All(200));
        yield return R("GET /api/openapi.json", null, All(200));
        yield return R("POST /api/dev/token", c => new { user = "minted-" + c }, All(200));
        yield return R("GET /api/models/download", null, All(200), _ => "/api/models/download?model_type=llm");
        yield return R("POST /api/models/readme-template", _ => new { name = "tpl", type = "llm", spec = Samples.LlmEntry("tpl") }, All(200));
        yield return R("GET /api/permissions", null, All(200));
        yield return R("GET /api/me", null, SignedIn(200));
        yield return R("PATCH /api/me", c => new { displayName = "Name of " + c }, SignedIn(200));
        // The token is checked against GitHub, which this host cannot reach: a signed-in caller gets as far as 502, and has none saved (404).
        yield return R("PUT /api/me/github-token", _ => new { token = "ghp_" + new string('a', 36) }, SignedIn(502));
        yield return R("GET /api/me/github-token", null, SignedIn(404));
        yield return R("DELETE /api/me/github-token", null, SignedIn(204));
        // The fake Hub refuses this token: a signed-in caller gets as far as 400 (token), and has none saved (404).
        yield return R("PUT /api/me/huggingface-token", _ => new { token = "hf_" + new string('a', 34) }, SignedIn(400));
        yield return R("GET /api/me/huggingface-token", null, SignedIn(404));
        yield return R("DELETE /api/me/huggingface-token", null, SignedIn(204));
        // Imports need sources.manage (administrators, who grant it to others); an import is seen by its starter and administrators.
        yield return R("GET /api/imports/huggingface/preview", null, AdminOnly(200),
            _ => $"/api/imports/huggingface/preview?repoId={HuggingFaceTesting.Gpt2}&include=config.json");
        yield return R("POST /api/imports/huggingface", c => new { repoId = HuggingFaceTesting.Gpt2, include = new[] { "config.json" }, model = new { name = "mi-import-" + c } },
            AdminOnly(202));
        yield return R("GET /api/imports", null, SignedIn(200));
        // An import of olivia's (granted sources.manage): hers and the administrators' to see; it has ended, so cancelling is a 409.
        yield return R("GET /api/imports/{id}", null, [401, 404, 404, 404, 404, 200], _ => $"/api/imports/{import}");
        yield return R("POST /api/imports/{id}/cancel", null, [401, 404, 404, 404, 404, 409], _ => $"/api/imports/{import}/cancel");
        yield return R("GET /api/me/quotas", null, SignedIn(200));
        yield return R("GET /api/users", null, AdminOnly(200));
        yield return R("GET /api/users/{id}", null, AdminOnly(200), _ => $"/api/users/{otherUser}");
        yield return R("GET /api/users/{id}/permissions", null, AdminOnly(200), _ => $"/api/users/{otherUser}/permissions");
        yield return R("PUT /api/users/{id}/permissions/{permission}", null, AdminOnly(200), _ => $"/api/users/{otherUser}/permissions/datasets.manage");
        yield return R("DELETE /api/users/{id}/permissions/{permission}", null, AdminOnly(200), _ => $"/api/users/{otherUser}/permissions/datasets.manage");
        yield return R("DELETE /api/users/{id}/overrides/{permission}", null, AdminOnly(200), _ => $"/api/users/{otherUser}/overrides/datasets.manage");
        yield return R("POST /api/admin/upstream-import", _ => new { video = Array.Empty<object>() }, AdminOnly(200));
        yield return R("GET /api/sync", null, AdminOnly(200));
        yield return R("GET /api/sync/{runId}", null, AdminOnly(200), _ => $"/api/sync/{run}");
        yield return R("POST /api/sync", _ => new { }, AdminOnly(202));
        yield return R("GET /api/reviews", null, [401, 403, 403, 403, 200, 200]);
        yield return R("GET /api/reviews/{id}", null, [401, 404, 200, 404, 200, 200], _ => $"/api/reviews/{submission}");
        // The reviewer rejects it; the administrator, after them, finds it decided.
        yield return R("POST /api/reviews/{id}/decision", _ => new { decision = "reject", feedback = "no" }, [401, 403, 403, 403, 200, 409], _ => $"/api/reviews/{submission}/decision");
        yield return R("GET /api/workflows/{id}", null, [401, 404, 200, 404, 200, 200], _ => $"/api/workflows/{workflow}");
        yield return R("POST /api/workflows/{id}/retry", null, AdminOnly(200), _ => $"/api/workflows/{workflow}/retry");
        // Personal access tokens: every signed-in user manages their own (a missing id is theirs to miss: 404).
        yield return R("GET /api/me/tokens", null, SignedIn(200));
        yield return R("POST /api/me/tokens", c => new { name = "matrix " + c, scopes = new[] { "read" } }, SignedIn(201));
        yield return R("DELETE /api/me/tokens/{id}", null, SignedIn(404), _ => "/api/me/tokens/pat_0000000000000000");
        // Usage: your own, and the hub's for usage.view (admins).
        yield return R("GET /api/me/usage", null, SignedIn(200));
        yield return R("GET /api/usage", null, AdminOnly(200));
        // The gateway: signed-in callers reach the model look-up (no such model: 404).
        yield return R("POST /api/v1/chat/completions", _ => new { model = "mx-no-such-model", messages = new[] { new { role = "user", content = "hi" } } }, SignedIn(404));
        yield return R("POST /api/v1/embeddings", _ => new { model = "mx-no-such-model", input = "hi" }, SignedIn(404));
        // Seed 004's list and create (a private custom model, which every signed-in user may register).
        yield return R("GET /api/v1/ai-models", null, All(200));
        yield return R("POST /api/v1/ai-models", c => new { name = "aim-" + c, type = "custom", source = "upload" }, SignedIn(201));
        // The embedded profile's stand-in for Blob Storage refuses an unsigned request; on the Azure profile it answers nothing (404).
        yield return R("GET /api/blobs/{key}", null, All(blobMirror), _ => "/api/blobs/models/x/v1/file.bin?comp=blocklist");
        yield return R("PUT /api/blobs/{key}", null, All(blobMirror), _ => "/api/blobs/models/x/v1/file.bin?comp=block&blockid=AAAA");
        // GitHub's deliveries carry no bearer token, only GitHub's signature; this hub has no GitHub:WebhookSecret, so it takes none.
        yield return R("POST /api/github/webhook", _ => new { action = "closed" }, All(404));
    }

    [Fact]
    public async Task EveryModelIndependentEndpointHasTheExactStatusPerCaller()
    {
        var admin = _app.ClientFor("ada", "admin");
        foreach (var (_, user, roles) in Callers.Where(c => c.User is not null))
        {
            await _app.ClientFor(user, roles).GetAsync("/api/me").ExpectAsync(HttpStatusCode.OK);
        }
        // A pending review of carol's, and a workflow of hers (an approved registration's pull request).
        var pending = await (await _app.ClientFor("carol", "user").PostAsJsonAsync("/api/models", Samples.Model("mi-pending", "public"), HubApplication.Json)
            .ExpectAsync(HttpStatusCode.Accepted)).JsonAsync();
        var approved = await (await _app.ClientFor("carol", "user").PostAsJsonAsync("/api/models", Samples.Model("mi-approved", "public"), HubApplication.Json)
            .ExpectAsync(HttpStatusCode.Accepted)).JsonAsync();
        var approvedId = approved.GetProperty("id").GetString()!;
        var decided = await (await _app.ClientFor("rita", "reviewer").PostAsJsonAsync($"/api/reviews/{approvedId}/decision", new { decision = "approve" })
            .ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        // Each approval names the workflow it started.
        var workflow = decided.GetProperty("workflowId").GetString()!;
        await GitHubTesting.EventuallyAsync<object>(async () =>
            (await admin.GetAsync($"/api/workflows/{workflow}")).StatusCode == HttpStatusCode.OK ? true : null, "the pull-request workflow to start");
        var run = (await admin.PostAsJsonAsync("/api/sync", new { }).ExpectAsync(HttpStatusCode.Accepted)).Headers.Location!.OriginalString.Split("/").Last();
        var olivia = await _app.ImporterAsync("olivia");
        var import = await HuggingFaceTesting.StartImportAsync(olivia, new { repoId = HuggingFaceTesting.Gpt2, include = new[] { "config.json" }, model = new { name = "mi-imported" } });
        await HuggingFaceTesting.FinishedImportAsync(olivia, import);

        var failures = new StringBuilder();
        var embedded = _app.Services.GetService<ModelsHub.Infrastructure.Sqlite.SqliteDatabase>() is not null;
        var rows = ModelIndependentRows(pending.GetProperty("id").GetString()!, workflow, run, "ursula", import, embedded ? 403 : 404).ToList();
        for (var c = 0; c < Callers.Length; c++)
        {
            var (caller, user, roles) = Callers[c];
            var client = _app.ClientFor(user, roles);
            foreach (var row in rows)
            {
                var request = new HttpRequestMessage(row.Method, row.Url(caller));
                if (row.Body(caller) is { } body) request.Content = JsonContent.Create(body, options: HubApplication.Json);
                var response = await client.SendAsync(request);
                if ((int)response.StatusCode != row.Expected[c])
                {
                    failures.AppendLine($"{row.Route} × {caller}: expected {row.Expected[c]}, got {(int)response.StatusCode}");
                }
            }
        }
        Assert.True(failures.Length == 0, failures.ToString());
    }

    [Fact]
    public async Task ModelScopedEndpointsAndLeakProbesHaveTheExactStatus()
    {
        var names = await SeedAsync();
        // Per caller × [private, public, advanced, enterprise, public-own].
        var reviewsOrHistory = new Dictionary<string, int[]>
        {
            ["anonymous"] = [401, 401, 401, 401, 401],
            ["user"] = [404, 200, 404, 404, 200],
            ["owner"] = [200, 200, 404, 404, 200],
            ["maintainer"] = [404, 200, 404, 404, 200],
            ["reviewer"] = [404, 200, 200, 200, 200],
            ["admin"] = [200, 200, 200, 200, 200],
        };
        // No model here has a pull request (no GitHub token is configured), so a caller who may see the model hears 404 too.
        var refresh = new Dictionary<string, int[]>
        {
            ["anonymous"] = [401, 401, 401, 401, 401],
            ["user"] = [404, 404, 404, 404, 404],
            ["owner"] = [404, 404, 404, 404, 404],
            ["maintainer"] = [404, 404, 404, 404, 404],
            ["reviewer"] = [404, 404, 404, 404, 404],
            ["admin"] = [404, 404, 404, 404, 404],
        };
        var failures = new StringBuilder();
        void Check(string op, string caller, int k, int expected, HttpStatusCode actual)
        {
            if ((int)actual != expected) failures.AppendLine($"{op} × {caller} × {Kinds[k]}: expected {expected}, got {(int)actual}");
        }
        foreach (var (caller, user, roles) in Callers)
        {
            var client = _app.ClientFor(user, roles);
            for (var k = 0; k < Kinds.Length; k++)
            {
                var model = $"/api/models/{names[k]}";
                Check("reviews", caller, k, reviewsOrHistory[caller][k], (await client.GetAsync($"{model}/reviews")).StatusCode);
                Check("history", caller, k, reviewsOrHistory[caller][k], (await client.GetAsync($"{model}/history")).StatusCode);
                Check("pull-request/refresh", caller, k, refresh[caller][k], (await client.PostAsync($"{model}/pull-request/refresh", null)).StatusCode);

                // Leak probes: a conditional get of a hidden model is 404 whatever the tag; list filters never surface it.
                var conditional = new HttpRequestMessage(HttpMethod.Get, model);
                conditional.Headers.TryAddWithoutValidation("If-None-Match", "*");
                Check("if-none-match", caller, k, Read[caller][k] == 200 ? 304 : 404, (await client.SendAsync(conditional)).StatusCode);
                var owner = k is 0 or 4 ? "carol" : "olivia";
                foreach (var filter in new[] { $"owner={owner}", $"owner={owner}&visibility={(k == 0 ? "private" : "public")}", $"q={names[k]}&status=active" })
                {
                    var page = await client.GetFromJsonAsync<ModelListResponse>($"/api/models?{filter}&pageSize=100", HubApplication.Json);
                    Check($"list {filter}", caller, k, Read[caller][k], page!.Items.Any(m => m.Name == names[k]) ? HttpStatusCode.OK : HttpStatusCode.NotFound);
                }
            }
        }
        Assert.True(failures.Length == 0, failures.ToString());
    }
}
