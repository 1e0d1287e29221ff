using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ModelsHub.IntegrationTests.Infrastructure;
using ModelsHub.Testing.AiProviders;

namespace ModelsHub.IntegrationTests.Cli;

/// <summary>
/// <c>modelshub test</c> as a real process against the hub in its own process, whose API models call the
/// fake OpenAI and Anthropic servers through the official SDKs: the answer, finish reason, tokens and
/// latency come back, and the exit code says how the call went (0 answered, 1 not, 2 bad input).
/// </summary>
public sealed class CliTestCommandTests : IAsyncLifetime
{
    private const string OpenAiKey = "sk-proj-clitestkey0000000000000abcd";
    private const string AnthropicKey = "sk-ant-api03-clitestkey000000000wxyz";

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "modelshub-tests", $"cli-test-{Guid.NewGuid():N}");
    private FakeOpenAI _openAi = null!;
    private FakeAnthropic _anthropic = null!;
    private HubProcess _hub = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        _openAi = await FakeOpenAI.StartAsync();
        _openAi.AddKey(OpenAiKey);
        _openAi.AddModel("gpt-4o", "GPT-4o");
        _anthropic = await FakeAnthropic.StartAsync();
        _anthropic.AddKey(AnthropicKey);
        _anthropic.AddModel("claude-sonnet-4-5", "Claude Sonnet 4.5");
        _hub = await HubProcess.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _hub.DisposeAsync();
        await _openAi.DisposeAsync();
        await _anthropic.DisposeAsync();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }

    private async Task<(int Exit, string Output, string Stdout)> ModelshubAsync(string token, params string[] args)
    {
        using var cli = _hub.StartCli([.. args, "--hub", _hub.Address.ToString(), "--token", token]);
        var exit = await cli.WaitAsync(TimeSpan.FromMinutes(2));
        return (exit, cli.Output, cli.StandardOutput);
    }

    private static async Task RegisterAsync(HttpClient admin, string name, string source, Uri endpoint, string modelId, string key)
    {
        await admin.PostAsJsonAsync("/api/models", new { name, type = "llm", source }, HubApplication.Json).ExpectAsync(HttpStatusCode.Created);
        await admin.SendJsonAsync(HttpMethod.Put, $"/api/models/{name}/provider", new { endpoint = endpoint.ToString(), modelId, apiKey = key }).ExpectAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task TestCallsTheModelThroughTheHubAndExitsByOutcome()
    {
        var token = await _hub.TokenAsync("ines", "admin");
        using (var admin = _hub.ClientWith(token))
        {
            await RegisterAsync(admin, "support-gpt", "openai", _openAi.BaseUrl, "gpt-4o", OpenAiKey);
            await RegisterAsync(admin, "support-claude", "anthropic", _anthropic.BaseUrl, "claude-sonnet-4-5", AnthropicKey);
        }

        // A prompt: the answer on stdout, the figures on stderr.
        var answered = await ModelshubAsync(token, "test", "support-gpt", "Where is my parcel", "--system", "Be brief.");
        Assert.True(answered.Exit == 0, $"{answered.Output}\nserver:\n{_hub.Output}");
        Assert.Contains("OpenAI gpt-4o says: Where is my parcel", answered.Stdout);
        Assert.Matches(@"support-gpt: \d+ tokens in, \d+ out, [\d,]+ ms, finish stop", answered.Output);
        var sent = JsonDocument.Parse(_openAi.Requests.Last(r => r.Path == "/v1/chat/completions").Body).RootElement;
        Assert.Equal(["system", "user"], sent.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("role").GetString()));

        // A conversation from a file and a token limit, as JSON: the provider was asked for at most 4 tokens and stopped there.
        var conversation = Path.Combine(_folder, "conversation.json");
        await File.WriteAllTextAsync(conversation, """
            [{"role": "user", "content": "Hello"}, {"role": "assistant", "content": "Hi, how can I help?"}, {"role": "user", "content": "Cancel my order please"}]
            """);
        var limited = await ModelshubAsync(token, "test", "support-claude", "--messages", conversation, "--max-tokens", "4", "--temperature", "0.2", "--json");
        Assert.True(limited.Exit == 0, limited.Output);
        var result = JsonDocument.Parse(limited.Stdout).RootElement;
        Assert.Equal(("support-claude", "length", 4), (result.GetProperty("model").GetString(), result.GetProperty("finishReason").GetString(), result.GetProperty("tokensOut").GetInt32()));
        Assert.Equal("Claude claude-sonnet-4-5 says: Cancel", result.GetProperty("output").GetString());
        Assert.True(result.GetProperty("tokensIn").GetInt32() > 0);
        Assert.True(result.GetProperty("latencyMs").GetDouble() > 0);
        var asked = JsonDocument.Parse(_anthropic.Requests.Last(r => r.Path == "/v1/messages").Body).RootElement;
        Assert.Equal(4, asked.GetProperty("max_tokens").GetInt32());
        Assert.Equal(3, asked.GetProperty("messages").GetArrayLength());

        // The provider fails: the hub answers 502 and the command exits 1 with the reason.
        _openAi.FailNext(FakeFault.ServerError);
        var failed = await ModelshubAsync(token, "test", "support-gpt", "Hello again");
        Assert.True(failed.Exit == 1, failed.Output);
        Assert.Contains("502", failed.Output);
        Assert.Equal("", failed.Stdout.Trim());

        // A stopped model refuses test calls (409): exit 1.
        using (var admin = _hub.ClientWith(token))
        {
            await admin.PostAsync("/api/models/support-gpt/toggle-status", null).ExpectAsync(HttpStatusCode.OK);
        }
        var stopped = await ModelshubAsync(token, "test", "support-gpt", "Anyone there");
        Assert.True(stopped.Exit == 1, stopped.Output);
        Assert.Contains("409", stopped.Output);

        // Input the hub refuses, naming the field (a conversation with no user message): bad usage, exit 2.
        var noUser = Path.Combine(_folder, "no-user.json");
        await File.WriteAllTextAsync(noUser, """[{"role": "assistant", "content": "I speak first"}]""");
        var refused = await ModelshubAsync(token, "test", "support-claude", "--messages", noUser);
        Assert.True(refused.Exit == 2, refused.Output);
        Assert.Contains("input_data.prompt", refused.Output);

        // Caught before any call: neither a prompt nor messages, an unreadable file, a limit out of range.
        var calls = _anthropic.Calls;
        Assert.Equal(2, (await ModelshubAsync(token, "test", "support-claude")).Exit);
        var notJson = Path.Combine(_folder, "not.json");
        await File.WriteAllTextAsync(notJson, "role: user");
        var unreadable = await ModelshubAsync(token, "test", "support-claude", "--messages", notJson);
        Assert.True(unreadable.Exit == 2, unreadable.Output);
        Assert.Contains("--messages not.json", unreadable.Output);
        Assert.Equal(2, (await ModelshubAsync(token, "test", "support-claude", "hi", "--max-tokens", "0")).Exit);
        Assert.Equal(calls, _anthropic.Calls);

        // No such model (or not visible): exit 1.
        var missing = await ModelshubAsync(token, "test", "no-such-model", "hi");
        Assert.True(missing.Exit == 1, missing.Output);
        Assert.Contains("404", missing.Output);
    }
}
