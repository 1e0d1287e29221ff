using System.Net;
using System.Net.Http.Json;
using System.Text;
using ModelsHub.IntegrationTests.Infrastructure;
using ModelsHub.Testing.Xinference;
using static ModelsHub.IntegrationTests.Infrastructure.DeploymentTesting;

namespace ModelsHub.IntegrationTests.Deployments;

/// <summary>
/// Caller × route for inference servers and deployments, and caller × model for deployments: servers
/// are changed by servers.manage only and read by everyone signed in; a model is deployed by
/// deployments.manage holders and by its owner; a deployment is seen by whoever may see its model (and
/// by managers and its deployer) and managed by deployments.manage, its deployer and its model's owner.
/// </summary>
public sealed class DeploymentAuthorizationMatrixTests : IAsyncLifetime
{
    /// <summary>The routes this matrix covers (the authorization matrix checks every mapped route has a row somewhere).</summary>
    public static readonly string[] Routes =
    [
        "GET /api/inference-servers", "POST /api/inference-servers", "POST /api/inference-servers/push", "GET /api/inference-servers/{name}",
        "PATCH /api/inference-servers/{name}", "DELETE /api/inference-servers/{name}", "GET /api/inference-servers/{name}/metrics",
        "GET /api/deployments", "POST /api/deployments", "GET /api/deployments/{id}", "POST /api/deployments/{id}/stop",
        "POST /api/deployments/{id}/start", "DELETE /api/deployments/{id}", "GET /api/deployments/{id}/metrics", "POST /api/deployments/{id}/test",
    ];

    private static readonly (string Name, string? User, string[] Roles)[] Callers =
    [
        ("anonymous", null, []),
        ("user", "ursula", ["user"]),
        ("owner", "carol", ["user"]),
        ("maintainer", "max", ["maintainer"]),
        ("operator", "olga", ["operator"]),
        ("deployer", "dan", ["user"]),
        ("admin", "ada", ["admin"]),
    ];

    // Models: carol's private one, a public and an advanced one of olivia's (an administrator).
    private static readonly string[] Models = ["dm-private", "dm-public", "dm-advanced"];

    private DeploymentHub _hub = null!;
    private FakeXinferenceCluster _cluster = null!;

    public async Task InitializeAsync()
    {
        _hub = await DeploymentHub.StartAsync();
        _cluster = _hub.Xinference.AddCluster("matrix");
        _cluster.LaunchDuration = TimeSpan.FromMilliseconds(20);
        await RegisterServerAsync(_hub.Admin, "matrix", _cluster);
        await CreateModelAsync(_hub.App.ClientFor("carol", "user"), ChatModel(Models[0]));
        var olivia = _hub.App.ClientFor("olivia", "admin");
        await CreateModelAsync(olivia, ChatModel(Models[1], "public"));
        var advanced = ChatModel(Models[2], "public");
        advanced["tier"] = "advanced";
        await CreateModelAsync(olivia, advanced);
        // dan holds deployments.manage by a grant, not a role.
        await _hub.App.ClientFor("dan", "user").GetAsync("/api/me").ExpectAsync(HttpStatusCode.OK);
        await _hub.Admin.PutAsync("/api/users/dan/permissions/deployments.manage", null).ExpectAsync(HttpStatusCode.OK);
    }

    public async Task DisposeAsync() => await _hub.DisposeAsync();

    private HttpClient Client(int caller) => _hub.App.ClientFor(Callers[caller].User, Callers[caller].Roles);

    /// <summary>A running deployment of the model: carol deploys her own, the administrator the others.</summary>
    private async Task<string> RunningAsync(int model, bool stopped = false)
    {
        var deployer = model == 0 ? _hub.App.ClientFor("carol", "user") : _hub.Admin;
        var id = await DeployAsync(deployer, new { model = Models[model], server = "matrix" });
        await StateAsync(_hub.Admin, id, "running");
        if (stopped)
        {
            await _hub.Admin.PostAsync($"/api/deployments/{id}/stop", null).ExpectAsync(HttpStatusCode.Accepted);
            await StateAsync(_hub.Admin, id, "stopped");
        }
        return id;
    }

    [Fact]
    public async Task EveryServerRouteHasTheExactStatusPerCaller()
    {
        // Per caller: anonymous, user, owner, maintainer, operator, deployer, admin.
        var rows = new (string Route, int[] Expected, Func<int, Task<HttpResponseMessage>> Send)[]
        {
            ("GET /api/inference-servers", [401, 200, 200, 200, 200, 200, 200], c => Client(c).GetAsync("/api/inference-servers")),
            ("GET /api/inference-servers/{name}", [401, 200, 200, 200, 200, 200, 200], c => Client(c).GetAsync("/api/inference-servers/matrix")),
            ("GET /api/inference-servers/{name}/metrics", [401, 200, 200, 200, 200, 200, 200], c => Client(c).GetAsync("/api/inference-servers/matrix/metrics")),
            ("POST /api/inference-servers", [401, 403, 403, 403, 201, 403, 201], c =>
            {
                var cluster = _hub.Xinference.AddCluster($"reg-{c}");
                return Client(c).PostAsJsonAsync("/api/inference-servers", new { name = $"reg-{c}", url = cluster.BaseUrl.ToString() }, HubApplication.Json);
            }),
            ("PATCH /api/inference-servers/{name}", [401, 403, 403, 403, 200, 403, 200], c =>
                Client(c).SendJsonAsync(HttpMethod.Patch, "/api/inference-servers/matrix", new { description = "by " + c }, "*")),
            ("POST /api/inference-servers/push", [401, 403, 403, 403, 200, 403, 200], c =>
                Client(c).PostAsJsonAsync("/api/inference-servers/push", new { servers = new[] { "matrix" }, types = new[] { "rerank" } }, HubApplication.Json)),
            ("DELETE /api/inference-servers/{name}", [401, 403, 403, 403, 204, 403, 204], async c =>
            {
                var cluster = _hub.Xinference.AddCluster($"del-{c}");
                await RegisterServerAsync(_hub.Admin, $"del-{c}", cluster);
                return await Client(c).DeleteAsync($"/api/inference-servers/del-{c}", "*");
            }),
            ("GET /api/deployments", [401, 200, 200, 200, 200, 200, 200], c => Client(c).GetAsync("/api/deployments")),
        };
        var failures = new StringBuilder();
        foreach (var (route, expected, send) in rows)
        {
            for (var c = 0; c < Callers.Length; c++)
            {
                var status = (int)(await send(c)).StatusCode;
                if (status != expected[c]) failures.AppendLine($"{route} × {Callers[c].Name}: expected {expected[c]}, got {status}");
            }
        }
        Assert.True(failures.Length == 0, failures.ToString());
    }

    [Fact]
    public async Task EveryDeploymentRouteHasTheExactStatusPerCallerAndModel()
    {
        // Per caller × [carol's private model, public, advanced]. A model the caller may not see is a 400 on "model" when deploying it
        // (it names a model in the body) and a 404 for its deployments.
        var create = new[] { new[] { 401, 401, 401 }, [400, 403, 400], [202, 403, 400], [400, 403, 400], [400, 202, 400], [400, 202, 400], [202, 202, 202] };
        var read = new[] { new[] { 401, 401, 401 }, [404, 200, 404], [200, 200, 404], [404, 200, 404], [200, 200, 200], [200, 200, 200], [200, 200, 200] };
        var manage = new[] { new[] { 401, 401, 401 }, [404, 403, 404], [202, 403, 404], [404, 403, 404], [202, 202, 202], [202, 202, 202], [202, 202, 202] };
        // Calling a deployment is calling its model: whoever may see the model (managers who may not see it manage the deployment but do not call it).
        var call = new[] { new[] { 401, 401, 401 }, [404, 200, 404], [200, 200, 404], [404, 200, 404], [404, 200, 404], [404, 200, 404], [200, 200, 200] };

        var shared = new string[Models.Length];
        for (var m = 0; m < Models.Length; m++) shared[m] = await RunningAsync(m);
        var failures = new StringBuilder();
        void Check(string op, int c, int m, int expected, HttpStatusCode actual)
        {
            if ((int)actual != expected) failures.AppendLine($"{op} × {Callers[c].Name} × {Models[m]}: expected {expected}, got {(int)actual}");
        }
        for (var c = 0; c < Callers.Length; c++)
        {
            var client = Client(c);
            for (var m = 0; m < Models.Length; m++)
            {
                Check("create", c, m, create[c][m], (await client.PostAsJsonAsync("/api/deployments", new { model = Models[m], server = "matrix" }, HubApplication.Json)).StatusCode);
                Check("get", c, m, read[c][m], (await client.GetAsync($"/api/deployments/{shared[m]}")).StatusCode);
                Check("metrics", c, m, read[c][m], (await client.GetAsync($"/api/deployments/{shared[m]}/metrics")).StatusCode);
                Check("test", c, m, call[c][m], (await client.PostAsJsonAsync($"/api/deployments/{shared[m]}/test", new { input_data = new { prompt = "hi" } })).StatusCode);
                var listed = (await client.GetAsync($"/api/deployments?model={Models[m]}")).StatusCode == HttpStatusCode.OK
                    && (await (await client.GetAsync($"/api/deployments?model={Models[m]}")).JsonAsync()).GetProperty("items").EnumerateArray()
                        .Any(d => d.GetProperty("id").GetString() == shared[m]);
                Check("list", c, m, read[c][m] == 401 ? 401 : read[c][m], c == 0 ? HttpStatusCode.Unauthorized : listed ? HttpStatusCode.OK : HttpStatusCode.NotFound);

                // Changes: on a deployment of their own when the caller may make them, so each cell starts from the same state.
                var mayManage = manage[c][m] == 202;
                var stopTarget = mayManage ? await RunningAsync(m) : shared[m];
                Check("stop", c, m, manage[c][m], (await client.PostAsync($"/api/deployments/{stopTarget}/stop", null)).StatusCode);
                var startTarget = mayManage ? await RunningAsync(m, stopped: true) : shared[m];
                Check("start", c, m, manage[c][m], (await client.PostAsync($"/api/deployments/{startTarget}/start", null)).StatusCode);
                var deleteTarget = mayManage ? await RunningAsync(m) : shared[m];
                Check("delete", c, m, manage[c][m], (await client.DeleteAsync($"/api/deployments/{deleteTarget}")).StatusCode);
            }
        }
        Assert.True(failures.Length == 0, failures.ToString());
    }
}
