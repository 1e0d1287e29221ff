using System.Net;
using System.Net.Http.Json;
using System.Text;
using ModelsHub.IntegrationTests.Infrastructure;

namespace ModelsHub.IntegrationTests.Api;

/// <summary>
/// Every dataset endpoint (the dataset, its versions, uploads and files) × every kind of caller ×
/// private and public, each cell asserting the exact status: creating needs datasets.manage; whoever
/// may see a dataset reads it, its versions and files; its owner and administrators change it. A
/// private dataset is a 404 to everyone else, in lists too.
/// </summary>
public sealed class DatasetAuthorizationMatrixTests : IDisposable
{
    private readonly HubApplication _app = new HubApplication().With("Uploads:ChunkSizeBytes", "262144");

    public void Dispose() => _app.Dispose();

    /// <summary>The routes this matrix walks (for the check that every mapped route has a row).</summary>
    public static readonly string[] Routes =
    [
        "GET /api/datasets", "POST /api/datasets", "GET /api/datasets/{name}", "PATCH /api/datasets/{name}", "DELETE /api/datasets/{name}",
        "GET /api/datasets/{name}/versions", "GET /api/datasets/{name}/versions/suggestion", "POST /api/datasets/{name}/versions",
        "GET /api/datasets/{name}/versions/{version}", "PATCH /api/datasets/{name}/versions/{version}", "DELETE /api/datasets/{name}/versions/{version}",
        "GET /api/datasets/{name}/versions/{version}/files/{fileName}", "HEAD /api/datasets/{name}/versions/{version}/files/{fileName}",
        "PUT /api/datasets/{name}/default-version", "POST /api/datasets/{name}/versions/{version}/uploads", "GET /api/datasets/{name}/uploads",
        "GET /api/datasets/{name}/versions/{version}/uploads/{uploadId}", "POST /api/datasets/{name}/versions/{version}/uploads/{uploadId}/complete",
        "DELETE /api/datasets/{name}/versions/{version}/uploads/{uploadId}",
    ];

    private static readonly string[] Kinds = ["private", "public"];

    // carol owns both datasets; tess holds datasets.manage but owns neither.
    private static readonly (string Name, string? User, string[] Roles)[] Callers =
    [
        ("anonymous", null, []),
        ("user", "ursula", ["user"]),
        ("owner", "carol", ["trainer"]),
        ("trainer", "tess", ["trainer"]),
        ("maintainer", "max", ["maintainer"]),
        ("admin", "ada", ["admin"]),
    ];

    // Expected status per caller for [private, public].
    private static readonly Dictionary<string, int[]> Read = new()
    {
        ["anonymous"] = [404, 200],
        ["user"] = [404, 200],
        ["owner"] = [200, 200],
        ["trainer"] = [404, 200],
        ["maintainer"] = [404, 200],
        ["admin"] = [200, 200],
    };

    private static Dictionary<string, int[]> Change(int success) => new()
    {
        ["anonymous"] = [404, 401],
        ["user"] = [404, 403],
        ["owner"] = [success, success],
        ["trainer"] = [404, 403],
        ["maintainer"] = [404, 403],
        ["admin"] = [success, success],
    };

    private static readonly Dictionary<string, int> Create = new()
    {
        ["anonymous"] = 401, ["user"] = 403, ["owner"] = 201, ["trainer"] = 201, ["maintainer"] = 403, ["admin"] = 201,
    };

    private int _sequence;

    /// <summary>A private and a public dataset of carol's, each with a ready v1.</summary>
    private async Task<string[]> SeedAsync()
    {
        var n = Interlocked.Increment(ref _sequence);
        var names = Kinds.Select(k => $"dx-{k}-{n}").ToArray();
        var carol = _app.ClientFor("carol", "trainer");
        for (var k = 0; k < Kinds.Length; k++)
        {
            await DatasetTesting.CreateAsync(carol, names[k], "jsonl-chat", Kinds[k]);
            await DatasetTesting.UploadAndValidateAsync(carol, names[k], "v1", "train.jsonl", DatasetTesting.ChatFile(2));
            await DatasetTesting.WaitForDatasetAsync(carol, names[k], d => d.GetProperty("status").GetString() == "ready", "ready");
        }
        return names;
    }

    [Fact]
    public async Task EveryCellHasTheExactStatus()
    {
        var failures = new StringBuilder();
        var cells = 0;
        void Check(string op, string caller, int k, int expected, HttpStatusCode actual)
        {
            cells++;
            if ((int)actual != expected)
            {
                failures.AppendLine($"{op} × {caller} × {Kinds[k]}: expected {expected}, got {(int)actual}");
            }
        }

        var names = await SeedAsync();
        var admin = _app.ClientFor("ada", "admin");
        foreach (var (caller, user, roles) in Callers)
        {
            var client = _app.ClientFor(user, roles);
            for (var k = 0; k < Kinds.Length; k++)
            {
                var dataset = $"/api/datasets/{names[k]}";
                Check("get", caller, k, Read[caller][k], (await client.GetAsync(dataset)).StatusCode);
                var listed = await Uploads.GetAsync(client, $"/api/datasets?q={names[k]}&pageSize=100");
                Check("list", caller, k, Read[caller][k], listed.GetProperty("items").EnumerateArray().Any(d => d.GetProperty("name").GetString() == names[k]) ? HttpStatusCode.OK : HttpStatusCode.NotFound);
                var byOwner = await Uploads.GetAsync(client, "/api/datasets?owner=carol&status=ready&pageSize=100");
                Check("list by owner", caller, k, Read[caller][k], byOwner.GetProperty("items").EnumerateArray().Any(d => d.GetProperty("name").GetString() == names[k]) ? HttpStatusCode.OK : HttpStatusCode.NotFound);
                var conditional = new HttpRequestMessage(HttpMethod.Get, dataset);
                conditional.Headers.TryAddWithoutValidation("If-None-Match", "*");
                Check("if-none-match", caller, k, Read[caller][k] == 200 ? 304 : 404, (await client.SendAsync(conditional)).StatusCode);
                Check("versions", caller, k, Read[caller][k], (await client.GetAsync($"{dataset}/versions")).StatusCode);
                Check("version", caller, k, Read[caller][k], (await client.GetAsync($"{dataset}/versions/v1")).StatusCode);
                Check("suggestion", caller, k, Read[caller][k], (await client.GetAsync($"{dataset}/versions/suggestion")).StatusCode);
                Check("download", caller, k, Read[caller][k], (await client.GetAsync($"{dataset}/versions/v1/files/train.jsonl")).StatusCode);
                Check("download head", caller, k, Read[caller][k], (await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"{dataset}/versions/v1/files/train.jsonl"))).StatusCode);

                Check("patch", caller, k, Change(200)[caller][k],
                    (await client.SendJsonAsync(HttpMethod.Patch, dataset, new { description = $"by {caller}" }, (await admin.GetAsync(dataset)).ETagOf())).StatusCode);
                Check("create version", caller, k, Change(201)[caller][k],
                    (await client.PostAsJsonAsync($"{dataset}/versions", new { label = $"by-{caller}" }, HubApplication.Json)).StatusCode);
                var v1 = (await admin.GetAsync($"{dataset}/versions/v1").ExpectAsync(HttpStatusCode.OK)).ETagOf();
                Check("patch version", caller, k, Change(200)[caller][k],
                    (await client.SendJsonAsync(HttpMethod.Patch, $"{dataset}/versions/v1", new { notes = $"noted by {caller}" }, v1)).StatusCode);
                Check("default", caller, k, Change(200)[caller][k],
                    (await client.SendJsonAsync(HttpMethod.Put, $"{dataset}/default-version", new { label = "v1" })).StatusCode);
                Check("uploads", caller, k, Change(200)[caller][k], (await client.GetAsync($"{dataset}/uploads")).StatusCode);

                // An upload of the caller's own into a version of its own.
                var label = $"u-{caller}";
                await admin.PostAsJsonAsync($"{dataset}/versions", new { label }, HubApplication.Json).ExpectAsync(HttpStatusCode.Created);
                var content = DatasetTesting.ChatFile(1);
                var started = await client.PostAsJsonAsync($"{dataset}/versions/{label}/uploads", Uploads.Declaration($"{caller}.jsonl", content), HubApplication.Json);
                Check("start upload", caller, k, Change(201)[caller][k], started.StatusCode);
                var upload = (await (await admin.PostAsJsonAsync($"{dataset}/versions/{label}/uploads", Uploads.Declaration($"{caller}.jsonl", content), HubApplication.Json)
                    .ExpectAsync(started.StatusCode == HttpStatusCode.Created ? HttpStatusCode.OK : HttpStatusCode.Created)).JsonAsync()).GetProperty("url").GetString()!;
                Check("get upload", caller, k, Change(200)[caller][k], (await client.GetAsync(upload)).StatusCode);
                // No chunk arrived: whoever may complete it hears 409 with the missing chunks.
                Check("complete upload", caller, k, Change(409)[caller][k], (await client.PostAsync(upload + "/complete", null)).StatusCode);
                Check("abort upload", caller, k, Change(204)[caller][k], (await client.DeleteAsync(upload)).StatusCode);

                var doomed = await admin.PostAsJsonAsync($"{dataset}/versions", new { label = $"doomed-{caller}" }, HubApplication.Json).ExpectAsync(HttpStatusCode.Created);
                var deleted = await client.DeleteAsync($"{dataset}/versions/doomed-{caller}", doomed.ETagOf());
                Check("delete version", caller, k, Change(204)[caller][k], deleted.StatusCode);
                var stillThere = (await admin.GetAsync($"{dataset}/versions/doomed-{caller}")).StatusCode == HttpStatusCode.OK;
                if (stillThere == (deleted.StatusCode == HttpStatusCode.NoContent))
                {
                    failures.AppendLine($"delete version × {caller} × {Kinds[k]}: answered {(int)deleted.StatusCode} but the version is {(stillThere ? "still there" : "gone")}");
                }
            }
            Check("create", caller, 0, Create[caller], (await client.PostAsJsonAsync("/api/datasets", new { name = $"dx-new-{caller}", format = "csv" }, HubApplication.Json)).StatusCode);
        }

        // Deleting a whole dataset, each caller on datasets of their own.
        foreach (var (caller, user, roles) in Callers)
        {
            var client = _app.ClientFor(user, roles);
            var names2 = await SeedAsync();
            for (var k = 0; k < Kinds.Length; k++)
            {
                var dataset = $"/api/datasets/{names2[k]}";
                var response = await client.DeleteAsync(dataset, (await admin.GetAsync(dataset)).ETagOf());
                Check("delete", caller, k, Change(204)[caller][k], response.StatusCode);
                var stillThere = (await admin.GetAsync(dataset)).StatusCode == HttpStatusCode.OK;
                if (stillThere == (response.StatusCode == HttpStatusCode.NoContent))
                {
                    failures.AppendLine($"delete × {caller} × {Kinds[k]}: answered {(int)response.StatusCode} but the dataset is {(stillThere ? "still there" : "gone")}");
                }
            }
        }

        Assert.True(failures.Length == 0, failures.ToString());
        Assert.Equal(Callers.Length * (Kinds.Length * 20 + 1), cells);
    }
}
