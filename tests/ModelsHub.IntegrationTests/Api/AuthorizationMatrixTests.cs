using System.Net;
using System.Net.Http.Json;
using System.Text;
using ModelsHub.Functions.Models;
using ModelsHub.IntegrationTests.Infrastructure;

namespace ModelsHub.IntegrationTests.Api;

/// <summary>
/// Every catalog endpoint × every kind of caller × every kind of model, each cell asserting the
/// exact status. A hidden model is always a 404 (never 403), in lists too. A change that needs
/// review (a public registration without the permission, an owner's change to their public
/// model) is a 202 with a pending submission, and the live model stays as it was.
/// </summary>
public class AuthorizationMatrixTests : IDisposable
{
    private readonly HubApplication _app;

    public AuthorizationMatrixTests() : this(new HubApplication()) { }

    /// <summary>The same tests against another configuration of the hub (the Azure profile's subclass).</summary>
    protected AuthorizationMatrixTests(HubApplication app) => _app = app;
    private int _sequence;

    public void Dispose() => _app.Dispose();

    // "public-own": a public standard model carol registered through review (she holds no public permission).
    private static readonly string[] Kinds = ["private", "public", "advanced", "enterprise", "public-own"];

    private static readonly (string Name, string? User, string[] Roles)[] Callers =
    [
        ("anonymous", null, []),
        ("user", "ursula", ["user"]),
        ("owner", "carol", ["user"]),
        ("maintainer", "max", ["maintainer"]),
        ("reviewer", "rita", ["reviewer"]),
        ("admin", "ada", ["admin"]),
    ];

    // Expected status per caller for [private (owned by carol), public, advanced, enterprise, public-own (owned by carol)].
    private static readonly Dictionary<string, int[]> Read = new()
    {
        ["anonymous"] = [404, 200, 404, 404, 200],
        ["user"] = [404, 200, 404, 404, 200],
        ["owner"] = [200, 200, 404, 404, 200],
        ["maintainer"] = [404, 200, 404, 404, 200],
        ["reviewer"] = [404, 200, 200, 200, 200],
        ["admin"] = [200, 200, 200, 200, 200],
    };

    private static Dictionary<string, int[]> Change(int success) => new()
    {
        ["anonymous"] = [404, 401, 404, 404, 401],
        ["user"] = [404, 403, 404, 404, 403],
        ["owner"] = [success, 403, 404, 404, 202],
        ["maintainer"] = [404, success, 404, 404, success],
        ["reviewer"] = [404, 403, 403, 403, 403],
        ["admin"] = [success, success, success, success, success],
    };

    // Create: [private, public, advanced, enterprise, public again]; without the permission a signed-in user's public registration goes to review.
    private static readonly Dictionary<string, int[]> Create = new()
    {
        ["anonymous"] = [401, 401, 401, 401, 401],
        ["user"] = [201, 202, 202, 202, 202],
        ["owner"] = [201, 202, 202, 202, 202],
        ["maintainer"] = [201, 201, 202, 202, 201],
        ["reviewer"] = [201, 202, 202, 202, 202],
        ["admin"] = [201, 201, 201, 201, 201],
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
        var submitted = await (await _app.ClientFor("carol", "user").PostAsJsonAsync("/api/models", Samples.Model(names[4], "public"), HubApplication.Json)
            .ExpectAsync(HttpStatusCode.Accepted)).JsonAsync();
        await _app.ClientFor("rita", "reviewer").PostAsJsonAsync($"/api/reviews/{submitted.GetProperty("id").GetString()}/decision", new { decision = "approve" })
            .ExpectAsync(HttpStatusCode.OK);
        var admin = _app.ClientFor("ada", "admin");
        await GitHubTesting.EventuallyAsync<object>(async () => (await admin.GetAsync($"/api/models/{names[4]}")).StatusCode == HttpStatusCode.OK ? true : null,
            $"the approved registration of {names[4]}");
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
                var all = await client.GetFromJsonAsync<ModelListResponse>($"/api/models?tier={(k is 0 or 1 or 4 ? "standard" : Kinds[k])}&pageSize=100", HubApplication.Json);
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
                    if (response.StatusCode == HttpStatusCode.Accepted && (await _app.ClientFor("ada", "admin").GetAsync($"/api/models/{names[k]}")).Headers.ETag?.Tag != etag)
                    {
                        failures.AppendLine($"{op} × {caller} × {Kinds[k]}: answered 202 but the live model changed before review");
                    }
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
                var body = k == 0 ? Samples.Model(name) : Samples.Model(name, "public", k is 1 or 4 ? "standard" : Kinds[k]);
                Check("create", caller, Kinds[k], Create[caller][k], (await client.PostAsJsonAsync("/api/models", body, HubApplication.Json)).StatusCode);
            }
        }

        Assert.True(failures.Length == 0, $"{failures}");
        Assert.Equal(Callers.Length * (Kinds.Length * 8 + 1), cells);
    }
}
