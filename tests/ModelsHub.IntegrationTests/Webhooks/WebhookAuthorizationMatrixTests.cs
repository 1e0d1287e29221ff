using System.Net;
using System.Net.Http.Json;
using System.Text;
using ModelsHub.IntegrationTests.Infrastructure;

namespace ModelsHub.IntegrationTests.Webhooks;

/// <summary>
/// Every webhook route × every kind of caller, each cell with its exact status: a webhook is its owner's
/// and the administrators'; anyone else hears 404, never 403. Subscribing to a model needs owning it
/// (administrators: any); a model the caller cannot see is a bad field, one they see but do not own a 403.
/// </summary>
public sealed class WebhookAuthorizationMatrixTests : IDisposable
{
    private readonly HubApplication _app = new HubApplication()
        .With("Webhooks:AllowPrivateTargets", "true").With("Webhooks:MaxAttempts", "1");

    public void Dispose() => _app.Dispose();

    /// <summary>The routes this matrix covers (the main matrix checks every mapped route has a row somewhere).</summary>
    public static readonly string[] Routes =
    [
        "POST /api/webhooks", "GET /api/webhooks", "GET /api/webhooks/{id}", "PATCH /api/webhooks/{id}", "DELETE /api/webhooks/{id}",
        "GET /api/webhooks/{id}/deliveries", "GET /api/webhooks/{id}/deliveries/{deliveryId}",
        "POST /api/webhooks/{id}/deliveries/{deliveryId}/redeliver", "POST /api/webhooks/{id}/ping",
    ];

    private static readonly (string Name, string? User, string[] Roles)[] Callers =
    [
        ("anonymous", null, []),
        ("user", "ursula", ["user"]),
        ("owner", "carol", ["user"]),
        ("maintainer", "max", ["maintainer"]),
        ("admin", "ada", ["admin"]),
    ];

    private const string Target = "https://127.0.0.1:1/hook";

    private async Task<(string Id, string Delivery)> CarolsWebhookAsync()
    {
        var carol = _app.ClientFor("carol", "user");
        var hook = await (await carol.PostAsJsonAsync("/api/webhooks", new { url = Target, events = new[] { "*" } }, HubApplication.Json).ExpectAsync(HttpStatusCode.Created)).JsonAsync();
        var id = hook.GetProperty("id").GetString()!;
        var ping = await (await carol.PostAsync($"/api/webhooks/{id}/ping", null).ExpectAsync(HttpStatusCode.Accepted)).JsonAsync();
        return (id, ping.GetProperty("id").GetString()!);
    }

    [Fact]
    public async Task EveryCellHasTheExactStatus()
    {
        await Uploads.CreateModelAsync(_app.ClientFor("carol", "user"), "carols-private");
        await _app.ClientFor("olivia", "admin").PostAsJsonAsync("/api/models", Samples.Model("olivias-public", "public"), HubApplication.Json).ExpectAsync(HttpStatusCode.Created);
        var (id, delivery) = await CarolsWebhookAsync();
        var rows = new (string Op, Func<string, HttpRequestMessage> Request, int[] Expected)[]
        {
            ("create", _ => Post("/api/webhooks", new { url = Target, events = new[] { "model.created" } }), [401, 201, 201, 201, 201]),
            ("create for carol's private model", _ => Post("/api/webhooks", new { url = Target, events = new[] { "*" }, models = new[] { "carols-private" } }), [401, 400, 201, 400, 201]),
            ("create for olivia's public model", _ => Post("/api/webhooks", new { url = Target, events = new[] { "*" }, models = new[] { "olivias-public" } }), [401, 403, 403, 403, 201]),
            ("list", _ => new HttpRequestMessage(HttpMethod.Get, "/api/webhooks"), [401, 200, 200, 200, 200]),
            ("get", _ => new HttpRequestMessage(HttpMethod.Get, $"/api/webhooks/{id}"), [401, 404, 200, 404, 200]),
            ("patch", _ => Patch($"/api/webhooks/{id}", new { events = new[] { "*" } }), [401, 404, 200, 404, 200]),
            ("deliveries", _ => new HttpRequestMessage(HttpMethod.Get, $"/api/webhooks/{id}/deliveries"), [401, 404, 200, 404, 200]),
            ("delivery", _ => new HttpRequestMessage(HttpMethod.Get, $"/api/webhooks/{id}/deliveries/{delivery}"), [401, 404, 200, 404, 200]),
            ("redeliver", _ => new HttpRequestMessage(HttpMethod.Post, $"/api/webhooks/{id}/deliveries/{delivery}/redeliver"), [401, 404, 202, 404, 202]),
            ("ping", _ => new HttpRequestMessage(HttpMethod.Post, $"/api/webhooks/{id}/ping"), [401, 404, 202, 404, 202]),
            ("unknown webhook", _ => new HttpRequestMessage(HttpMethod.Get, "/api/webhooks/wh_nope"), [401, 404, 404, 404, 404]),
        };
        var failures = new StringBuilder();
        for (var c = 0; c < Callers.Length; c++)
        {
            var (caller, user, roles) = Callers[c];
            var client = _app.ClientFor(user, roles);
            foreach (var (op, request, expected) in rows)
            {
                var status = (int)(await client.SendAsync(request(caller))).StatusCode;
                if (status != expected[c]) failures.AppendLine($"{op} × {caller}: expected {expected[c]}, got {status}");
            }
            // Each caller tries to delete a webhook of carol's of its own.
            var (own, _) = await CarolsWebhookAsync();
            var deleteStatus = (int)(await client.SendAsync(Delete($"/api/webhooks/{own}"))).StatusCode;
            var deleteExpected = new[] { 401, 404, 204, 404, 204 }[c];
            if (deleteStatus != deleteExpected) failures.AppendLine($"delete × {caller}: expected {deleteExpected}, got {deleteStatus}");
            var stillThere = (await _app.ClientFor("carol", "user").GetAsync($"/api/webhooks/{own}")).StatusCode == HttpStatusCode.OK;
            if (stillThere == (deleteStatus == 204)) failures.AppendLine($"delete × {caller}: answered {deleteStatus} but the webhook is {(stillThere ? "still there" : "gone")}");
        }
        Assert.True(failures.Length == 0, failures.ToString());

        // Listings show only what each caller may see.
        var ursulas = await (await _app.ClientFor("ursula", "user").GetAsync("/api/webhooks?pageSize=100")).JsonAsync();
        Assert.All(ursulas.GetProperty("items").EnumerateArray(), w => Assert.Equal("ursula", w.GetProperty("owner").GetString()));
        var all = await (await _app.ClientFor("ada", "admin").GetAsync("/api/webhooks?pageSize=100")).JsonAsync();
        Assert.Contains(all.GetProperty("items").EnumerateArray(), w => w.GetProperty("owner").GetString() == "carol");
    }

    private static HttpRequestMessage Post(string url, object body) => new(HttpMethod.Post, url) { Content = JsonContent.Create(body, options: HubApplication.Json) };

    private static HttpRequestMessage Patch(string url, object body)
    {
        var request = new HttpRequestMessage(HttpMethod.Patch, url) { Content = JsonContent.Create(body, options: HubApplication.Json) };
        request.Headers.TryAddWithoutValidation("If-Match", "*");
        return request;
    }

    private static HttpRequestMessage Delete(string url)
    {
        var request = new HttpRequestMessage(HttpMethod.Delete, url);
        request.Headers.TryAddWithoutValidation("If-Match", "*");
        return request;
    }
}
