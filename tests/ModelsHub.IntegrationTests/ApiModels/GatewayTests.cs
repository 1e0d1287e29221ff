using System.ClientModel;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ModelsHub.IntegrationTests.Infrastructure;
using ModelsHub.Testing.AiProviders;
using OpenAI.Chat;

namespace ModelsHub.IntegrationTests.ApiModels;

/// <summary>The gateway driven by the official OpenAI .NET SDK pointed at the hub with a personal access token.</summary>
public sealed class GatewayTests : IAsyncLifetime
{
    private ApiModelHub _hub = null!;
    private HttpClient _admin = null!;

    public async Task InitializeAsync()
    {
        _hub = await ApiModelHub.StartAsync();
        _admin = _hub.App.ClientFor("ada", "admin");
        await _hub.RegisterOpenAiAsync(_admin, "gpt4o", visibility: "public");
        await _hub.RegisterAnthropicAsync(_admin, "claude", visibility: "public");
        await _hub.RegisterOpenAiAsync(_admin, "embedder", "text-embedding-3-small", type: "embedding", visibility: "public");
    }

    public async Task DisposeAsync() => await _hub.DisposeAsync();

    private async Task<string> GatewayTokenAsync(string user = "app-owner") =>
        await ApiModelHub.TokenAsync(_hub.App.ClientFor(user), "gateway");

    [Fact]
    public async Task TheOfficialOpenAiSdkChatsStreamsAndEmbedsThroughTheHub()
    {
        var client = _hub.OpenAiClientFor(await GatewayTokenAsync());

        foreach (var model in new[] { "gpt4o", "claude" })
        {
            var chat = client.GetChatClient(model);
            ChatCompletion completion = await chat.CompleteChatAsync([new UserChatMessage("Hello gateway")], new ChatCompletionOptions { MaxOutputTokenCount = 40 });
            Assert.Contains("says: Hello gateway", completion.Content[0].Text);
            Assert.Equal(ChatFinishReason.Stop, completion.FinishReason);
            Assert.Equal(model, completion.Model);
            Assert.True(completion.Usage.OutputTokenCount > 0);

            var streamed = "";
            ChatTokenUsage? usage = null;
            await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage("Stream it")]))
            {
                streamed += string.Concat(update.ContentUpdate.Select(p => p.Text));
                usage = update.Usage ?? usage;
            }
            Assert.Contains("says: Stream it", streamed);
            Assert.True(usage?.OutputTokenCount > 0, $"{model}: the usage chunk arrives");
        }

        var embeddings = await client.GetEmbeddingClient("embedder").GenerateEmbeddingsAsync(["a cat", "a dog"]);
        Assert.Equal(FakeOpenAI.ExpectedVector("a dog"), embeddings.Value[1].ToFloats().ToArray());
        // Provider keys never leave the hub: the providers saw the hub's keys, never the app's token.
        Assert.All(_hub.OpenAi.Requests, r => Assert.Equal("Bearer " + ApiModelHub.OpenAiKey, r.Authorization));
    }

    [Fact]
    public async Task AStreamPassesEachChunkOnAsItArrives()
    {
        _hub.OpenAi.ChunkDelay = TimeSpan.FromMilliseconds(300);
        var client = _hub.ClientWithToken(await GatewayTokenAsync());
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/chat/completions")
        {
            Content = JsonContent.Create(new { model = "gpt4o", stream = true, messages = new[] { new { role = "user", content = "one two three four" } } }),
        };
        var started = DateTime.UtcNow;
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var firstContent = "";
        while (await reader.ReadLineAsync() is { } line)
        {
            if (line.StartsWith("data: {", StringComparison.Ordinal) && line.Contains("\"content\":\"O", StringComparison.Ordinal))
            {
                firstContent = line;
                break;
            }
        }
        var firstAt = DateTime.UtcNow - started;
        var rest = await reader.ReadToEndAsync();
        var total = DateTime.UtcNow - started;
        _hub.OpenAi.ChunkDelay = TimeSpan.Zero;

        Assert.NotEmpty(firstContent);
        // 12 words at 300 ms: the whole answer takes seconds; its first words arrive long before.
        Assert.True(total - firstAt > TimeSpan.FromSeconds(2), $"first {firstAt}, total {total}: chunks were buffered");
        Assert.EndsWith("data: [DONE]", rest.TrimEnd());
    }

    [Theory]
    [InlineData(FakeFault.RateLimited, 429, "rate_limited")]
    [InlineData(FakeFault.ServerError, 502, "provider_error")]
    [InlineData(FakeFault.Hang, 504, "timeout")]
    public async Task AProviderFailureIsACleanErrorAndIsRecordedWithItsClass(FakeFault fault, int status, string errorClass)
    {
        var token = await GatewayTokenAsync("failing-app");
        var chat = _hub.OpenAiClientFor(token).GetChatClient("gpt4o");
        _hub.OpenAi.FailNext(fault);

        var failure = await Assert.ThrowsAsync<ClientResultException>(() => chat.CompleteChatAsync([new UserChatMessage("hi")]));

        Assert.Equal(status, failure.Status);
        var body = JsonDocument.Parse(failure.GetRawResponse()!.Content.ToString()).RootElement;
        Assert.Equal(errorClass, body.GetProperty("error").GetProperty("code").GetString());
        if (fault == FakeFault.RateLimited)
        {
            Assert.True(failure.GetRawResponse()!.Headers.TryGetValue("Retry-After", out var retryAfter) && int.Parse(retryAfter!) >= 1);
        }
        var calls = await (await _admin.GetAsync("/api/models/gpt4o/usage/calls?failures=true").ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        var recorded = calls.GetProperty("items").EnumerateArray().First(c => c.GetProperty("user").GetString() == "failing-app");
        Assert.Equal(errorClass, recorded.GetProperty("errorClass").GetString());
        Assert.StartsWith("pat_", recorded.GetProperty("tokenId").GetString());
    }

    [Fact]
    public async Task AStreamCutHalfwayEndsWithAnErrorEventAndIsRecordedAsAProviderError()
    {
        foreach (var (model, fake) in new (string, FakeAiServer)[] { ("gpt4o", _hub.OpenAi), ("claude", _hub.Anthropic) })
        {
            var client = _hub.ClientWithToken(await GatewayTokenAsync("cut-app"));
            fake.FailNext(FakeFault.CutStream);
            var response = await client.PostAsJsonAsync("/api/v1/chat/completions",
                new { model, stream = true, messages = new[] { new { role = "user", content = "a b c d e f g h" } } }).ExpectAsync(HttpStatusCode.OK);
            var events = (await response.Content.ReadAsStringAsync()).Split("\n\n", StringSplitOptions.RemoveEmptyEntries);

            Assert.Contains(events, e => e.Contains("\"content\":", StringComparison.Ordinal));
            Assert.Contains("\"code\":\"provider_error\"", events[^1]);
            Assert.DoesNotContain(events, e => e.Contains("[DONE]", StringComparison.Ordinal));
        }
        var calls = await (await _admin.GetAsync("/api/models/claude/usage/calls?failures=true")).JsonAsync();
        Assert.Contains(calls.GetProperty("items").EnumerateArray(), c => c.GetProperty("errorClass").GetString() == "provider_error" && c.GetProperty("streamed").GetBoolean());
    }

    [Fact]
    public async Task AnInactiveModelRefusesGatewayCallsWith409AndTheRefusalIsCounted()
    {
        await _admin.PostAsync("/api/models/claude/toggle-status", null).ExpectAsync(HttpStatusCode.OK);
        var chat = _hub.OpenAiClientFor(await GatewayTokenAsync("inactive-app")).GetChatClient("claude");

        var failure = await Assert.ThrowsAsync<ClientResultException>(() => chat.CompleteChatAsync([new UserChatMessage("hi")]));

        Assert.Equal(409, failure.Status);
        Assert.Contains("inactive", failure.GetRawResponse()!.Content.ToString());
        var usage = await (await _admin.GetAsync("/api/models/claude/usage?by=user").ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        var group = usage.GetProperty("groups").EnumerateArray().Single(g => g.GetProperty("key").GetString() == "inactive-app");
        Assert.Equal(1, group.GetProperty("totals").GetProperty("errors").GetProperty("inactive").GetInt64());
        await _admin.PostAsync("/api/models/claude/toggle-status", null).ExpectAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task ConcurrentCallsOnOneModelAreAllCounted()
    {
        var tokens = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => GatewayTokenAsync($"busy-{i}")));
        var clients = tokens.Select(t => _hub.OpenAiClientFor(t).GetChatClient("gpt4o")).ToArray();

        await Task.WhenAll(Enumerable.Range(0, 200).Select(i => clients[i % 4].CompleteChatAsync([new UserChatMessage($"call {i}")])));

        var usage = await (await _admin.GetAsync("/api/models/gpt4o/usage?by=user&granularity=day").ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        var busy = usage.GetProperty("groups").EnumerateArray().Where(g => g.GetProperty("key").GetString()!.StartsWith("busy-")).ToList();
        Assert.Equal(4, busy.Count);
        Assert.All(busy, g => Assert.Equal(50, g.GetProperty("totals").GetProperty("calls").GetInt64()));
        Assert.All(busy, g => Assert.Equal(1.0, g.GetProperty("totals").GetProperty("successRate").GetDouble()));
        var latency = busy[0].GetProperty("totals").GetProperty("latencyMs");
        Assert.True(latency.GetProperty("p50").GetDouble() <= latency.GetProperty("p95").GetDouble());
        Assert.True(latency.GetProperty("p95").GetDouble() <= latency.GetProperty("p99").GetDouble());
    }

    [Fact]
    public async Task ATokenRevokedWhileInUseStopsWorkingAtOnce()
    {
        var owner = _hub.App.ClientFor("revoker");
        var created = await (await owner.PostAsJsonAsync("/api/me/tokens", new { name = "ci", scopes = new[] { "gateway" } }).ExpectAsync(HttpStatusCode.Created)).JsonAsync();
        var chat = _hub.OpenAiClientFor(created.GetProperty("token").GetString()!).GetChatClient("gpt4o");
        await chat.CompleteChatAsync([new UserChatMessage("before")]);

        await owner.DeleteAsync($"/api/me/tokens/{created.GetProperty("id").GetString()}").ExpectAsync(HttpStatusCode.NoContent);

        var failure = await Assert.ThrowsAsync<ClientResultException>(() => chat.CompleteChatAsync([new UserChatMessage("after")]));
        Assert.Equal(401, failure.Status);
    }

    [Fact]
    public async Task ATokenWithoutTheGatewayScopeIsRefused()
    {
        var readOnly = await ApiModelHub.TokenAsync(_hub.App.ClientFor("reader"), "read");
        var chat = _hub.OpenAiClientFor(readOnly).GetChatClient("gpt4o");
        var before = _hub.OpenAi.Calls;

        var failure = await Assert.ThrowsAsync<ClientResultException>(() => chat.CompleteChatAsync([new UserChatMessage("hi")]));

        Assert.Equal(403, failure.Status);
        Assert.Contains("gateway", JsonDocument.Parse(failure.GetRawResponse()!.Content.ToString()).RootElement.GetProperty("error").GetProperty("message").GetString());
        Assert.Equal(before, _hub.OpenAi.Calls);
        // The read scope reads the catalog, and nothing else.
        var reader = _hub.ClientWithToken(readOnly);
        await reader.GetAsync("/api/models/gpt4o").ExpectAsync(HttpStatusCode.OK);
        await reader.PostAsJsonAsync("/api/models", new { name = "nope", type = "custom" }).ExpectAsync(HttpStatusCode.Forbidden);
        await reader.GetAsync("/api/me/tokens").ExpectAsync(HttpStatusCode.Forbidden);
    }

    [Theory]
    [InlineData("{\"messages\": [{\"role\": \"user\", \"content\": \"x\"}]}", "model")]
    [InlineData("{\"model\": \"gpt4o\"}", "messages")]
    [InlineData("{\"model\": \"gpt4o\", \"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"temperature\": 3}", "temperature")]
    [InlineData("{\"model\": \"gpt4o\", \"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"n\": 2}", "n")]
    [InlineData("{\"model\": \"gpt4o\", \"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"tools\": [{\"type\": \"function\"}]}", "tools")]
    [InlineData("{\"model\": \"gpt4o\", \"messages\": [{\"role\": \"user\", \"content\": [{\"type\": \"image_url\"}]}]}", "messages[0].content[0]")]
    public async Task BadGatewayRequestsNameTheFieldInBothErrorShapes(string body, string field)
    {
        var client = _hub.ClientWithToken(await GatewayTokenAsync());

        var response = await client.PostAsync("/api/v1/chat/completions", new StringContent(body, System.Text.Encoding.UTF8, "application/json"))
            .ExpectAsync(HttpStatusCode.BadRequest);

        var problem = await response.JsonAsync();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.GetRawText());
        Assert.Equal(field, problem.GetProperty("error").GetProperty("param").GetString());
        Assert.Equal("invalid_request_error", problem.GetProperty("error").GetProperty("type").GetString());
    }

    [Fact]
    public async Task AModelTheCallerMayNotSeeIsNotFound()
    {
        await _hub.RegisterOpenAiAsync(_admin, "admins-only");
        var chat = _hub.OpenAiClientFor(await GatewayTokenAsync("outsider")).GetChatClient("admins-only");

        var failure = await Assert.ThrowsAsync<ClientResultException>(() => chat.CompleteChatAsync([new UserChatMessage("hi")]));

        Assert.Equal(404, failure.Status);
    }
}
