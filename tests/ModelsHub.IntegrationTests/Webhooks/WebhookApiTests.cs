using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ModelsHub.IntegrationTests.Infrastructure;
using static ModelsHub.IntegrationTests.Infrastructure.GitHubTesting;

namespace ModelsHub.IntegrationTests.Webhooks;

/// <summary>
/// Webhooks end to end against a receiver on 127.0.0.1 that verifies every signature: a model's whole
/// life as signed CloudEvents, owner scoping, retries until a delivery fails visibly, turning a failing
/// webhook off with the reason, redelivery, ping, and a receiver that hangs never holding up a request.
/// </summary>
public sealed class WebhookApiTests : IAsyncLifetime
{
    private HubApplication _app = null!;
    private WebhookReceiver _receiver = null!;

    public async Task InitializeAsync()
    {
        _receiver = await WebhookReceiver.StartAsync();
        _app = new HubApplication()
            .With("Webhooks:AllowPrivateTargets", "true")
            .With("Webhooks:AllowHttp", "true")
            .With("Webhooks:MaxAttempts", "3")
            .With("Webhooks:RetryDelay", "00:00:00.100")
            .With("Webhooks:MaxRetryDelay", "00:00:00.200")
            .With("Webhooks:DisableAfterFailures", "2")
            .With("Hub:PublicBaseUrl", "https://hub.example.test");
    }

    public async Task DisposeAsync()
    {
        _app.Dispose();
        await _receiver.DisposeAsync();
    }

    private async Task<JsonElement> CreateWebhookAsync(HttpClient client, object body, HttpStatusCode expect = HttpStatusCode.Created) =>
        await (await client.PostAsJsonAsync("/api/webhooks", body, HubApplication.Json).ExpectAsync(expect)).JsonAsync();

    private Task<List<WebhookReceiver.Received>> ReceivedAsync(Func<List<WebhookReceiver.Received>, bool> done, string what) =>
        EventuallyAsync(() => Task.FromResult(done([.. _receiver.Requests]) ? _receiver.Requests.ToList() : null), what);

    private static Task<JsonElement> DeliveryAsync(HttpClient client, string webhook, string delivery, Func<JsonElement, bool> done) =>
        EventuallyAsync<object>(async () =>
        {
            var d = await (await client.GetAsync($"/api/webhooks/{webhook}/deliveries/{delivery}").ExpectAsync(HttpStatusCode.OK)).JsonAsync();
            return done(d) ? d : null;
        }, $"delivery {delivery}").ContinueWith(t => (JsonElement)t.Result);

    [Fact]
    public async Task AReceiverGetsSignedCloudEventsForAModelsWholeLife()
    {
        var carol = _app.ClientFor("carol", "user");
        var hook = await CreateWebhookAsync(carol, new { url = _receiver.Url, events = new[] { "*" } });
        _receiver.Secret = hook.GetProperty("secret").GetString();
        Assert.StartsWith("whsec_", _receiver.Secret);
        Assert.Equal("owned", hook.GetProperty("scope").GetString());
        // Someone else's webhook hears nothing of carol's private model.
        var ursulaHook = await CreateWebhookAsync(_app.ClientFor("ursula", "user"), new { url = _receiver.Url, events = new[] { "*" } });

        await Uploads.CreateModelAsync(carol, "hooked");
        var etag = (await carol.GetAsync("/api/models/hooked")).ETagOf();
        await carol.SendJsonAsync(HttpMethod.Patch, "/api/models/hooked", new { description = "now described" }, etag).ExpectAsync(HttpStatusCode.OK);
        await Uploads.UploadVersionAsync(carol, "hooked", "v1", "weights.safetensors", Uploads.RandomBytes(3000, 1));
        await carol.DeleteAsync("/api/models/hooked", "*").ExpectAsync(HttpStatusCode.NoContent);

        // The ready version becomes the model's default: an update of its own.
        var expected = new[] { "model.created", "model.updated", "version.ready", "model.updated", "model.deleted" };
        var received = (await ReceivedAsync(r => r.Any(x => x.Type == "io.modelshub.model.deleted"), "the model's events"))
            .OrderBy(r => r.Json.GetProperty("time").GetDateTimeOffset()).ToList();
        Assert.All(received, r => Assert.True(r.Verified, $"unverified: {System.Text.Encoding.UTF8.GetString(r.Body)}"));
        Assert.All(received, r => Assert.StartsWith("application/cloudevents+json", r.ContentType));
        // One delivery per event: ids are unique, the model's events came in the order they happened.
        Assert.Equal(received.Count, received.Select(r => r.Id).Distinct().Count());
        var types = received.OrderBy(r => r.Json.GetProperty("time").GetDateTimeOffset()).Select(r => r.Type["io.modelshub.".Length..]).ToList();
        Assert.Equal(expected, types.Where(expected.Contains));

        var defaulted = received.Select(r => r.Json).Last(j => j.GetProperty("type").GetString() == "io.modelshub.model.updated");
        Assert.Equal(["defaultVersion"], defaulted.GetProperty("data").GetProperty("changes").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal("v1", defaulted.GetProperty("data").GetProperty("model").GetProperty("defaultVersion").GetString());
        var updated = received.Select(r => r.Json).First(j => j.GetProperty("type").GetString() == "io.modelshub.model.updated");
        Assert.Equal("1.0", updated.GetProperty("specversion").GetString());
        Assert.Equal("https://hub.example.test/api", updated.GetProperty("source").GetString());
        Assert.Equal("models/hooked", updated.GetProperty("subject").GetString());
        Assert.Equal(received.First(r => r.Type == "io.modelshub.model.updated").Id, updated.GetProperty("id").GetString());
        Assert.Equal("hooked", updated.GetProperty("data").GetProperty("model").GetProperty("name").GetString());
        Assert.Equal("now described", updated.GetProperty("data").GetProperty("model").GetProperty("description").GetString());
        Assert.Equal(["description"], updated.GetProperty("data").GetProperty("changes").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal("carol", updated.GetProperty("data").GetProperty("actor").GetString());
        var ready = received.Single(r => r.Type == "io.modelshub.version.ready").Json.GetProperty("data");
        Assert.Equal("weights.safetensors", ready.GetProperty("file").GetProperty("name").GetString());
        Assert.Equal("ready", ready.GetProperty("version").GetProperty("status").GetString());

        var deliveries = await (await carol.GetAsync($"/api/webhooks/{hook.GetProperty("id").GetString()}/deliveries").ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.All(deliveries.GetProperty("items").EnumerateArray(), d =>
        {
            Assert.Equal("succeeded", d.GetProperty("status").GetString());
            Assert.Equal(200, d.GetProperty("responseCode").GetInt32());
            Assert.Equal(1, d.GetProperty("attempts").GetInt32());
        });
        var ursulas = await (await _app.ClientFor("ursula", "user").GetAsync($"/api/webhooks/{ursulaHook.GetProperty("id").GetString()}/deliveries")).JsonAsync();
        Assert.Empty(ursulas.GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task ADatasetVersionsValidationEndingReadyOrInvalidReachesTheOwnersWebhook()
    {
        var tess = _app.ClientFor("tess", "trainer");
        var hook = await CreateWebhookAsync(tess, new { url = _receiver.Url, events = new[] { "dataset.version.ready", "dataset.version.invalid", "dataset.version.failed", "version.ready" } });
        _receiver.Secret = hook.GetProperty("secret").GetString();
        // Someone else's webhook, and the owner's own webhook narrowed to a model, hear nothing of the dataset.
        var ursulaHook = await CreateWebhookAsync(_app.ClientFor("ursula", "trainer"), new { url = _receiver.Url, events = new[] { "*" } });
        await Uploads.CreateModelAsync(tess, "tess-model");
        var narrowed = await CreateWebhookAsync(tess, new { url = _receiver.Url, events = new[] { "*" }, models = new[] { "tess-model" }, secret = _receiver.Secret });

        await DatasetTesting.CreateAsync(tess, "hooked-chats");
        var ready = await DatasetTesting.UploadAndValidateAsync(tess, "hooked-chats", "v1", "train.jsonl", DatasetTesting.ChatFile(40));
        Assert.Equal("ready", ready.GetProperty("status").GetString());
        var broken = string.Join("\n", [DatasetTesting.Chat("hi", "hello"), .. Enumerable.Range(0, 12).Select(i => $"not json {i}")]) + "\n";
        var invalid = await DatasetTesting.UploadAndValidateAsync(tess, "hooked-chats", "v2", "train.jsonl", System.Text.Encoding.UTF8.GetBytes(broken));
        Assert.Equal("invalid", invalid.GetProperty("status").GetString());
        // A file that arrives corrupted (not the SHA-256 declared) fails its version, a dataset's and a model's alike.
        var content = DatasetTesting.ChatFile(5);
        var wrongSha = Uploads.Sha256(Uploads.RandomBytes(16, 3));
        foreach (var (asset, file) in new[] { ("/api/datasets/hooked-chats", "train.jsonl"), ("/api/models/tess-model", "train.json") })
        {
            var (_, upload) = await Uploads.CreateVersionAtAsync(tess, asset, "v3", file, content, wrongSha);
            await Uploads.PutChunksAsync(tess, upload, content);
            Assert.False((await Uploads.CompleteAsync(tess, upload)).IsSuccessStatusCode);
        }

        var received = (await ReceivedAsync(r => r.Count(x => x.Type.StartsWith("io.modelshub.dataset.version.", StringComparison.Ordinal)) >= 3
                && r.Any(x => x.Type == "io.modelshub.version.failed"), "the dataset's version events and the model's failure"))
            .OrderBy(r => r.Json.GetProperty("time").GetDateTimeOffset()).ToList();
        Assert.All(received, r => Assert.True(r.Verified, $"unverified: {System.Text.Encoding.UTF8.GetString(r.Body)}"));
        // The model's failure reached only the webhook narrowed to that model ("*"); tess's dataset webhook did not ask for it.
        var modelFailure = Assert.Single(received, r => r.Type == "io.modelshub.version.failed").Json;
        Assert.Equal("models/tess-model/versions/v3", modelFailure.GetProperty("subject").GetString());
        Assert.Contains("sha256", modelFailure.GetProperty("data").GetProperty("version").GetProperty("failureReason").GetString());
        received = received.Where(r => r.Type.StartsWith("io.modelshub.dataset.", StringComparison.Ordinal)).ToList();
        Assert.Equal(["io.modelshub.dataset.version.ready", "io.modelshub.dataset.version.invalid", "io.modelshub.dataset.version.failed"], received.Select(r => r.Type));
        Assert.Equal(received.Count, received.Select(r => r.Id).Distinct().Count());

        var readyEvent = received[0].Json;
        Assert.Equal("datasets/hooked-chats/versions/v1", readyEvent.GetProperty("subject").GetString());
        var readyData = readyEvent.GetProperty("data");
        Assert.Equal("hooked-chats", readyData.GetProperty("dataset").GetString());
        Assert.Equal(("v1", "ready"), (readyData.GetProperty("version").GetProperty("label").GetString(), readyData.GetProperty("version").GetProperty("status").GetString()));
        var validation = readyData.GetProperty("version").GetProperty("validation");
        Assert.Equal((40, 0, "jsonl-chat"), (validation.GetProperty("recordCount").GetInt32(), validation.GetProperty("errorCount").GetInt32(), validation.GetProperty("format").GetString()));
        Assert.Equal(ready.GetProperty("validation").GetProperty("tokenEstimate").GetInt64(), validation.GetProperty("tokenEstimate").GetInt64());
        Assert.Equal("train.jsonl", readyData.GetProperty("version").GetProperty("files").EnumerateArray().Single().GetProperty("name").GetString());

        var invalidData = received[1].Json.GetProperty("data").GetProperty("version");
        Assert.Equal(("v2", "invalid"), (invalidData.GetProperty("label").GetString(), invalidData.GetProperty("status").GetString()));
        Assert.StartsWith("12 errors", invalidData.GetProperty("failureReason").GetString());
        var errors = invalidData.GetProperty("validation").GetProperty("errors").EnumerateArray().ToList();
        Assert.Equal(12, invalidData.GetProperty("validation").GetProperty("errorCount").GetInt32());
        Assert.Equal(10, errors.Count);
        Assert.Equal(2, errors[0].GetProperty("line").GetInt32());
        var failedData = received[2].Json.GetProperty("data").GetProperty("version");
        Assert.Equal(("v3", "failed"), (failedData.GetProperty("label").GetString(), failedData.GetProperty("status").GetString()));
        Assert.Contains("sha256", failedData.GetProperty("failureReason").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, failedData.GetProperty("validation").ValueKind);

        foreach (var other in new[] { (tess, narrowed), (_app.ClientFor("ursula", "trainer"), ursulaHook) })
        {
            var deliveries = await (await other.Item1.GetAsync($"/api/webhooks/{other.Item2.GetProperty("id").GetString()}/deliveries")).JsonAsync();
            Assert.DoesNotContain(deliveries.GetProperty("items").EnumerateArray(), d => d.GetProperty("event").GetString()!.StartsWith("dataset.", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task ReviewsAndPublishingReachTheOwnersAndTheAdministratorsWebhooks()
    {
        var carol = _app.ClientFor("carol", "user");
        var hook = await CreateWebhookAsync(carol, new { url = _receiver.Url, events = new[] { "review.submitted", "review.decided", "model.published" } });
        _receiver.Secret = hook.GetProperty("secret").GetString();
        var submitted = await (await carol.PostAsJsonAsync("/api/models", Samples.Model("hooked-public", "public"), HubApplication.Json)
            .ExpectAsync(HttpStatusCode.Accepted)).JsonAsync();
        await DecideAsync(_app.ClientFor("rita", "reviewer"), submitted.GetProperty("id").GetString()!, "approve");
        var received = await ReceivedAsync(r => r.Any(x => x.Type == "io.modelshub.model.published"), "the approved model's publication");
        Assert.All(received, r => Assert.True(r.Verified));
        Assert.Equal(["io.modelshub.review.submitted", "io.modelshub.review.decided", "io.modelshub.model.published"],
            received.OrderBy(r => r.Json.GetProperty("time").GetDateTimeOffset()).Select(r => r.Type));
        var decided = received.Single(r => r.Type == "io.modelshub.review.decided").Json.GetProperty("data").GetProperty("review");
        Assert.Equal("approved", decided.GetProperty("state").GetString());
        Assert.Equal("rita", decided.GetProperty("decidedBy").GetString());
    }

    [Fact]
    public async Task ADeliveryThatNeverSucceedsFailsVisiblyAndTheWebhookIsTurnedOffWithTheReason()
    {
        var carol = _app.ClientFor("carol", "user");
        var hook = await CreateWebhookAsync(carol, new { url = _receiver.Url, events = new[] { "model.created" }, secret = "a shared secret, long enough" });
        var id = hook.GetProperty("id").GetString()!;
        Assert.False(hook.TryGetProperty("secret", out var shown) && shown.ValueKind == JsonValueKind.String, "a chosen secret is not shown back");
        _receiver.Secret = "a shared secret, long enough";
        _receiver.Status = 500;

        await Uploads.CreateModelAsync(carol, "failing-1");
        await Uploads.CreateModelAsync(carol, "failing-2");
        var list = await (await carol.GetAsync($"/api/webhooks/{id}/deliveries")).JsonAsync();
        var ids = list.GetProperty("items").EnumerateArray().Select(d => d.GetProperty("id").GetString()!).ToList();
        Assert.Equal(2, ids.Count);
        foreach (var delivery in ids)
        {
            var failed = await DeliveryAsync(carol, id, delivery, d => d.GetProperty("status").GetString() == "failed");
            Assert.Equal(3, failed.GetProperty("attempts").GetInt32());
            Assert.Equal(500, failed.GetProperty("responseCode").GetInt32());
            Assert.Equal([1, 2, 3], failed.GetProperty("history").EnumerateArray().Select(a => a.GetProperty("attempt").GetInt32()));
            Assert.All(failed.GetProperty("history").EnumerateArray(), a => Assert.Equal(500, a.GetProperty("responseCode").GetInt32()));
        }
        Assert.All(_receiver.Requests, r => Assert.True(r.Verified));
        // Two deliveries failed for good in a row: the webhook is off, and says why (counted just after the delivery is settled).
        var off = await EventuallyAsync<object>(async () =>
        {
            var w = await (await carol.GetAsync($"/api/webhooks/{id}")).JsonAsync();
            return w.GetProperty("consecutiveFailures").GetInt32() >= 2 ? w : null;
        }, "the webhook counting both failures").ContinueWith(t => (JsonElement)t.Result);
        Assert.False(off.GetProperty("active").GetBoolean());
        Assert.Equal(2, off.GetProperty("consecutiveFailures").GetInt32());
        Assert.Contains("2 deliveries in a row failed", off.GetProperty("disabledReason").GetString());
        Assert.Equal("failed", off.GetProperty("lastDeliveryStatus").GetString());

        // While off it receives no events; a redelivery (asked for by a person) still goes, and now succeeds.
        await Uploads.CreateModelAsync(carol, "failing-3");
        Assert.Equal(2, (await (await carol.GetAsync($"/api/webhooks/{id}/deliveries")).JsonAsync()).GetProperty("items").GetArrayLength());
        _receiver.Status = 204;
        var redelivered = await (await carol.PostAsync($"/api/webhooks/{id}/deliveries/{ids[0]}/redeliver", null).ExpectAsync(HttpStatusCode.Accepted)).JsonAsync();
        Assert.Equal(ids[0], redelivered.GetProperty("redeliveryOf").GetString());
        var done = await DeliveryAsync(carol, id, redelivered.GetProperty("id").GetString()!, d => d.GetProperty("status").GetString() != "pending");
        Assert.Equal("succeeded", done.GetProperty("status").GetString());
        Assert.Equal(204, done.GetProperty("responseCode").GetInt32());
        var original = await (await carol.GetAsync($"/api/webhooks/{id}/deliveries/{ids[0]}")).JsonAsync();
        Assert.Equal(original.GetProperty("eventId").GetString(), done.GetProperty("eventId").GetString());
        Assert.Equal(original.GetProperty("payload").GetRawText(), done.GetProperty("payload").GetRawText());

        // Turned on again, its failures are forgiven.
        var etag = (await carol.GetAsync($"/api/webhooks/{id}")).ETagOf();
        var on = await (await carol.SendJsonAsync(HttpMethod.Patch, $"/api/webhooks/{id}", new { active = true }, etag).ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.True(on.GetProperty("active").GetBoolean());
        Assert.Equal(JsonValueKind.Null, on.GetProperty("disabledReason").ValueKind);
        Assert.Equal(0, on.GetProperty("consecutiveFailures").GetInt32());
    }

    [Fact]
    public async Task AReceiverThatHangsNeverHoldsUpTheRequestThatRaisedTheEvent()
    {
        var carol = _app.ClientFor("carol", "user");
        var hook = await CreateWebhookAsync(carol, new { url = _receiver.Url, events = new[] { "model.created", "model.updated" } });
        _receiver.Secret = hook.GetProperty("secret").GetString();
        var hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _receiver.Hold = hold;

        await Uploads.CreateModelAsync(carol, "patient");
        await ReceivedAsync(r => r.Count == 1, "the first delivery to arrive (and hang)");
        // The receiver is still holding the first request, yet the next change answers at once.
        var etag = (await carol.GetAsync("/api/models/patient")).ETagOf();
        await carol.SendJsonAsync(HttpMethod.Patch, "/api/models/patient", new { description = "changed while the receiver hangs" }, etag).ExpectAsync(HttpStatusCode.OK);
        Assert.False(hold.Task.IsCompleted);
        hold.SetResult();
        _receiver.Hold = null;
        var received = await ReceivedAsync(r => r.Any(x => x.Type == "io.modelshub.model.updated"), "the update after the receiver recovered");
        Assert.All(received, r => Assert.True(r.Verified));
    }

    [Fact]
    public async Task APingIsSignedAndFollowedAsADelivery()
    {
        var admin = _app.ClientFor("ada", "admin");
        var hook = await CreateWebhookAsync(admin, new { url = _receiver.Url, events = new[] { "model.deleted" }, active = false });
        Assert.Equal("all", hook.GetProperty("scope").GetString());
        _receiver.Secret = hook.GetProperty("secret").GetString();
        var id = hook.GetProperty("id").GetString()!;
        var ping = await (await admin.PostAsync($"/api/webhooks/{id}/ping", null).ExpectAsync(HttpStatusCode.Accepted)).JsonAsync();
        var done = await DeliveryAsync(admin, id, ping.GetProperty("id").GetString()!, d => d.GetProperty("status").GetString() != "pending");
        Assert.Equal("succeeded", done.GetProperty("status").GetString());
        var received = Assert.Single(_receiver.Requests);
        Assert.True(received.Verified);
        Assert.Equal("io.modelshub.ping", received.Type);
        Assert.Equal(ping.GetProperty("id").GetString(), received.Delivery);
        Assert.Equal(id, received.Json.GetProperty("data").GetProperty("webhookId").GetString());
    }

    [Fact]
    public async Task BadInputIsAProblemNamingTheField()
    {
        var carol = _app.ClientFor("carol", "user");
        await Uploads.CreateModelAsync(carol, "mine");
        await Uploads.CreateModelAsync(_app.ClientFor("olivia", "user"), "theirs-private");
        async Task Expect(object body, params string[] fields)
        {
            var response = await carol.PostAsJsonAsync("/api/webhooks", body, HubApplication.Json);
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var errors = (await response.JsonAsync()).GetProperty("errors");
            Assert.Equal(fields.Order(), errors.EnumerateObject().Select(p => p.Name).Order());
        }
        await Expect(new { events = new[] { "*" } }, "url");
        await Expect(new { url = _receiver.Url }, "events");
        await Expect(new { url = "ftp://example.com/x", events = new[] { "*" } }, "url");
        await Expect(new { url = _receiver.Url, events = new[] { "model.created", "model.exploded" } }, "events[1]");
        await Expect(new { url = _receiver.Url, events = Array.Empty<string>() }, "events");
        await Expect(new { url = _receiver.Url, events = new[] { "*" }, secret = "short" }, "secret");
        await Expect(new { url = _receiver.Url, events = new[] { "*" }, models = new[] { "mine", "nope", "theirs-private" } }, "models[1]", "models[2]");
        await Expect(new { url = _receiver.Url, events = new[] { "*" }, active = "yes", colour = "red" }, "active", "colour");
        await Expect(new { url = 42, events = "model.created" }, "url", "events");

        var hook = await CreateWebhookAsync(carol, new { url = _receiver.Url, events = new[] { "*" }, models = new[] { "MINE" } });
        Assert.Equal(["mine"], hook.GetProperty("models").EnumerateArray().Select(m => m.GetString()));
        var id = hook.GetProperty("id").GetString()!;
        var patch = await carol.SendJsonAsync(HttpMethod.Patch, $"/api/webhooks/{id}", new { url = "https://[::1]/x" }, $"\"{hook.GetProperty("etag").GetString()}\"");
        Assert.Equal(HttpStatusCode.OK, patch.StatusCode);   // private targets are allowed in this hub
        await carol.SendJsonAsync(HttpMethod.Patch, $"/api/webhooks/{id}", new { active = true }).ExpectAsync(HttpStatusCode.PreconditionRequired);
        await carol.SendJsonAsync(HttpMethod.Patch, $"/api/webhooks/{id}", new { active = true }, "\"stale\"").ExpectAsync(HttpStatusCode.PreconditionFailed);
        var bad = await carol.SendJsonAsync(HttpMethod.Patch, $"/api/webhooks/{id}", new { events = new[] { "ping" } }, "*").ExpectAsync(HttpStatusCode.BadRequest);
        Assert.True((await bad.JsonAsync()).GetProperty("errors").TryGetProperty("events[0]", out _));
        // A public model carol may see but does not own: forbidden, not hidden.
        await _app.ClientFor("ada", "admin").PostAsJsonAsync("/api/models", Samples.Model("someone-public", "public"), HubApplication.Json).ExpectAsync(HttpStatusCode.Created);
        await CreateWebhookAsync(carol, new { url = _receiver.Url, events = new[] { "*" }, models = new[] { "someone-public" } }, HttpStatusCode.Forbidden);
        await carol.GetAsync("/api/webhooks?pageSize=0").ExpectAsync(HttpStatusCode.BadRequest);
    }
}
