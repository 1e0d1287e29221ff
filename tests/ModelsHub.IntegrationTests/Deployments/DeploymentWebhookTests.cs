using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ModelsHub.Contracts.Webhooks;
using ModelsHub.IntegrationTests.Infrastructure;
using ModelsHub.IntegrationTests.Webhooks;
using static ModelsHub.IntegrationTests.Infrastructure.DeploymentTesting;

namespace ModelsHub.IntegrationTests.Deployments;

/// <summary>
/// A deployment's life as webhook events (signed CloudEvents, verified by the receiver): one event per change
/// of state, each once and in order, through a launch, the monitor's unreachable and back, a stop, a start and
/// a delete; a failed launch with the server's reason; nothing to a webhook of someone else or of another model.
/// </summary>
public sealed class DeploymentWebhookTests : IAsyncLifetime
{
    private static readonly string[] DeploymentEvents = WebhookEventTypes.Subscribable.Where(e => e.StartsWith("deployment.", StringComparison.Ordinal)).ToArray();

    private WebhookReceiver _receiver = null!;
    private WebhookReceiver _others = null!;
    private DeploymentHub _hub = null!;

    public async Task InitializeAsync()
    {
        _receiver = await WebhookReceiver.StartAsync();
        _others = await WebhookReceiver.StartAsync();
        _hub = await DeploymentHub.StartAsync(app => app
            .With("Webhooks:AllowPrivateTargets", "true")
            .With("Webhooks:AllowHttp", "true"));
    }

    public async Task DisposeAsync()
    {
        await _hub.DisposeAsync();
        await _receiver.DisposeAsync();
        await _others.DisposeAsync();
    }

    private async Task<string> SubscribeAsync(HttpClient client, WebhookReceiver receiver, object body)
    {
        var hook = await (await client.PostAsJsonAsync("/api/webhooks", body, HubApplication.Json).ExpectAsync(HttpStatusCode.Created)).JsonAsync();
        return hook.GetProperty("secret").GetString()!;
    }

    /// <summary>The deployment events <paramref name="receiver"/> got about <paramref name="id"/>, in the order they happened, once <paramref name="last"/> is among them.</summary>
    private static async Task<List<WebhookReceiver.Received>> EventsAsync(WebhookReceiver receiver, string id, string last) =>
        await GitHubTesting.EventuallyAsync(() => Task.FromResult(
            receiver.Requests.Any(r => r.Type == WebhookEventTypes.CloudEventType(last) && Id(r) == id)
                ? receiver.Requests.Where(r => Id(r) == id).OrderBy(r => r.Json.GetProperty("time").GetDateTimeOffset()).ToList()
                : null), $"{last} of {id}", TimeSpan.FromSeconds(60));

    private static string? Id(WebhookReceiver.Received r) =>
        r.Json.GetProperty("data").TryGetProperty("deployment", out var d) ? d.GetProperty("id").GetString() : null;

    private static List<string> Types(IEnumerable<WebhookReceiver.Received> events) =>
        events.Select(r => r.Type[WebhookEventTypes.CloudEventTypePrefix.Length..]).ToList();

    [Fact]
    public async Task EachChangeOfADeploymentsStateIsOneSignedEventInOrder()
    {
        var cluster = _hub.Xinference.AddCluster("gpu-hooks");
        await RegisterServerAsync(_hub.App.ClientFor("olga", "operator"), "gpu-hooks", cluster);
        var carol = _hub.App.ClientFor("carol", "user");
        await CreateModelAsync(carol, ChatModel("hooked-chat"));
        await CreateModelAsync(carol, ChatModel("other-chat"));
        _receiver.Secret = await SubscribeAsync(carol, _receiver, new { url = _receiver.Url, events = DeploymentEvents, models = new[] { "hooked-chat" } });
        // Someone else's webhook for every event, and carol's own webhook for her other model only: neither hears of hooked-chat's deployment.
        _others.Secret = await SubscribeAsync(_hub.App.ClientFor("max", "user"), _others, new { url = _others.Url, events = new[] { "*" } });
        await SubscribeAsync(carol, _others, new { url = _others.Url, events = DeploymentEvents, models = new[] { "other-chat" } });

        var id = await DeployAsync(carol, new { model = "hooked-chat", server = "gpu-hooks" });
        await StateAsync(carol, id, "running");
        // The server stops answering the monitor, then answers again.
        cluster.Down = true;
        await _hub.MonitorAsync();
        await StateAsync(carol, id, "unreachable");
        cluster.Down = false;
        await _hub.MonitorAsync();
        await StateAsync(carol, id, "running");
        await carol.PostAsync($"/api/deployments/{id}/stop", null).ExpectAsync(HttpStatusCode.Accepted);
        await StateAsync(carol, id, "stopped");
        await carol.PostAsync($"/api/deployments/{id}/start", null).ExpectAsync(HttpStatusCode.Accepted);
        await StateAsync(carol, id, "running");
        await carol.DeleteAsync($"/api/deployments/{id}").ExpectAsync(HttpStatusCode.Accepted);

        var received = await EventsAsync(_receiver, id, WebhookEventTypes.DeploymentDeleted);
        Assert.Equal([
            "deployment.pending", "deployment.registering", "deployment.launching", "deployment.running",
            "deployment.unreachable", "deployment.running",
            "deployment.stopping", "deployment.stopped",
            "deployment.pending", "deployment.registering", "deployment.launching", "deployment.running",
            "deployment.stopping", "deployment.deleted"], Types(received));
        Assert.All(received, r => Assert.True(r.Verified, $"{r.Type} verifies with carol's secret"));
        Assert.Equal(received.Count, received.Select(r => r.Id).Distinct().Count());

        var first = received[0].Json;
        Assert.Equal($"deployments/{id}", first.GetProperty("subject").GetString());
        var created = first.GetProperty("data");
        Assert.Equal(JsonValueKind.Null, created.GetProperty("previousState").ValueKind);
        Assert.Equal("carol", created.GetProperty("actor").GetString());
        Assert.Equal(("hooked-chat", "gpu-hooks", "pending", "llm"), (created.GetProperty("deployment").GetProperty("model").GetString(),
            created.GetProperty("deployment").GetProperty("server").GetString(), created.GetProperty("deployment").GetProperty("state").GetString(),
            created.GetProperty("deployment").GetProperty("modelType").GetString()));
        var running = received[3].Json.GetProperty("data");
        Assert.Equal(("launching", "running"), (running.GetProperty("previousState").GetString(), running.GetProperty("deployment").GetProperty("state").GetString()));
        Assert.Equal(JsonValueKind.Null, running.GetProperty("actor").ValueKind);
        Assert.Contains("does not answer", received[4].Json.GetProperty("data").GetProperty("detail").GetString());
        Assert.Equal("carol", received[6].Json.GetProperty("data").GetProperty("actor").GetString());
        var deleted = received[^1].Json.GetProperty("data");
        Assert.Equal(("stopping", "stopping"), (deleted.GetProperty("previousState").GetString(), deleted.GetProperty("deployment").GetProperty("state").GetString()));
        await StateGoneAsync(carol, id);

        Assert.DoesNotContain(_others.Requests, r => Id(r) == id);
    }

    [Fact]
    public async Task AFailedLaunchIsOneEventWithTheServersReasonAndAForcedDeleteIsAnother()
    {
        var cluster = _hub.Xinference.AddCluster("gpu-oom");
        cluster.FailLaunchesOf("oom-chat", "CUDA out of memory. Tried to allocate 20.00 GiB");
        await RegisterServerAsync(_hub.Admin, "gpu-oom", cluster);
        var carol = _hub.App.ClientFor("carol", "user");
        await CreateModelAsync(carol, ChatModel("oom-chat"));
        _receiver.Secret = await SubscribeAsync(carol, _receiver, new { url = _receiver.Url, events = new[] { WebhookEventTypes.DeploymentFailed, WebhookEventTypes.DeploymentDeleted } });

        var id = await DeployAsync(carol, new { model = "oom-chat", server = "gpu-oom" });
        await StateAsync(carol, id, "failed");
        await _hub.Admin.DeleteAsync($"/api/deployments/{id}?force=true").ExpectAsync(HttpStatusCode.NoContent);

        var received = await EventsAsync(_receiver, id, WebhookEventTypes.DeploymentDeleted);
        Assert.Equal(["deployment.failed", "deployment.deleted"], Types(received));
        var failed = received[0].Json.GetProperty("data");
        Assert.Contains("CUDA out of memory", failed.GetProperty("deployment").GetProperty("error").GetString());
        Assert.Contains("CUDA out of memory", failed.GetProperty("detail").GetString());
        Assert.Equal("carol", failed.GetProperty("deployment").GetProperty("createdBy").GetString());
        // An administrator forgets it: carol's webhook hears of it, as the model's owner.
        Assert.Equal("ada", received[1].Json.GetProperty("data").GetProperty("actor").GetString());
    }

    private static Task StateGoneAsync(HttpClient client, string id) =>
        GitHubTesting.EventuallyAsync<object>(async () => (await client.GetAsync($"/api/deployments/{id}")).StatusCode == HttpStatusCode.NotFound ? new object() : null,
            $"deployment {id} to be forgotten", TimeSpan.FromSeconds(60));
}
