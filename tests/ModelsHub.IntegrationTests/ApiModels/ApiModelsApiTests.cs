using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ModelsHub.IntegrationTests.Infrastructure;
using ModelsHub.Testing.AiProviders;

namespace ModelsHub.IntegrationTests.ApiModels;

/// <summary>API models on the embedded profile: provider blocks with write-only keys, free verification, test calls, start/stop.</summary>
public sealed class ApiModelsApiTests : IAsyncLifetime
{
    private ApiModelHub _hub = null!;

    public async Task InitializeAsync() => _hub = await ApiModelHub.StartAsync();

    public async Task DisposeAsync() => await _hub.DisposeAsync();

    [Fact]
    public async Task RegistersVerifiesTestsStopsAndStartsOpenAiAndAnthropicModels()
    {
        var admin = _hub.App.ClientFor("ada", "admin");

        var openAi = await _hub.RegisterOpenAiAsync(admin, "gpt4o");
        var anthropic = await _hub.RegisterAnthropicAsync(admin, "claude");

        Assert.Equal("abcd", openAi.GetProperty("keyLastFour").GetString());
        Assert.True(openAi.GetProperty("verification").GetProperty("ok").GetBoolean());
        Assert.Equal("wxyz", anthropic.GetProperty("keyLastFour").GetString());
        Assert.Equal("anthropic", anthropic.GetProperty("kind").GetString());
        // Verification cost nothing: model look-ups only, no completion.
        Assert.DoesNotContain(_hub.OpenAi.Requests, r => r.Method == "POST");
        Assert.DoesNotContain(_hub.Anthropic.Requests, r => r.Method == "POST");

        foreach (var name in new[] { "gpt4o", "claude" })
        {
            var model = await (await admin.GetAsync($"/api/models/{name}")).JsonAsync();
            var text = model.GetRawText();
            Assert.DoesNotContain(ApiModelHub.OpenAiKey, text);
            Assert.DoesNotContain(ApiModelHub.AnthropicKey, text);
            Assert.DoesNotContain("protectedKey", text);

            var test = await (await admin.PostAsJsonAsync($"/api/models/{name}/test", new { input_data = new { prompt = "Hello, how are you?", max_tokens = 100 } })
                .ExpectAsync(HttpStatusCode.OK)).JsonAsync();
            Assert.Contains("says: Hello, how are you?", test.GetProperty("output").GetString());
            Assert.Equal("stop", test.GetProperty("finishReason").GetString());
            Assert.True(test.GetProperty("tokensIn").GetInt64() > 0);
            Assert.True(test.GetProperty("tokensOut").GetInt64() > 0);
            Assert.True(test.GetProperty("latencyMs").GetDouble() > 0);

            var stopped = await (await admin.PostAsync($"/api/models/{name}/toggle-status", null).ExpectAsync(HttpStatusCode.OK)).JsonAsync();
            Assert.Equal("inactive", stopped.GetProperty("status").GetString());
            var refused = await admin.PostAsJsonAsync($"/api/models/{name}/test", new { input_data = new { prompt = "hi" } }).ExpectAsync(HttpStatusCode.Conflict);
            Assert.Contains("inactive", (await refused.JsonAsync()).GetProperty("detail").GetString());
            var started = await (await admin.PostAsync($"/api/models/{name}/toggle-status", null).ExpectAsync(HttpStatusCode.OK)).JsonAsync();
            Assert.Equal("active", started.GetProperty("status").GetString());
            await admin.PostAsJsonAsync($"/api/models/{name}/test", new { input_data = new { prompt = "again" } }).ExpectAsync(HttpStatusCode.OK);
        }
        // The provider got the provider's key, never the caller's token.
        Assert.Contains(_hub.OpenAi.Requests, r => r is { Path: "/v1/chat/completions", Authorization: "Bearer " + ApiModelHub.OpenAiKey });
    }

    [Fact]
    public async Task AKeyThatFailsVerificationIsA400NamingTheKeyAndStoresNothing()
    {
        var admin = _hub.App.ClientFor("ada", "admin");
        await admin.PostAsJsonAsync("/api/models", new { name = "bad-key", type = "llm", source = "openai" }, HubApplication.Json).ExpectAsync(HttpStatusCode.Created);

        var refused = await admin.SendJsonAsync(HttpMethod.Put, "/api/models/bad-key/provider",
            new { endpoint = _hub.OpenAi.BaseUrl.ToString(), modelId = "gpt-4o", apiKey = "sk-wrong-000000000000000" }).ExpectAsync(HttpStatusCode.BadRequest);
        var problem = await refused.JsonAsync();
        Assert.True(problem.GetProperty("errors").TryGetProperty("apiKey", out _), problem.GetRawText());
        Assert.DoesNotContain("sk-wrong", problem.GetRawText());
        var unknownModel = await admin.SendJsonAsync(HttpMethod.Put, "/api/models/bad-key/provider",
            new { endpoint = _hub.OpenAi.BaseUrl.ToString(), modelId = "gpt-17", apiKey = ApiModelHub.OpenAiKey }).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.True((await unknownModel.JsonAsync()).GetProperty("errors").TryGetProperty("modelId", out _));

        await admin.GetAsync("/api/models/bad-key/provider").ExpectAsync(HttpStatusCode.NotFound);
        Assert.Equal(JsonValueKind.Null, (await (await admin.GetAsync("/api/models/bad-key")).JsonAsync()).GetProperty("provider").ValueKind);
    }

    [Fact]
    public async Task AnUnreachableProviderIsA502AndAVerifyRecordsARevokedKey()
    {
        var admin = _hub.App.ClientFor("ada", "admin");
        await admin.PostAsJsonAsync("/api/models", new { name = "nowhere", type = "llm", source = "openai-compatible" }, HubApplication.Json).ExpectAsync(HttpStatusCode.Created);
        await admin.SendJsonAsync(HttpMethod.Put, "/api/models/nowhere/provider", new { endpoint = "http://127.0.0.1:9/v1", modelId = "qwen" })
            .ExpectAsync(HttpStatusCode.BadGateway);
        await admin.GetAsync("/api/models/nowhere/provider").ExpectAsync(HttpStatusCode.NotFound);

        await _hub.RegisterOpenAiAsync(admin, "revoked");
        _hub.OpenAi.RemoveKey(ApiModelHub.OpenAiKey);
        await admin.PostAsync("/api/models/revoked/provider/verify", null).ExpectAsync(HttpStatusCode.BadRequest);
        var provider = await (await admin.GetAsync("/api/models/revoked/provider")).JsonAsync();
        Assert.False(provider.GetProperty("verification").GetProperty("ok").GetBoolean());
        Assert.Contains("401", provider.GetProperty("verification").GetProperty("error").GetString());
        _hub.OpenAi.AddKey(ApiModelHub.OpenAiKey);
    }

    [Fact]
    public async Task AStoredKeyIsNeverSentToANewEndpoint()
    {
        var admin = _hub.App.ClientFor("ada", "admin");
        await _hub.RegisterOpenAiAsync(admin, "pinned");

        var refused = await admin.SendJsonAsync(HttpMethod.Put, "/api/models/pinned/provider", new { endpoint = "http://127.0.0.1:9/v1" })
            .ExpectAsync(HttpStatusCode.BadRequest);
        Assert.True((await refused.JsonAsync()).GetProperty("errors").TryGetProperty("apiKey", out _));
        // The version label changes without the key: same endpoint, same model.
        var relabelled = await (await admin.SendJsonAsync(HttpMethod.Put, "/api/models/pinned/provider", new { version = "4.1" }).ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.Equal("4.1", relabelled.GetProperty("version").GetString());
        Assert.Equal("abcd", relabelled.GetProperty("keyLastFour").GetString());
    }

    [Fact]
    public async Task OnlySourcesManageHoldersSetProviders()
    {
        var owner = _hub.App.ClientFor("bob");
        await owner.PostAsJsonAsync("/api/models", new { name = "bobs", type = "llm", source = "openai" }, HubApplication.Json).ExpectAsync(HttpStatusCode.Created);

        var refused = await owner.SendJsonAsync(HttpMethod.Put, "/api/models/bobs/provider", new { modelId = "gpt-4o", apiKey = ApiModelHub.OpenAiKey })
            .ExpectAsync(HttpStatusCode.Forbidden);
        Assert.Contains("sources.manage", (await refused.JsonAsync()).GetProperty("detail").GetString());
        Assert.Empty(_hub.OpenAi.Requests);
    }

    [Theory]
    [InlineData("{\"input_data\": {\"prompt\": 5}}", "input_data.prompt")]
    [InlineData("{\"input_data\": {\"max_tokens\": 0, \"prompt\": \"x\"}}", "input_data.max_tokens")]
    [InlineData("{\"input_data\": {\"temperature\": 9, \"prompt\": \"x\"}}", "input_data.temperature")]
    [InlineData("{\"input_data\": {}}", "input_data.prompt")]
    [InlineData("{\"input\": {}}", "input")]
    [InlineData("{\"input_data\": {\"messages\": [{\"role\": \"robot\", \"content\": \"x\"}]}}", "input_data.messages[0].role")]
    public async Task BadTestInputIsAProblemNamingTheField(string body, string field)
    {
        var admin = _hub.App.ClientFor("ada", "admin");
        await _hub.RegisterOpenAiAsync(admin, "input-checks");
        var before = _hub.OpenAi.Calls;

        var response = await admin.PostAsync("/api/models/input-checks/test", new StringContent(body, System.Text.Encoding.UTF8, "application/json"))
            .ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.True((await response.JsonAsync()).GetProperty("errors").TryGetProperty(field, out _), await response.Content.ReadAsStringAsync());
        Assert.Equal(before, _hub.OpenAi.Calls);
    }

    [Fact]
    public async Task AnEmbeddingModelsTestShowsTheVectorsSizeAndFirstValues()
    {
        var admin = _hub.App.ClientFor("ada", "admin");
        await _hub.RegisterOpenAiAsync(admin, "embedder", "text-embedding-3-small", type: "embedding");

        var test = await (await admin.PostAsJsonAsync("/api/models/embedder/test", new { input_data = new { prompt = "a cat" } }).ExpectAsync(HttpStatusCode.OK)).JsonAsync();

        var embedding = test.GetProperty("embedding");
        Assert.Equal(FakeOpenAI.EmbeddingDimensions, embedding.GetProperty("dimensions").GetInt32());
        Assert.Equal(FakeOpenAI.ExpectedVector("a cat")[..8], embedding.GetProperty("firstValues").EnumerateArray().Select(v => v.GetSingle()).ToArray());
    }
}
