using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using ModelsHub.Core.Servers;
using ModelsHub.Testing.Xinference;

namespace ModelsHub.IntegrationTests.Infrastructure;

/// <summary>
/// The hub in memory beside a fake Xinference server (clusters added per test), with fast workflow
/// timing, the monitor's timer off (tests run rounds themselves) and one-second samples.
/// </summary>
public sealed class DeploymentHub : IAsyncDisposable
{
    private DeploymentHub(HubApplication app, FakeXinference xinference)
    {
        App = app;
        Xinference = xinference;
    }

    public HubApplication App { get; }

    public FakeXinference Xinference { get; }

    public HttpClient Admin => App.ClientFor("ada", "admin");

    public static async Task<DeploymentHub> StartAsync(Action<HubApplication>? configure = null, HubApplication? app = null)
    {
        var xinference = await FakeXinference.StartAsync();
        app ??= new HubApplication();
        app.With("Deployments:FollowInterval", "00:00:00.050")
            .With("Workflows:RetryDelay", "00:00:00.100")
            .With("Workflows:MaxRetryDelay", "00:00:00.500")
            .With("Workflows:MaxAttempts", "4")
            .With("Monitoring:Schedule", HubApplication.NeverDuringTests)
            .With("Monitoring:Resolution", "00:00:01");
        configure?.Invoke(app);
        return new DeploymentHub(app, xinference);
    }

    /// <summary>One monitoring round, as the timer runs it.</summary>
    public Task<MonitorRound> MonitorAsync() => App.Services.GetRequiredService<ServerMonitor>().RunAsync(CancellationToken.None);

    public async ValueTask DisposeAsync()
    {
        App.Dispose();
        await Xinference.DisposeAsync();
    }
}

public static class DeploymentTesting
{
    /// <summary>A chat model spec a real Xinference accepts as a custom registration (a custom LLM needs a model_family).</summary>
    public static JsonObject ChatEntry(string name)
    {
        var entry = Samples.LlmEntry(name);
        entry["model_ability"] = new JsonArray("chat");
        entry["model_family"] = "qwen2.5-instruct";
        var specs = entry["model_specs"]!.AsArray();
        specs.Add(JsonNode.Parse($$"""
            {
              "model_format": "ggufv2",
              "model_size_in_billions": 7,
              "model_src": {
                "huggingface": {"quantizations": ["Q4_K_M", "Q8_0"], "model_id": "tests/{{name}}-GGUF", "model_file_name_template": "{{name}}-{quantization}.gguf"}
              }
            }
            """));
        return entry;
    }

    public static JsonObject ChatModel(string name, string visibility = "private")
    {
        var body = Samples.Model(name, visibility);
        body["spec"] = ChatEntry(name);
        return body;
    }

    public static async Task CreateModelAsync(HttpClient client, JsonObject body) =>
        await client.PostAsJsonAsync("/api/models", body, HubApplication.Json).ExpectAsync(HttpStatusCode.Created);

    public static async Task<JsonElement> RegisterServerAsync(HttpClient client, string name, FakeXinferenceCluster cluster) =>
        await (await client.PostAsJsonAsync("/api/inference-servers",
            new { name, url = cluster.BaseUrl.ToString(), apiKey = cluster.ApiKey }, HubApplication.Json).ExpectAsync(HttpStatusCode.Created)).JsonAsync();

    public static async Task<string> DeployAsync(HttpClient client, object body)
    {
        var response = await client.PostAsJsonAsync("/api/deployments", body, HubApplication.Json).ExpectAsync(HttpStatusCode.Accepted);
        return (await response.JsonAsync()).GetProperty("id").GetString()!;
    }

    /// <summary>The deployment once it is in one of <paramref name="states"/>.</summary>
    public static Task<JsonElement> StateAsync(HttpClient client, string id, params string[] states) =>
        GitHubTesting.EventuallyAsync<object>(async () =>
        {
            var response = await client.GetAsync($"/api/deployments/{id}");
            if (response.StatusCode != HttpStatusCode.OK) return null;
            var body = await response.JsonAsync();
            return states.Contains(body.GetProperty("state").GetString()) ? body : null;
        }, $"deployment {id} to be {string.Join(" or ", states)}", TimeSpan.FromSeconds(60)).ContinueWith(t => (JsonElement)t.Result);

    public static string[] States(JsonElement deployment) =>
        deployment.GetProperty("history").EnumerateArray().Select(h => h.GetProperty("state").GetString()!).ToArray();
}
