using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ModelsHub.IntegrationTests.Infrastructure;
using ModelsHub.Testing.AiProviders;
using OpenAI.Chat;

namespace ModelsHub.IntegrationTests.ApiModels;

/// <summary>Usage reports (per model and user with percentiles, your own, the hub's) and seed 004's /api/v1/ai-models surface.</summary>
public sealed class UsageAndSeedApiTests : IAsyncLifetime
{
    private ApiModelHub _hub = null!;
    private HttpClient _admin = null!;

    public async Task InitializeAsync()
    {
        _hub = await ApiModelHub.StartAsync();
        _admin = _hub.App.ClientFor("ada", "admin");
    }

    public async Task DisposeAsync() => await _hub.DisposeAsync();

    [Fact]
    public async Task UsageComesPerUserWithPercentilesYourOwnAndHubWide()
    {
        await _hub.RegisterOpenAiAsync(_admin, "reported", visibility: "public");
        var ann = _hub.OpenAiClientFor(await ApiModelHub.TokenAsync(_hub.App.ClientFor("ann"), "gateway")).GetChatClient("reported");
        var bob = _hub.OpenAiClientFor(await ApiModelHub.TokenAsync(_hub.App.ClientFor("bob"), "gateway")).GetChatClient("reported");
        for (var i = 0; i < 6; i++) await ann.CompleteChatAsync([new UserChatMessage($"ann {i}")]);
        await bob.CompleteChatAsync([new UserChatMessage("bob")]);
        _hub.OpenAi.FailNext(FakeFault.RateLimited);
        await Assert.ThrowsAnyAsync<Exception>(() => bob.CompleteChatAsync([new UserChatMessage("bob again")]));
        await _admin.PostAsJsonAsync("/api/models/reported/test", new { input_data = new { prompt = "admin test" } }).ExpectAsync(HttpStatusCode.OK);

        var report = await (await _admin.GetAsync("/api/models/reported/usage?by=user&granularity=day").ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.Equal(9, report.GetProperty("totals").GetProperty("calls").GetInt64());
        var groups = report.GetProperty("groups").EnumerateArray().ToDictionary(g => g.GetProperty("key").GetString()!);
        Assert.Equal(["ann", "bob", "ada"], report.GetProperty("groups").EnumerateArray().Select(g => g.GetProperty("key").GetString()));
        var annTotals = groups["ann"].GetProperty("totals");
        Assert.Equal(6, annTotals.GetProperty("calls").GetInt64());
        Assert.True(annTotals.GetProperty("tokensOut").GetInt64() > 0);
        foreach (var p in new[] { "p50", "p95", "p99", "mean" })
        {
            Assert.True(annTotals.GetProperty("latencyMs").GetProperty(p).GetDouble() > 0, p);
        }
        var bobTotals = groups["bob"].GetProperty("totals");
        Assert.Equal(0.5, bobTotals.GetProperty("successRate").GetDouble());
        Assert.Equal(1, bobTotals.GetProperty("errors").GetProperty("rate_limited").GetInt64());
        Assert.Single(groups["ann"].GetProperty("buckets").EnumerateArray());

        var mine = await (await _hub.App.ClientFor("ann").GetAsync("/api/me/usage?by=model").ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.Equal(6, mine.GetProperty("totals").GetProperty("calls").GetInt64());
        Assert.Equal("reported", mine.GetProperty("groups")[0].GetProperty("key").GetString());

        var hub = await (await _admin.GetAsync("/api/usage?top=2").ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.Equal("reported", hub.GetProperty("topModels")[0].GetProperty("key").GetString());
        Assert.Equal(["ann", "bob"], hub.GetProperty("topUsers").EnumerateArray().Select(u => u.GetProperty("key").GetString()));
        await _hub.App.ClientFor("ann").GetAsync("/api/usage").ExpectAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task AUsageAnswerIsServedAgainWith304UntilTheNextCallsAreRecordedThenShowsThem()
    {
        await _hub.RegisterOpenAiAsync(_admin, "polled", visibility: "public");
        var chat = _hub.OpenAiClientFor(await ApiModelHub.TokenAsync(_hub.App.ClientFor("cal"), "gateway")).GetChatClient("polled");
        await chat.CompleteChatAsync([new UserChatMessage("first")]);
        const string url = "/api/models/polled/usage?by=user&granularity=day";

        var first = await _admin.GetAsync(url).ExpectAsync(HttpStatusCode.OK);
        var etag = first.Headers.ETag ?? throw new Xunit.Sdk.XunitException("A usage answer carries an ETag.");
        Assert.False(etag.IsWeak);
        Assert.Equal(1, (await first.JsonAsync()).GetProperty("totals").GetProperty("calls").GetInt64());
        var again = await _admin.GetAsync(url).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(etag, again.Headers.ETag);

        using var conditional = new HttpRequestMessage(HttpMethod.Get, url) { Headers = { IfNoneMatch = { etag } } };
        var unchanged = await _admin.SendAsync(conditional);
        Assert.Equal(HttpStatusCode.NotModified, unchanged.StatusCode);
        Assert.Empty(await unchanged.Content.ReadAsByteArrayAsync());

        // A call recorded since (the report flushes the recorder first) makes another answer and another ETag.
        await chat.CompleteChatAsync([new UserChatMessage("second")]);
        using var stale = new HttpRequestMessage(HttpMethod.Get, url) { Headers = { IfNoneMatch = { etag } } };
        var changed = await _admin.SendAsync(stale).ExpectAsync(HttpStatusCode.OK);
        Assert.NotEqual(etag, changed.Headers.ETag);
        var report = await changed.JsonAsync();
        Assert.Equal(2, report.GetProperty("totals").GetProperty("calls").GetInt64());
        Assert.Equal(2, report.GetProperty("groups")[0].GetProperty("totals").GetProperty("calls").GetInt64());
        // The caller's own report shows the new call too.
        var mine = await _hub.App.ClientFor("cal").GetAsync("/api/me/usage?by=model").ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(2, (await mine.JsonAsync()).GetProperty("totals").GetProperty("calls").GetInt64());
    }

    [Theory]
    [InlineData("granularity=week", "granularity")]
    [InlineData("by=team", "by")]
    [InlineData("by=model", "by")]
    [InlineData("from=yesterday", "from")]
    [InlineData("from=2027-02-01T00:00:00Z&to=2027-01-01T00:00:00Z", "from")]
    [InlineData("from=2026-01-01T00:00:00Z&to=2027-03-01T00:00:00Z&granularity=hour", "to")]
    public async Task BadUsageQueriesNameTheParameter(string query, string field)
    {
        await _hub.RegisterOpenAiAsync(_admin, "queried");

        var response = await _admin.GetAsync($"/api/models/queried/usage?{query}").ExpectAsync(HttpStatusCode.BadRequest);

        Assert.True((await response.JsonAsync()).GetProperty("errors").TryGetProperty(field, out _), await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task SeedFourSurfaceCreatesTestsAndTogglesTheSameModelsInItsOwnFieldNames()
    {
        var created = await (await _admin.PostAsJsonAsync("/api/v1/ai-models/", new
        {
            name = "GPT-4",
            version = "4.0",
            type = "llm",
            framework = "openai",
            source = "openai",
            description = "OpenAI 最新的大語言模型",
            endpoint = _hub.OpenAi.BaseUrl + "/chat/completions",
            model_id = "gpt-4o",
            api_key = ApiModelHub.OpenAiKey,
        }).ExpectAsync(HttpStatusCode.Created)).JsonAsync();

        Assert.Equal("GPT-4", created.GetProperty("id").GetString());
        Assert.Equal("4.0", created.GetProperty("version").GetString());
        Assert.Equal("openai", created.GetProperty("framework").GetString());
        Assert.Equal(_hub.OpenAi.BaseUrl.ToString().TrimEnd('/'), created.GetProperty("endpoint").GetString());
        Assert.Equal("abcd", created.GetProperty("api_key_last_four").GetString());
        Assert.DoesNotContain(ApiModelHub.OpenAiKey, created.GetRawText());
        // The same model under /api/models.
        var model = await (await _admin.GetAsync("/api/models/GPT-4").ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.Equal("gpt-4o", model.GetProperty("provider").GetProperty("modelId").GetString());
        Assert.Equal("OpenAI 最新的大語言模型", model.GetProperty("description").GetString());

        var test = await (await _admin.PostAsJsonAsync("/api/v1/ai-models/GPT-4/test", new { input_data = new { prompt = "Hello, how are you?", max_tokens = 100 } })
            .ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.Contains("Hello, how are you?", test.GetProperty("output").GetString());
        Assert.True(test.GetProperty("usage").GetProperty("output_tokens").GetInt64() > 0);
        Assert.True(test.GetProperty("latency_ms").GetDouble() > 0);
        Assert.Equal("4.0", test.GetProperty("version").GetString());

        var stopped = await (await _admin.PostAsync("/api/v1/ai-models/GPT-4/toggle-status", null).ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.Equal("inactive", stopped.GetProperty("status").GetString());
        await _admin.PostAsJsonAsync("/api/v1/ai-models/GPT-4/test", new { input_data = new { prompt = "hi" } }).ExpectAsync(HttpStatusCode.Conflict);

        var list = await (await _admin.GetAsync("/api/v1/ai-models/?source=openai&status=inactive").ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        var listed = Assert.Single(list.GetProperty("items").EnumerateArray());
        Assert.Equal("gpt-4o", listed.GetProperty("model_id").GetString());
        Assert.Equal("4.0", listed.GetProperty("version").GetString());
        // Usage per version: the test call counted under the seed's version label.
        var usage = await (await _admin.GetAsync("/api/models/GPT-4/usage?by=version").ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.Contains(usage.GetProperty("groups").EnumerateArray(), g => g.GetProperty("key").GetString() == "4.0");
    }

    [Fact]
    public async Task SeedFourCreateRefusesABadKeyByItsSeedFieldNameAndStoresNothing()
    {
        var refused = await _admin.PostAsJsonAsync("/api/v1/ai-models", new
        {
            name = "Claude",
            type = "llm",
            source = "anthropic",
            endpoint = _hub.Anthropic.BaseUrl.ToString(),
            model_id = "claude-sonnet-4-5",
            api_key = "sk-ant-not-a-real-key-000000",
        }).ExpectAsync(HttpStatusCode.BadRequest);

        Assert.True((await refused.JsonAsync()).GetProperty("errors").TryGetProperty("api_key", out _));
        await _admin.GetAsync("/api/v1/ai-models/Claude").ExpectAsync(HttpStatusCode.NotFound);
        var unknownField = await _admin.PostAsJsonAsync("/api/v1/ai-models", new { name = "x", type = "llm", colour = "red" }).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.True((await unknownField.JsonAsync()).GetProperty("errors").TryGetProperty("colour", out _));
        var badType = await _admin.PostAsJsonAsync("/api/v1/ai-models", new { name = "x", type = "robot" }).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.True((await badType.JsonAsync()).GetProperty("errors").TryGetProperty("type", out _));
    }

    [Fact]
    public async Task SeedFourCreatesAFileBackedModelWithItsVersionAndAVisionModelAsAnImageModel()
    {
        var created = await (await _hub.App.ClientFor("carol").PostAsJsonAsync("/api/v1/ai-models", new
        {
            name = "resnet-50", version = "1.0", type = "vision", framework = "pytorch", source = "upload", description = "ImageNet classifier",
        }).ExpectAsync(HttpStatusCode.Created)).JsonAsync();

        Assert.Equal("image", created.GetProperty("type").GetString());
        var versions = await (await _hub.App.ClientFor("carol").GetAsync("/api/models/resnet-50/versions").ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.Equal("1.0", versions.GetProperty("items")[0].GetProperty("label").GetString());
    }
}
