using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelsHub.Testing;

namespace ModelsHub.IntegrationTests.Infrastructure;

/// <summary>Points a hub at a fake GitHub, and awaits what the workflows do.</summary>
public static class GitHubTesting
{
    public const string DefaultToken = "ghp_hubdefaulttoken0000";
    public const string DefaultLogin = "modelshub-bot";

    public static HubApplication WithGitHub(this HubApplication app, FakeGitHub github, string? defaultToken = DefaultToken)
    {
        if (defaultToken is not null)
        {
            github.AddToken(defaultToken, DefaultLogin);
        }
        return app.With("GitHub:ApiUrl", github.ApiUrl.ToString())
            .With("GitHub:DefaultToken", defaultToken)
            .With("Hub:PublicBaseUrl", "https://hub.example.test")
            .With("Workflows:RetryDelay", "00:00:00.100")
            .With("Workflows:MaxRetryDelay", "00:00:01");
    }

    /// <summary>Awaits a condition, failing with <paramref name="what"/> after <paramref name="timeout"/>.</summary>
    public static async Task<T> EventuallyAsync<T>(Func<Task<T?>> probe, string what, TimeSpan? timeout = null) where T : class
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            if (await probe() is { } value) return value;
            if (DateTime.UtcNow > deadline) throw new Xunit.Sdk.XunitException($"Timed out waiting for {what}.");
            await Task.Delay(25);
        }
    }

    /// <summary>The model's pull request once the workflow recorded it.</summary>
    public static Task<JsonElement> PullRequestOfAsync(HttpClient client, string model, int? number = null, TimeSpan? timeout = null) =>
        EventuallyAsync<object>(async () =>
        {
            var response = await client.GetAsync($"/api/models/{model}");
            if (response.StatusCode != HttpStatusCode.OK) return null;
            var body = await response.JsonAsync();
            return body.TryGetProperty("pullRequest", out var pr) && pr.ValueKind == JsonValueKind.Object && (number is null || pr.GetProperty("number").GetInt32() == number)
                ? pr : null;
        }, $"model {model} to show its pull request", timeout).ContinueWith(t => (JsonElement)t.Result);

    /// <summary>The workflow once it finished (completed or failed).</summary>
    public static Task<JsonElement> FinishedWorkflowAsync(HttpClient client, string id, TimeSpan? timeout = null) =>
        EventuallyAsync<object>(async () =>
        {
            var response = await client.GetAsync($"/api/workflows/{id}");
            if (response.StatusCode != HttpStatusCode.OK) return null;
            var body = await response.JsonAsync();
            return body.GetProperty("status").GetString() is "completed" or "failed" ? body : null;
        }, $"workflow {id} to finish", timeout).ContinueWith(t => (JsonElement)t.Result);

    /// <summary>A valid video entry under a new name (video is the smallest upstream file).</summary>
    public static JsonObject VideoEntry(string name, string description = "A video model for tests")
    {
        var entry = JsonNode.Parse(UpstreamFixtures.Read("video")[0].GetRawText())!.AsObject();
        entry["model_name"] = name;
        entry["model_description"] = description;
        return entry;
    }

    public static JsonObject VideoModel(string name, string description = "A video model for tests") => new()
    {
        ["name"] = name,
        ["type"] = "video",
        ["description"] = description,
        ["visibility"] = "public",
        ["spec"] = VideoEntry(name, description),
    };

    public static async Task<JsonElement> DecideAsync(HttpClient reviewer, string submissionId, string decision, string? feedback = null, HttpStatusCode expect = HttpStatusCode.OK)
    {
        var response = await reviewer.PostAsJsonAsync($"/api/reviews/{submissionId}/decision", new { decision, feedback }, HubApplication.Json).ExpectAsync(expect);
        return await response.JsonAsync();
    }
}
