using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelsHub.Contracts.Models;
using ModelsHub.Functions.Models;
using ModelsHub.IntegrationTests.Infrastructure;

namespace ModelsHub.IntegrationTests.Api;

public class ModelCatalogApiTests : IDisposable
{
    private readonly HubApplication _app;

    public ModelCatalogApiTests() : this(new HubApplication()) { }

    /// <summary>The same tests against another configuration of the hub (the Azure profile's subclass).</summary>
    protected ModelCatalogApiTests(HubApplication app) => _app = app;

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task RegisteringAModelReturnsItWithLocationAndETag()
    {
        var alice = _app.ClientFor("alice");
        var response = await alice.PostAsJsonAsync("/api/models", Samples.Model("Alpha-7B"), HubApplication.Json).ExpectAsync(HttpStatusCode.Created);

        var model = await response.ReadAsync<ModelDto>();
        Assert.Equal("/api/models/Alpha-7B", response.Headers.Location?.OriginalString);
        Assert.Equal($"\"{model.ETag}\"", response.ETagOf());
        Assert.Equal("alice", model.Owner);
        Assert.Equal("private", JsonSerializer.SerializeToElement(model.Visibility, HubApplication.Json).GetString());
        Assert.Contains("# Alpha-7B", model.Readme);

        var entry = Assert.Single(model.Spec!.Value.EnumerateArray());
        Assert.True(entry.GetProperty("updated_at").GetInt64() > 1_700_000_000);
        Assert.Equal("A chat model for tests — 测试模型.", entry.GetProperty("model_description").GetString());
    }

    [Fact]
    public async Task APendingPublicRegistrationHoldsItsNameForEveryone()
    {
        var bob = _app.ClientFor("bob", "user");
        var pending = await bob.PostAsJsonAsync("/api/models", Samples.Model("Held-Name", "public"), HubApplication.Json).ExpectAsync(HttpStatusCode.Accepted);
        var submission = (await pending.JsonAsync()).GetProperty("id").GetString()!;

        // Another user's private registration (any letter case), the submitter's own, or a maintainer's public one: all 409 naming it.
        foreach (var (client, body) in new[]
        {
            (_app.ClientFor("carol", "user"), Samples.Model("held-NAME")),
            (bob, Samples.Model("held-name")),
            (_app.ClientFor("max", "maintainer"), Samples.Model("HELD-name", "public")),
        })
        {
            var refused = await client.PostAsJsonAsync("/api/models", body, HubApplication.Json).ExpectAsync(HttpStatusCode.Conflict);
            var problem = await refused.JsonAsync();
            Assert.True(problem.GetProperty("errors").TryGetProperty("name", out _), problem.ToString());
            Assert.Contains(submission, problem.GetProperty("detail").GetString());
        }
        await _app.ClientFor("ada", "admin").GetAsync("/api/models/held-name").ExpectAsync(HttpStatusCode.NotFound);
        var review = await _app.ClientFor("rita", "reviewer").GetAsync($"/api/reviews/{submission}").ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("pending", (await review.JsonAsync()).GetProperty("state").GetString());

        // Once granted the permission, the submitter registers it publicly at once: that revises (supersedes) their own registration.
        var ada = _app.ClientFor("ada", "admin");
        await ada.PutAsync($"/api/users/bob/permissions/models.register.public", null).ExpectAsync(HttpStatusCode.OK);
        await bob.PostAsJsonAsync("/api/models", Samples.Model("Held-Name", "public"), HubApplication.Json).ExpectAsync(HttpStatusCode.Created);
        var superseded = await _app.ClientFor("rita", "reviewer").GetAsync($"/api/reviews/{submission}").ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("superseded", (await superseded.JsonAsync()).GetProperty("state").GetString());
    }

    [Theory]
    [InlineData("description", "before\u0000after")]
    [InlineData("readme", "# Title\n\u0000")]
    [InlineData("description", "bell \u0007")]
    [InlineData("readme", "escape \u001b[31m red")]
    public async Task ControlCharactersAreRefusedInTextFields(string field, string value)
    {
        var owner = _app.ClientFor("nell", "user");
        var body = Samples.Model("nul-text");
        body[field] = value;
        var refused = await owner.PostAsJsonAsync("/api/models", body, HubApplication.Json).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.True((await refused.JsonAsync()).GetProperty("errors").TryGetProperty(field, out _));

        body[field] = "line one\r\n\tline two";
        var created = await owner.PostAsJsonAsync("/api/models", body, HubApplication.Json).ExpectAsync(HttpStatusCode.Created);
        var patch = await owner.SendJsonAsync(HttpMethod.Patch, "/api/models/nul-text", new Dictionary<string, string> { [field] = value }, created.ETagOf())
            .ExpectAsync(HttpStatusCode.BadRequest);
        Assert.True((await patch.JsonAsync()).GetProperty("errors").TryGetProperty(field, out _));

        await owner.PostAsJsonAsync("/api/models/nul-text/versions", new { label = "v1", notes = value }, HubApplication.Json).ExpectAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task ARepeatedListAnswersTheSameBytesUntilAWriteChangesThem()
    {
        var alice = _app.ClientFor("alice");
        await alice.PostAsJsonAsync("/api/models", Samples.Model("Listed-1"), HubApplication.Json).ExpectAsync(HttpStatusCode.Created);
        const string url = "/api/models?mine=true&sort=name";
        var first = await (await alice.GetAsync(url).ExpectAsync(HttpStatusCode.OK)).Content.ReadAsByteArrayAsync();
        var again = await (await alice.GetAsync(url).ExpectAsync(HttpStatusCode.OK)).Content.ReadAsByteArrayAsync();
        Assert.Equal(first, again);

        // A write right away (the read cache keeps pages for their second) is seen by the next list.
        await alice.PostAsJsonAsync("/api/models", Samples.Model("Listed-2"), HubApplication.Json).ExpectAsync(HttpStatusCode.Created);
        var after = await (await alice.GetAsync(url).ExpectAsync(HttpStatusCode.OK)).ReadAsync<ModelListResponse>();
        Assert.Equal(["Listed-1", "Listed-2"], after.Items.Select(m => m.Name));
        Assert.Equal(["Listed-1"], JsonSerializer.Deserialize<ModelListResponse>(first, HubApplication.Json)!.Items.Select(m => m.Name));
    }

    [Fact]
    public async Task NamesAreUniqueIgnoringCase()
    {
        var alice = _app.ClientFor("alice");
        await alice.PostAsJsonAsync("/api/models", Samples.Model("Dup"), HubApplication.Json).ExpectAsync(HttpStatusCode.Created);
        var response = await _app.ClientFor("bob").PostAsJsonAsync("/api/models", Samples.Model("dUP", withSpec: false), HubApplication.Json).ExpectAsync(HttpStatusCode.Conflict);
        var problem = await response.JsonAsync();
        Assert.True(problem.GetProperty("errors").TryGetProperty("name", out _));
    }

    [Fact]
    public async Task GetByAnyCaseAndConditionalGet()
    {
        var alice = _app.ClientFor("alice");
        var created = await alice.PostAsJsonAsync("/api/models", Samples.Model("CaseModel"), HubApplication.Json).ExpectAsync(HttpStatusCode.Created);
        var get = await alice.GetAsync("/api/models/casemodel").ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("CaseModel", (await get.ReadAsync<ModelDto>()).Name);

        var conditional = new HttpRequestMessage(HttpMethod.Get, "/api/models/CaseModel");
        conditional.Headers.TryAddWithoutValidation("If-None-Match", created.ETagOf());
        Assert.Equal(HttpStatusCode.NotModified, (await alice.SendAsync(conditional)).StatusCode);
    }

    [Fact]
    public async Task UpdatesNeedTheCurrentETag()
    {
        var alice = _app.ClientFor("alice");
        var created = await alice.PostAsJsonAsync("/api/models", Samples.Model("Etagged"), HubApplication.Json).ExpectAsync(HttpStatusCode.Created);
        var etag = created.ETagOf();

        await alice.SendJsonAsync(HttpMethod.Patch, "/api/models/Etagged", new { description = "no etag" }).ExpectAsync(HttpStatusCode.PreconditionRequired);
        var updated = await alice.SendJsonAsync(HttpMethod.Patch, "/api/models/Etagged", new { description = "first" }, etag).ExpectAsync(HttpStatusCode.OK);
        Assert.NotEqual(etag, updated.ETagOf());
        Assert.Equal("first", (await updated.ReadAsync<ModelDto>()).Description);

        await alice.SendJsonAsync(HttpMethod.Patch, "/api/models/Etagged", new { description = "stale" }, etag).ExpectAsync(HttpStatusCode.PreconditionFailed);
        var current = await alice.GetFromJsonAsync<ModelDto>("/api/models/Etagged", HubApplication.Json);
        Assert.Equal("first", current!.Description);

        await alice.DeleteAsync("/api/models/Etagged", etag).ExpectAsync(HttpStatusCode.PreconditionFailed);
        await alice.DeleteAsync("/api/models/Etagged", (string?)null).ExpectAsync(HttpStatusCode.PreconditionRequired);
        await alice.DeleteAsync("/api/models/Etagged", updated.ETagOf()).ExpectAsync(HttpStatusCode.NoContent);
        await alice.GetAsync("/api/models/Etagged").ExpectAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task ChangingTheSpecAdvancesUpdatedAt()
    {
        var alice = _app.ClientFor("alice");
        var created = await (await alice.PostAsJsonAsync("/api/models", Samples.Model("Stamped"), HubApplication.Json)).ReadAsync<ModelDto>();
        var before = created.Spec!.Value[0].GetProperty("updated_at").GetInt64();

        var entry = Samples.LlmEntry("Stamped");
        entry["context_length"] = 4096;
        var updated = await (await alice.SendJsonAsync(HttpMethod.Patch, "/api/models/Stamped", new { spec = entry }, $"\"{created.ETag}\"")).ReadAsync<ModelDto>();
        Assert.True(updated.Spec!.Value[0].GetProperty("updated_at").GetInt64() > before);
        Assert.Equal(4096, updated.Spec!.Value[0].GetProperty("context_length").GetInt32());

        var same = await (await alice.SendJsonAsync(HttpMethod.Patch, "/api/models/Stamped", new { description = "only metadata" }, $"\"{updated.ETag}\"")).ReadAsync<ModelDto>();
        Assert.Equal(updated.Spec!.Value[0].GetProperty("updated_at").GetInt64(), same.Spec!.Value[0].GetProperty("updated_at").GetInt64());
    }

    [Fact]
    public async Task APublicXinferenceModelNeedsAValidSpecButAPrivateDraftDoesNot()
    {
        var admin = _app.ClientFor("ada", "admin");
        var problem = await (await admin.PostAsJsonAsync("/api/models", Samples.Model("NoSpec", "public", withSpec: false), HubApplication.Json)
            .ExpectAsync(HttpStatusCode.BadRequest)).JsonAsync();
        Assert.True(problem.GetProperty("errors").TryGetProperty("spec", out _));
        Assert.Equal("application/problem+json", (await admin.PostAsJsonAsync("/api/models", Samples.Model("NoSpec", "public", withSpec: false), HubApplication.Json)).Content.Headers.ContentType?.MediaType);

        await admin.PostAsJsonAsync("/api/models", Samples.Model("Draft", withSpec: false), HubApplication.Json).ExpectAsync(HttpStatusCode.Created);

        var bad = Samples.Model("BadSpec", "public");
        bad["spec"]!["model_ability"] = new JsonArray("chat", "fly");
        problem = await (await admin.PostAsJsonAsync("/api/models", bad, HubApplication.Json).ExpectAsync(HttpStatusCode.BadRequest)).JsonAsync();
        Assert.True(problem.GetProperty("errors").TryGetProperty("spec[0].model_ability[1]", out _));
    }

    [Fact]
    public async Task EnterpriseRequiresPublic()
    {
        var admin = _app.ClientFor("ada", "admin");
        var problem = await (await admin.PostAsJsonAsync("/api/models", Samples.Model("Ent", "private", "enterprise"), HubApplication.Json)
            .ExpectAsync(HttpStatusCode.BadRequest)).JsonAsync();
        Assert.Contains("public", problem.GetProperty("errors").GetProperty("tier")[0].GetString());
    }

    [Fact]
    public async Task ListingPagesThroughEveryVisibleModelInOrder()
    {
        var admin = _app.ClientFor("ada", "admin");
        var names = Enumerable.Range(0, 23).Select(i => $"page-model-{i:D2}").ToList();
        foreach (var name in names.AsEnumerable().Reverse())
        {
            await admin.PostAsJsonAsync("/api/models", Samples.Model(name, "public"), HubApplication.Json).ExpectAsync(HttpStatusCode.Created);
        }
        await _app.ClientFor("zed").PostAsJsonAsync("/api/models", Samples.Model("page-model-private"), HubApplication.Json).ExpectAsync(HttpStatusCode.Created);

        var anonymous = _app.ClientFor(null);
        var seen = new List<string>();
        string? token = null;
        var pages = 0;
        do
        {
            var url = "/api/models?pageSize=10" + (token is null ? "" : "&continuationToken=" + Uri.EscapeDataString(token));
            var page = await anonymous.GetFromJsonAsync<ModelListResponse>(url, HubApplication.Json);
            seen.AddRange(page!.Items.Select(m => m.Name));
            token = page.ContinuationToken;
            pages++;
        }
        while (token is not null);

        Assert.Equal(names, seen);
        Assert.Equal(3, pages);

        var descending = await anonymous.GetFromJsonAsync<ModelListResponse>("/api/models?sort=name&order=desc&pageSize=2", HubApplication.Json);
        Assert.Equal(["page-model-22", "page-model-21"], descending!.Items.Select(m => m.Name));
        var newest = await anonymous.GetFromJsonAsync<ModelListResponse>("/api/models?sort=created&order=desc&pageSize=1", HubApplication.Json);
        Assert.Equal("page-model-00", newest!.Items.Single().Name);
    }

    [Fact]
    public async Task ContinuationTokensFromAnotherQueryOrTamperedAreRefused()
    {
        var admin = _app.ClientFor("ada", "admin");
        for (var i = 0; i < 3; i++)
        {
            await admin.PostAsJsonAsync("/api/models", Samples.Model($"tok-{i}", "public"), HubApplication.Json).ExpectAsync(HttpStatusCode.Created);
        }
        var page = await admin.GetFromJsonAsync<ModelListResponse>("/api/models?pageSize=1", HubApplication.Json);
        Assert.NotNull(page!.ContinuationToken);

        foreach (var url in new[]
        {
            "/api/models?pageSize=1&sort=updated&continuationToken=" + Uri.EscapeDataString(page.ContinuationToken!),
            "/api/models?continuationToken=not-a-token",
            "/api/models?continuationToken=" + Uri.EscapeDataString(page.ContinuationToken![..^3] + "xyz"),
        })
        {
            var problem = await (await admin.GetAsync(url).ExpectAsync(HttpStatusCode.BadRequest)).JsonAsync();
            Assert.True(problem.GetProperty("errors").TryGetProperty("continuationToken", out _), url);
        }
    }

    [Fact]
    public async Task FiltersAndFreeTextSearchCombine()
    {
        var admin = _app.ClientFor("ada", "admin");
        await admin.PostAsJsonAsync("/api/models", Samples.Model("Qwen3-Coder", "public"), HubApplication.Json).ExpectAsync(HttpStatusCode.Created);
        await admin.PostAsJsonAsync("/api/models", new { name = "bert-base-chinese", type = "embedding", description = "BERT for Chinese text", tags = new[] { "nlp" }, framework = "tensorflow" }, HubApplication.Json).ExpectAsync(HttpStatusCode.Created);
        await admin.PostAsJsonAsync("/api/models", new { name = "resnet50", type = "image", description = "Image classifier", tags = new[] { "vision", "cnn" }, framework = "onnx" }, HubApplication.Json).ExpectAsync(HttpStatusCode.Created);

        async Task<string[]> Names(string query) =>
            (await admin.GetFromJsonAsync<ModelListResponse>("/api/models?" + query, HubApplication.Json))!.Items.Select(m => m.Name).ToArray();

        Assert.Equal(["Qwen3-Coder"], await Names("q=coder"));
        Assert.Equal(["Qwen3-Coder"], await Names("q=QWEN3"));
        Assert.Equal(["bert-base-chinese"], await Names("q=chinese+bert"));
        Assert.Equal(["resnet50"], await Names("tag=CNN"));
        Assert.Equal(["resnet50"], await Names("framework=onnx"));
        Assert.Equal(["bert-base-chinese"], await Names("type=embedding"));
        Assert.Equal(["bert-base-chinese", "Qwen3-Coder"], await Names("q=text"));
        Assert.Equal(["resnet50"], await Names("q=cl"));
        Assert.Empty(await Names("q=coder&type=image"));
        Assert.Equal(["Qwen3-Coder"], await Names("visibility=public"));
        Assert.Equal(["bert-base-chinese", "resnet50"], await Names("mine=true&visibility=private"));
    }

    [Fact]
    public async Task StatsCountWhatTheCallerMaySee()
    {
        var admin = _app.ClientFor("ada", "admin");
        await admin.PostAsJsonAsync("/api/models", Samples.Model("stat-llm", "public"), HubApplication.Json).ExpectAsync(HttpStatusCode.Created);
        await admin.PostAsJsonAsync("/api/models", Samples.Model("stat-adv", "public", "advanced"), HubApplication.Json).ExpectAsync(HttpStatusCode.Created);
        await admin.PostAsJsonAsync("/api/models", new { name = "stat-file", type = "custom" }, HubApplication.Json).ExpectAsync(HttpStatusCode.Created);

        var anonymous = await _app.ClientFor(null).GetFromJsonAsync<ModelStatsResponse>("/api/models/stats", HubApplication.Json);
        Assert.Equal(1, anonymous!.Total);
        Assert.Equal(1, anonymous.ByType["llm"]);
        Assert.Equal(0, anonymous.ByType["custom"]);

        var all = await admin.GetFromJsonAsync<ModelStatsResponse>("/api/models/stats", HubApplication.Json);
        Assert.Equal(3, all!.Total);
        Assert.Equal(2, all.ByType["llm"]);
        Assert.Equal(1, all.ByType["custom"]);
    }

    [Fact]
    public async Task GetReadmeBuildsATemplateFromADraftSpec()
    {
        var response = await _app.ClientFor(null).PostAsJsonAsync("/api/models/readme-template",
            new { name = "DraftLlm", type = "llm", spec = Samples.LlmEntry("DraftLlm") }, HubApplication.Json).ExpectAsync(HttpStatusCode.OK);
        var readme = (await response.ReadAsync<ReadmeResponse>()).Readme;
        Assert.Contains("# DraftLlm", readme);
        Assert.Contains("chat, tools", readme);
        Assert.Contains("huggingface: `tests/DraftLlm`", readme);
        Assert.Contains("xinference launch --model-name DraftLlm --model-type llm", readme);

        await _app.ClientFor(null).PostAsJsonAsync("/api/models/readme-template", new { name = "x" }, HubApplication.Json).ExpectAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task ReservedNamesAreRefused()
    {
        var problem = await (await _app.ClientFor("alice").PostAsJsonAsync("/api/models", new { name = "stats", type = "custom" }, HubApplication.Json)
            .ExpectAsync(HttpStatusCode.BadRequest)).JsonAsync();
        Assert.Contains("reserved", problem.GetProperty("errors").GetProperty("name")[0].GetString());
    }

    private static StringContent RawJson(string text) => new(text, System.Text.Encoding.UTF8, "application/json");

    private static async Task<string[]> ErrorKeysAsync(HttpResponseMessage response) =>
        (await response.JsonAsync()).GetProperty("errors").EnumerateObject().Select(p => p.Name).ToArray();

    [Fact]
    public async Task RepeatedPropertiesAreRefusedNamingTheirPath()
    {
        var alice = _app.ClientFor("alice");
        var model = Samples.Model("dup-spec");
        var spec = Samples.LlmEntry("dup-spec").ToJsonString();
        model.Remove("spec");
        var body = model.ToJsonString()[..^1] + ",\"spec\":[{\"version\":2," + spec[1..] + "]}";
        var response = await alice.PostAsync("/api/models", RawJson(body)).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Equal(["spec[0].version"], await ErrorKeysAsync(response));

        response = await alice.PostAsync("/api/models", RawJson("{\"name\":\"a\",\"name\":\"b\",\"type\":\"custom\"}")).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Equal(["name"], await ErrorKeysAsync(response));

        var created = await alice.PostAsJsonAsync("/api/models", Samples.Model("dup-spec"), HubApplication.Json).ExpectAsync(HttpStatusCode.Created);
        var patch = new HttpRequestMessage(HttpMethod.Patch, "/api/models/dup-spec") { Content = RawJson("{\"spec\":{\"version\":2," + spec[1..] + "}") };
        patch.Headers.TryAddWithoutValidation("If-Match", created.ETagOf());
        response = await alice.SendAsync(patch).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Equal(["spec.version"], await ErrorKeysAsync(response));
    }

    [Fact]
    public async Task NamesOfDotsOnlyAreRefused()
    {
        var alice = _app.ClientFor("alice");
        foreach (var name in new[] { ".", "..", "..." })
        {
            var response = await alice.PostAsJsonAsync("/api/models", new { name, type = "custom" }, HubApplication.Json).ExpectAsync(HttpStatusCode.BadRequest);
            Assert.Equal(["name"], await ErrorKeysAsync(response));
        }
        await alice.PostAsJsonAsync("/api/models", new { name = ".hidden-ok", type = "custom" }, HubApplication.Json).ExpectAsync(HttpStatusCode.Created);
    }

    [Fact]
    public async Task TagsHoldNoSeparatorSoATagFilterMatchesOneWholeTag()
    {
        var admin = _app.ClientFor("ada", "admin");
        var response = await admin.PostAsJsonAsync("/api/models", new { name = "piped", type = "custom", tags = new[] { "ok", "a|b" } }, HubApplication.Json)
            .ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Equal(["tags[1]"], await ErrorKeysAsync(response));

        await admin.PostAsJsonAsync("/api/models", new { name = "adjacent", type = "custom", tags = new[] { "a", "b" } }, HubApplication.Json).ExpectAsync(HttpStatusCode.Created);
        response = await admin.GetAsync("/api/models?tag=" + Uri.EscapeDataString("a|b")).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Equal(["tag"], await ErrorKeysAsync(response));
        var page = await admin.GetFromJsonAsync<ModelListResponse>("/api/models?tag=a", HubApplication.Json);
        Assert.Equal(["adjacent"], page!.Items.Select(m => m.Name));
    }

    [Fact]
    public async Task ACallerWhoMayNotChangeAModelHearsForbiddenWhateverItSends()
    {
        var admin = _app.ClientFor("ada", "admin");
        var created = await admin.PostAsJsonAsync("/api/models", Samples.Model("guarded", "public"), HubApplication.Json).ExpectAsync(HttpStatusCode.Created);
        await admin.PostAsJsonAsync("/api/models", Samples.Model("ada-private"), HubApplication.Json).ExpectAsync(HttpStatusCode.Created);
        var ursula = _app.ClientFor("ursula", "user");
        foreach (var body in new object[] { new { visibility = "bogus" }, new { description = 5 }, new { tags = new[] { "a|b" } }, new { name = "renamed" }, new { description = "fine" } })
        {
            await ursula.SendJsonAsync(HttpMethod.Patch, "/api/models/guarded", body, created.ETagOf()).ExpectAsync(HttpStatusCode.Forbidden);
            await ursula.SendJsonAsync(HttpMethod.Patch, "/api/models/ada-private", body, "*").ExpectAsync(HttpStatusCode.NotFound);
        }
        await _app.ClientFor(null).SendJsonAsync(HttpMethod.Patch, "/api/models/guarded", new { description = 5 }, created.ETagOf()).ExpectAsync(HttpStatusCode.Unauthorized);
        // Someone who may change it still hears which field was bad.
        var response = await admin.SendJsonAsync(HttpMethod.Patch, "/api/models/guarded", new { visibility = "bogus" }, created.ETagOf()).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Equal(["visibility"], await ErrorKeysAsync(response));
    }

    [Fact]
    public async Task StatusAndOwnerFiltersAndSortByUpdated()
    {
        var admin = _app.ClientFor("ada", "admin");
        foreach (var name in new[] { "upd-a", "upd-b", "upd-c" })
        {
            await admin.PostAsJsonAsync("/api/models", Samples.Model(name, "public"), HubApplication.Json).ExpectAsync(HttpStatusCode.Created);
        }
        await _app.ClientFor("bob").PostAsJsonAsync("/api/models", new { name = "bobs-model", type = "custom" }, HubApplication.Json).ExpectAsync(HttpStatusCode.Created);
        // Touch them out of name order: b, then a; c is the oldest change.
        await admin.SendJsonAsync(HttpMethod.Patch, "/api/models/upd-b", new { status = "inactive" }, "*").ExpectAsync(HttpStatusCode.OK);
        await admin.SendJsonAsync(HttpMethod.Patch, "/api/models/upd-a", new { description = "touched" }, "*").ExpectAsync(HttpStatusCode.OK);

        async Task<string[]> Names(string query) =>
            (await admin.GetFromJsonAsync<ModelListResponse>("/api/models?" + query, HubApplication.Json))!.Items.Select(m => m.Name).ToArray();

        Assert.Equal(["upd-b"], await Names("status=inactive"));
        Assert.Equal(["bobs-model", "upd-a", "upd-c"], await Names("status=active"));
        Assert.Equal(["bobs-model"], await Names("owner=bob"));
        Assert.Equal(["upd-a", "upd-b", "upd-c"], await Names("owner=ada"));
        Assert.Equal(["upd-a", "upd-b", "bobs-model", "upd-c"], await Names("sort=updated&order=desc"));
        Assert.Equal(["upd-c", "bobs-model", "upd-b", "upd-a"], await Names("sort=updated"));
        Assert.Equal(["upd-a", "upd-b", "upd-c"], await Names("owner=ada&sort=updated&order=desc"));
    }
}
