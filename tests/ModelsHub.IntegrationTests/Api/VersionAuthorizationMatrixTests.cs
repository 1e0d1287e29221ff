using System.Net;
using System.Net.Http.Json;
using System.Text;
using ModelsHub.IntegrationTests.Infrastructure;

namespace ModelsHub.IntegrationTests.Api;

/// <summary>
/// Every version and upload endpoint × every kind of caller × every kind of model, each cell
/// asserting the exact status: whoever may see a model reads its versions and downloads their
/// files; whoever may update it changes them. A hidden model is always a 404.
/// </summary>
public sealed class VersionAuthorizationMatrixTests : IDisposable
{
    private readonly HubApplication _app = new HubApplication().With("Uploads:ChunkSizeBytes", "262144");

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

    private async Task<string[]> SeedAsync()
    {
        var names = Kinds.Select(k => $"vx-{k}").ToArray();
        await _app.ClientFor("carol", "user").PostAsJsonAsync("/api/models", Samples.Model(names[0]), HubApplication.Json).ExpectAsync(HttpStatusCode.Created);
        var olivia = _app.ClientFor("olivia", "admin");
        await olivia.PostAsJsonAsync("/api/models", Samples.Model(names[1], "public"), HubApplication.Json).ExpectAsync(HttpStatusCode.Created);
        await olivia.PostAsJsonAsync("/api/models", Samples.Model(names[2], "public", "advanced"), HubApplication.Json).ExpectAsync(HttpStatusCode.Created);
        await olivia.PostAsJsonAsync("/api/models", Samples.Model(names[3], "public", "enterprise"), HubApplication.Json).ExpectAsync(HttpStatusCode.Created);
        foreach (var name in names)
        {
            await Uploads.UploadVersionAsync(olivia, name, "v1", "model.bin", Encoding.UTF8.GetBytes($"weights of {name}"));
        }
        return names;
    }

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

        var names = await SeedAsync();
        var admin = _app.ClientFor("olivia", "admin");
        foreach (var (caller, user, roles) in Callers)
        {
            var client = _app.ClientFor(user, roles);
            for (var k = 0; k < Kinds.Length; k++)
            {
                var model = $"/api/models/{names[k]}";
                Check("list", caller, Kinds[k], Read[caller][k], (await client.GetAsync($"{model}/versions")).StatusCode);
                Check("get", caller, Kinds[k], Read[caller][k], (await client.GetAsync($"{model}/versions/v1")).StatusCode);
                Check("suggestion", caller, Kinds[k], Read[caller][k], (await client.GetAsync($"{model}/versions/suggestion")).StatusCode);
                Check("download", caller, Kinds[k], Read[caller][k], (await client.GetAsync($"{model}/versions/v1/files/model.bin")).StatusCode);

                Check("create", caller, Kinds[k], Change(201)[caller][k],
                    (await client.PostAsJsonAsync($"{model}/versions", new { label = $"by-{caller}" })).StatusCode);
                var etag = (await admin.GetAsync($"{model}/versions/v1").ExpectAsync(HttpStatusCode.OK)).ETagOf();
                Check("update", caller, Kinds[k], Change(200)[caller][k],
                    (await client.SendJsonAsync(HttpMethod.Patch, $"{model}/versions/v1", new { notes = $"noted by {caller}" }, etag)).StatusCode);
                Check("default", caller, Kinds[k], Change(200)[caller][k],
                    (await client.SendJsonAsync(HttpMethod.Put, $"{model}/default-version", new { label = "v1" })).StatusCode);
                Check("upload", caller, Kinds[k], Change(201)[caller][k],
                    (await client.PostAsJsonAsync($"{model}/versions/v1/uploads", Uploads.Declaration($"{caller}.json", "{}"u8.ToArray()))).StatusCode);
                Check("uploads", caller, Kinds[k], Change(200)[caller][k], (await client.GetAsync($"{model}/uploads")).StatusCode);

                var doomed = await admin.PostAsJsonAsync($"{model}/versions", new { label = $"doomed-{caller}" }).ExpectAsync(HttpStatusCode.Created);
                var response = await client.DeleteAsync($"{model}/versions/doomed-{caller}", doomed.ETagOf());
                Check("delete", caller, Kinds[k], Change(204)[caller][k], response.StatusCode);
                var stillThere = (await admin.GetAsync($"{model}/versions/doomed-{caller}")).StatusCode == HttpStatusCode.OK;
                if (stillThere == (response.StatusCode == HttpStatusCode.NoContent))
                {
                    failures.AppendLine($"delete × {caller} × {Kinds[k]}: answered {(int)response.StatusCode} but the version is {(stillThere ? "still there" : "gone")}");
                }
            }
        }

        Assert.True(failures.Length == 0, $"{failures}");
        Assert.Equal(Callers.Length * Kinds.Length * 10, cells);
    }
}
