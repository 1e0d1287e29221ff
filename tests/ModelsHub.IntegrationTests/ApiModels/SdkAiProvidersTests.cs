using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using ModelsHub.Contracts.ApiModels;
using ModelsHub.Contracts.Usage;
using ModelsHub.Core.ApiModels;
using ModelsHub.Core.Usage;
using ModelsHub.Infrastructure.AiProviders;
using ModelsHub.Testing.AiProviders;

namespace ModelsHub.IntegrationTests.ApiModels;

/// <summary>The SDK adapter against the fakes: the official OpenAI and Anthropic SDKs, through Microsoft.Extensions.AI, and how their failures are classed.</summary>
public sealed class SdkAiProvidersTests : IAsyncLifetime
{
    private const string OpenAiKey = "sk-test-openai-0000000000001234";
    private const string AnthropicKey = "sk-ant-test-000000000000005678";
    private FakeOpenAI _openAi = null!;
    private FakeAnthropic _anthropic = null!;
    private SdkAiProviders _providers = null!;

    public async Task InitializeAsync()
    {
        _openAi = await FakeOpenAI.StartAsync();
        _openAi.AddKey(OpenAiKey);
        _openAi.AddModel("gpt-4o", "GPT-4o");
        _openAi.AddModel("text-embedding-3-small", "Embeddings");
        _anthropic = await FakeAnthropic.StartAsync();
        _anthropic.AddKey(AnthropicKey);
        _anthropic.AddModel("claude-sonnet-4-5", "Claude Sonnet 4.5");
        _providers = new SdkAiProviders(Options.Create(new AiProviderOptions { Timeout = TimeSpan.FromSeconds(2) }));
    }

    public async Task DisposeAsync()
    {
        _providers.Dispose();
        await _openAi.DisposeAsync();
        await _anthropic.DisposeAsync();
    }

    private InferenceTarget OpenAi(string model = "gpt-4o", string key = OpenAiKey) => new(ProviderKind.Openai, _openAi.BaseUrl, model, key);

    private InferenceTarget Anthropic(string model = "claude-sonnet-4-5", string key = AnthropicKey) => new(ProviderKind.Anthropic, _anthropic.BaseUrl, model, key);

    [Fact]
    public async Task VerifiesOpenAiAndAnthropicKeysWithTheFreeModelLookUp()
    {
        var openAi = await _providers.VerifyAsync(OpenAi(), default);
        var anthropic = await _providers.VerifyAsync(Anthropic(), default);

        Assert.Equal("gpt-4o", openAi.Id);
        Assert.Equal("Claude Sonnet 4.5", anthropic.DisplayName);
        Assert.Contains(_openAi.Requests, r => r is { Method: "GET", Path: "/v1/models/gpt-4o", Authorization: "Bearer " + OpenAiKey });
        Assert.Contains(_anthropic.Requests, r => r is { Method: "GET", Path: "/v1/models/claude-sonnet-4-5" } && (r.ApiKeyHeader ?? r.Authorization) is AnthropicKey or "Bearer " + AnthropicKey && r.AnthropicVersion != null);
        Assert.DoesNotContain(_openAi.Requests, r => r.Method == "POST");
    }

    [Fact]
    public async Task ABadKeyIsAnAuthFailureAndAnUnknownModelABadRequest()
    {
        var badKey = await Assert.ThrowsAsync<ModelCallException>(() => _providers.VerifyAsync(OpenAi(key: "sk-wrong-key-00000000000000"), default));
        var badAnthropicKey = await Assert.ThrowsAsync<ModelCallException>(() => _providers.VerifyAsync(Anthropic(key: "sk-ant-wrong-0000000000000"), default));
        var unknown = await Assert.ThrowsAsync<ModelCallException>(() => _providers.VerifyAsync(OpenAi("gpt-9"), default));
        var unknownClaude = await Assert.ThrowsAsync<ModelCallException>(() => _providers.VerifyAsync(Anthropic("claude-9"), default));

        Assert.Equal((UsageErrorClass.Auth, 401), (badKey.ErrorClass, badKey.ProviderStatus));
        Assert.DoesNotContain("sk-wrong-key", badKey.Message);
        Assert.Equal((UsageErrorClass.Auth, 401), (badAnthropicKey.ErrorClass, badAnthropicKey.ProviderStatus));
        Assert.Equal((UsageErrorClass.BadRequest, 404), (unknown.ErrorClass, unknown.ProviderStatus));
        Assert.Equal((UsageErrorClass.BadRequest, 404), (unknownClaude.ErrorClass, unknownClaude.ProviderStatus));
    }

    [Fact]
    public async Task ChatsAndStreamsThroughBothSdks()
    {
        foreach (var target in new[] { OpenAi(), Anthropic() })
        {
            var client = _providers.ChatClient(target);
            var response = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "hello there")], new ChatOptions { MaxOutputTokens = 50 });
            Assert.Contains("says: hello there", response.Text);
            Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
            Assert.True(response.Usage?.OutputTokenCount > 0, target.Kind + " reports output tokens");

            var text = "";
            UsageDetails? usage = null;
            await foreach (var update in client.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "stream please")], new ChatOptions { MaxOutputTokens = 50 }))
            {
                text += update.Text;
                usage = update.Contents.OfType<UsageContent>().LastOrDefault()?.Details ?? usage;
            }
            Assert.Contains("says: stream please", text);
            Assert.True(usage?.OutputTokenCount > 0, target.Kind + " streams usage");
        }
    }

    [Fact]
    public async Task EmbedsWithOpenAiAndRefusesAnthropic()
    {
        var embeddings = await _providers.EmbeddingGenerator(OpenAi("text-embedding-3-small")).GenerateAsync(["a cat", "a dog"]);

        Assert.Equal(2, embeddings.Count);
        Assert.Equal(FakeOpenAI.ExpectedVector("a cat"), embeddings[0].Vector.ToArray());
        var refused = Assert.Throws<ModelCallException>(() => _providers.EmbeddingGenerator(Anthropic()));
        Assert.Equal(UsageErrorClass.BadRequest, refused.ErrorClass);
    }

    [Theory]
    [InlineData(FakeFault.RateLimited, UsageErrorClass.RateLimited)]
    [InlineData(FakeFault.ServerError, UsageErrorClass.ProviderError)]
    [InlineData(FakeFault.Hang, UsageErrorClass.Timeout)]
    [InlineData(FakeFault.CutStream, UsageErrorClass.ProviderError)]
    public async Task ClassesEachProviderFailure(FakeFault fault, UsageErrorClass expected)
    {
        foreach (var (target, fake) in new (InferenceTarget, FakeAiServer)[] { (OpenAi(), _openAi), (Anthropic(), _anthropic) })
        {
            fake.FailNext(fault);
            var failure = await Assert.ThrowsAsync<ModelCallException>(() =>
                _providers.ChatClient(target).GetResponseAsync([new ChatMessage(ChatRole.User, "hi")]));
            Assert.True(expected == failure.ErrorClass, $"{target.Kind}: {failure.ErrorClass} {failure.Message}");
            if (fault == FakeFault.RateLimited)
            {
                Assert.NotNull(failure.RetryAfter);
            }
        }
    }

    [Fact]
    public async Task AStreamCutHalfwayFailsAfterItsFirstUpdates()
    {
        foreach (var (target, fake) in new (InferenceTarget, FakeAiServer)[] { (OpenAi(), _openAi), (Anthropic(), _anthropic) })
        {
            fake.FailNext(FakeFault.CutStream);
            var received = 0;
            var failure = await Assert.ThrowsAsync<ModelCallException>(async () =>
            {
                await foreach (var update in _providers.ChatClient(target).GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "one two three four five six")]))
                {
                    received += update.Text.Length;
                }
            });
            Assert.Equal(UsageErrorClass.ProviderError, failure.ErrorClass);
            Assert.True(received > 0, $"{target.Kind} streamed something before the cut");
        }
    }
}
