using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ModelsHub.IntegrationTests.Infrastructure;
using ModelsHub.Testing.AiProviders;
using OpenAI;

namespace ModelsHub.IntegrationTests.ApiModels;

/// <summary>A hub with fake OpenAI and Anthropic providers, and the helpers the API model tests share.</summary>
public sealed class ApiModelHub : IAsyncDisposable
{
    public const string OpenAiKey = "sk-proj-hubtestkey000000000000abcd";
    public const string AnthropicKey = "sk-ant-api03-hubtestkey0000000wxyz";

    private ApiModelHub(HubApplication app, FakeOpenAI openAi, FakeAnthropic anthropic)
    {
        App = app;
        OpenAi = openAi;
        Anthropic = anthropic;
    }

    public HubApplication App { get; }

    public FakeOpenAI OpenAi { get; }

    public FakeAnthropic Anthropic { get; }

    public static async Task<ApiModelHub> StartAsync(Func<HubApplication>? create = null)
    {
        var openAi = await FakeOpenAI.StartAsync();
        openAi.AddKey(OpenAiKey);
        openAi.AddModel("gpt-4o", "GPT-4o");
        openAi.AddModel("text-embedding-3-small", "Embeddings");
        var anthropic = await FakeAnthropic.StartAsync();
        anthropic.AddKey(AnthropicKey);
        anthropic.AddModel("claude-sonnet-4-5", "Claude Sonnet 4.5");
        var app = (create?.Invoke() ?? new HubApplication())
            .With("AiProviders:Timeout", "00:00:02")
            .With("Usage:FlushInterval", "00:00:00.200");
        return new ApiModelHub(app, openAi, anthropic);
    }

    /// <summary>Registers an API model through /api/models and sets its provider (as an admin unless told otherwise).</summary>
    public async Task<JsonElement> RegisterAsync(HttpClient admin, string name, string source, string modelId, string? key, string? endpoint = null,
        string type = "llm", string visibility = "private")
    {
        await admin.PostAsJsonAsync("/api/models", new { name, type, source, visibility }, HubApplication.Json).ExpectAsync(HttpStatusCode.Created);
        var response = await admin.SendJsonAsync(HttpMethod.Put, $"/api/models/{name}/provider", new { endpoint, modelId, apiKey = key }).ExpectAsync(HttpStatusCode.OK);
        return await response.JsonAsync();
    }

    public Task<JsonElement> RegisterOpenAiAsync(HttpClient admin, string name, string modelId = "gpt-4o", string type = "llm", string visibility = "private") =>
        RegisterAsync(admin, name, "openai", modelId, OpenAiKey, OpenAi.BaseUrl.ToString(), type, visibility);

    public Task<JsonElement> RegisterAnthropicAsync(HttpClient admin, string name, string visibility = "private") =>
        RegisterAsync(admin, name, "anthropic", "claude-sonnet-4-5", AnthropicKey, Anthropic.BaseUrl.ToString(), visibility: visibility);

    /// <summary>A personal access token for <paramref name="client"/>'s user.</summary>
    public static async Task<string> TokenAsync(HttpClient client, params string[] scopes)
    {
        var response = await client.PostAsJsonAsync("/api/me/tokens", new { name = "test app", scopes }, HubApplication.Json).ExpectAsync(HttpStatusCode.Created);
        return (await response.JsonAsync()).GetProperty("token").GetString()!;
    }

    /// <summary>The official OpenAI SDK pointed at the hub's gateway with a token.</summary>
    public OpenAIClient OpenAiClientFor(string token) =>
        new(new ApiKeyCredential(token), new OpenAIClientOptions
        {
            Endpoint = new Uri(App.Server.BaseAddress, "/api/v1"),
            Transport = new HttpClientPipelineTransport(App.CreateClient()),
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
        });

    public HttpClient ClientWithToken(string token)
    {
        var client = App.CreateClient();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        App.Dispose();
        await OpenAi.DisposeAsync();
        await Anthropic.DisposeAsync();
    }
}
