using System.Net;
using System.Net.Http.Json;
using System.Text;
using ModelsHub.Functions.Models;
using ModelsHub.IntegrationTests.Infrastructure;

namespace ModelsHub.IntegrationTests.Api;

/// <summary>
/// Every catalog endpoint × every kind of caller × every kind of model, each cell asserting the
/// exact status. A hidden model is always a 404 (never 403), in lists too.
/// </summary>
public class AuthorizationMatrixTests : IDisposable
{
    private readonly HubApplication _app;

    public AuthorizationMatrixTests() : this(new HubApplication()) { }

    /// <summary>The same tests against another configuration of the hub (the Azure profile's subclass).</summary>
    protected AuthorizationMatrixTests(HubApplication app) => _app = app;
    private int _sequence;

    public void Dispose() => _app.Dispose();

    private static readonly string[] Kinds = ["private", "public", "advanced", "enterprise"];

    private static readonly (string Name, string? User, string[] Roles)[] Callers =
    [
        ("anonymous", null, []),
        ("user", "ursula", ["user"]),
        ("owner", "carol", ["user"]),
        ("maintainer", "max", ["maintainer"]),
        ("reviewer", "rita", ["reviewer"]),
        ("admin", "ada", ["admin"]),
    ];

    // Expected status per caller for [private (owned by carol), public, advanced, enterprise].
    private static readonly Dictionary<string, int[]> Read = new()
    {
        ["anonymous"] = [404, 200, 404, 404],
        ["user"] = [404, 200, 404, 404],
        ["owner"] = [200, 200, 404, 404],
        ["maintainer"] = [404, 200, 404, 404],
        ["reviewer"] = [404, 200, 200, 200],
        ["admin"] = [200, 200, 200, 200],
    };

    private static Dictionary<string, int[]> Change(int success) => new()
    {
        ["anonymous"] = [404, 401, 404, 404],
        ["user"] = [404, 403, 404, 404],
        ["owner"] = [success, 403, 404, 404],
        ["maintainer"] = [404, success, 404, 404],
        ["reviewer"] = [404, 403, 403, 403],
        ["admin"] = [success, success, success, success],
    };

    private static readonly Dictionary<string, int[]> Create = new()
    {
        ["anonymous"] = [401, 401, 401, 401],
        ["user"] = [201, 403, 403, 403],
        ["owner"] = [201, 403, 403, 403],
        ["maintainer"] = [201, 201, 403, 403],
        ["reviewer"] = [201, 403, 403, 403],
        ["admin"] = [201, 201, 201, 201],
    };

    private async Task<string[]> SeedAsync()
    {
        var n = Interlocked.Increment(ref _sequence);
        var names = Kinds.Select(k => $"mx-{k}-{n}").ToArray();
        await _app.ClientFor("carol", "user").PostAsJsonAsync("/api/models", Samples.Model(names[0]), HubApplication.Json).ExpectAsync(HttpStatusCode.Created);
        var olivia = _app.ClientFor("olivia", "admin");
        await olivia.PostAsJsonAsync("/api/models", Samples.Model(names[1], "public"), HubApplication.Json).ExpectAsync(HttpStatusCode.Created);
        await olivia.PostAsJsonAsync("/api/models", Samples.Model(names[2], "public", "advanced"), HubApplication.Json).ExpectAsync(HttpStatusCode.Created);
        await olivia.PostAsJsonAsync("/api/models", Samples.Model(names[3], "public", "enterprise"), HubApplication.Json).ExpectAsync(HttpStatusCode.Created);
        return names;
    }

    private async Task<string> ETagAsync(string name) =>
        (await _app.ClientFor("ada", "admin").GetAsync($"/api/models/{name}").ExpectAsync(HttpStatusCode.OK)).ETagOf();

    [Fact]
    public async Task EveryCellHasTheExactStatus()
    {
        var failures = new StringBuilder();
        var cells = 0;
        void Check(string op, string caller, string kind, int expected, HttpStatusCode actual)
        {
            cells++;
            if ((int)actual != expected)
            {
                failures.AppendLine($"{op} × {caller} × {kind}: expected {expected}, got {(int)actual}");
            }
        }

        var shared = await SeedAsync();
        foreach (var (caller, user, roles) in Callers)
        {
            var client = _app.ClientFor(user, roles);
            for (var k = 0; k < Kinds.Length; k++)
            {
                var name = shared[k];
                Check("get", caller, Kinds[k], Read[caller][k], (await client.GetAsync($"/api/models/{name}")).StatusCode);
                Check("readme-template", caller, Kinds[k], Read[caller][k], (await client.GetAsync($"/api/models/{name}/readme-template")).StatusCode);
                var listed = await client.GetFromJsonAsync<ModelListResponse>($"/api/models?q={name}&pageSize=100", HubApplication.Json);
                Check("list", caller, Kinds[k], Read[caller][k], listed!.Items.Any(m => m.Name == name) ? HttpStatusCode.OK : HttpStatusCode.NotFound);
                var all = await client.GetFromJsonAsync<ModelListResponse>($"/api/models?tier={(k == 0 ? "standard" : Kinds[k] == "public" ? "standard" : Kinds[k])}&pageSize=100", HubApplication.Json);
                Check("list-by-tier", caller, Kinds[k], Read[caller][k], all!.Items.Any(m => m.Name == name) ? HttpStatusCode.OK : HttpStatusCode.NotFound);
            }
            var stats = await client.GetFromJsonAsync<ModelStatsResponse>("/api/models/stats", HubApplication.Json);
            Check("stats", caller, "all", Read[caller].Count(s => s == 200), (HttpStatusCode)stats!.Total);
        }

        // Changes, each on models of its own so one cell cannot disturb the next.
        foreach (var (caller, user, roles) in Callers)
        {
            var client = _app.ClientFor(user, roles);
            foreach (var (op, expected) in new[] { ("update", Change(200)), ("expire", Change(200)), ("delete", Change(204)) })
            {
                var names = await SeedAsync();
                for (var k = 0; k < Kinds.Length; k++)
                {
                    var etag = await ETagAsync(names[k]);
                    var response = op switch
                    {
                        "update" => await client.SendJsonAsync(HttpMethod.Patch, $"/api/models/{names[k]}", new { description = "changed" }, etag),
                        "expire" => await client.SendJsonAsync(HttpMethod.Patch, $"/api/models/{names[k]}", new { expiresAt = DateTimeOffset.UtcNow.AddDays(30) }, etag),
                        _ => await client.DeleteAsync($"/api/models/{names[k]}", etag),
                    };
                    Check(op, caller, Kinds[k], expected[caller][k], response.StatusCode);
                    var stillThere = (await _app.ClientFor("ada", "admin").GetAsync($"/api/models/{names[k]}")).StatusCode == HttpStatusCode.OK;
                    if (op == "delete" && stillThere == ((int)response.StatusCode == 204))
                    {
                        failures.AppendLine($"delete × {caller} × {Kinds[k]}: answered {(int)response.StatusCode} but the model is {(stillThere ? "still there" : "gone")}");
                    }
                }
            }

            for (var k = 0; k < Kinds.Length; k++)
            {
                var name = $"mx-new-{caller}-{Kinds[k]}";
                var body = k == 0 ? Samples.Model(name) : Samples.Model(name, "public", k == 1 ? "standard" : Kinds[k]);
                Check("create", caller, Kinds[k], Create[caller][k], (await client.PostAsJsonAsync("/api/models", body, HubApplication.Json)).StatusCode);
            }
        }

        Assert.True(failures.Length == 0, $"{failures}");
        Assert.Equal(Callers.Length * (Kinds.Length * 8 + 1), cells);
    }
}
