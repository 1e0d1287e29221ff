using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelsHub.IntegrationTests.Infrastructure;

namespace ModelsHub.IntegrationTests.Api;

/// <summary>
/// Malformed requests to the dataset endpoints (and their versions and uploads): each answers a 4xx
/// problem+json naming the field (400s name it in <c>errors</c>), none answers 5xx, and datasets,
/// versions, uploads and stored files are exactly as they were.
/// </summary>
public sealed class DatasetBadInputTests : IDisposable
{
    private readonly HubApplication _app = new HubApplication().With("Uploads:ChunkSizeBytes", "262144");

    public void Dispose() => _app.Dispose();

    private sealed record BadRequest(string Label, HttpMethod Method, string Url, HttpContent? Content, string? IfMatch = null, string? User = "tess", string Role = "trainer",
        string? Field = null, int? Status = null);

    private static HttpContent Json(string text) => new StringContent(text, Encoding.UTF8, "application/json");

    private static HttpContent Json(JsonNode? node) => Json(node?.ToJsonString() ?? "null");

    private static IEnumerable<BadRequest> Requests(string etag, string versionETag)
    {
        foreach (var body in new[] { "", "{", "[]", "\"x\"", "42", "null", "{'name': 'x'}", "{\"name\": \"\\ud800\", \"format\": \"csv\"}" })
        {
            yield return new($"create with body {body}", HttpMethod.Post, "/api/datasets", Json(body));
            yield return new($"patch with body {body}", HttpMethod.Patch, "/api/datasets/bad-data", Json(body), etag);
        }
        JsonObject Valid() => new() { ["name"] = "fresh", ["format"] = "jsonl-chat" };
        foreach (var (field, value) in new (string, JsonNode?)[]
        {
            ("name", null), ("name", ""), ("name", "a/b"), ("name", "../x"), ("name", "名字"), ("name", new string('n', 101)), ("name", 5), ("name", "stats"),
            ("format", null), ("format", "jsonl"), ("format", "jsonl_chat"), ("format", "JSON"), ("format", 1), ("format", new JsonArray()),
            ("visibility", "internal"), ("visibility", true), ("description", 5), ("description", new string('d', 4001)),
            ("tags", "a"), ("tags", new JsonArray(1)), ("tags", new JsonArray("a|b")), ("tags", new JsonArray(new string('t', 51))),
            ("colour", "red"),
        })
        {
            var body = Valid();
            if (value is null && field is "name" or "format") body.Remove(field);
            else body[field] = value?.DeepClone();
            yield return new($"create with {field} {value?.ToJsonString() ?? "missing"}", HttpMethod.Post, "/api/datasets", Json(body), Field: field);
        }
        yield return new("create a taken name", HttpMethod.Post, "/api/datasets", Json(new JsonObject { ["name"] = "BAD-DATA", ["format"] = "csv" }), Field: "name", Status: 409);
        foreach (var (field, value) in new (string, JsonNode?)[]
        {
            ("format", "csv"), ("name", "renamed"), ("visibility", "secret"), ("tags", new JsonArray(new string('t', 51))), ("description", 5), ("owner", "me"),
        })
        {
            yield return new($"patch {field}", HttpMethod.Patch, "/api/datasets/bad-data", Json(new JsonObject { [field] = value?.DeepClone() }), etag, Field: field);
        }
        yield return new("patch without If-Match", HttpMethod.Patch, "/api/datasets/bad-data", Json("{\"description\":\"x\"}"), Status: 428);
        yield return new("patch with a stale ETag", HttpMethod.Patch, "/api/datasets/bad-data", Json("{\"description\":\"x\"}"), "\"stale\"", Status: 412);
        yield return new("patch with a weak ETag", HttpMethod.Patch, "/api/datasets/bad-data", Json("{\"description\":\"x\"}"), "W/" + etag, Status: 412);
        yield return new("delete without If-Match", HttpMethod.Delete, "/api/datasets/bad-data", null, Status: 428);
        yield return new("delete with a stale ETag", HttpMethod.Delete, "/api/datasets/bad-data", null, "\"stale\"", Status: 412);

        foreach (var query in new[] { "status=ok", "status=1", "format=jsonl", "visibility=x", "sort=size", "order=up", "pageSize=0", "pageSize=101", "pageSize=x",
            "mine=yes", "continuationToken=garbage", "q=" + string.Join("+", Enumerable.Range(0, 9).Select(i => $"w{i}")), "tag=a%7Cb", "owner=%01" })
        {
            yield return new($"list with {query}", HttpMethod.Get, "/api/datasets?" + query, null, Field: query.Split('=')[0]);
        }
        yield return new("mine=true anonymously", HttpMethod.Get, "/api/datasets?mine=true", null, User: null, Status: 401);

        // The versions and uploads of a dataset answer as a model's do, with the dataset's own rules.
        JsonObject File(string name, long size = 10) => new() { ["fileName"] = name, ["size"] = size };
        yield return new("a model file into a chat dataset", HttpMethod.Post, "/api/datasets/bad-data/versions", Json(new JsonObject { ["file"] = File("model.safetensors") }), Status: 415);
        yield return new("a csv into a chat dataset", HttpMethod.Post, "/api/datasets/bad-data/versions/v1/uploads", Json(File("train.csv")), Status: 415);
        yield return new("a negative size", HttpMethod.Post, "/api/datasets/bad-data/versions", Json(new JsonObject { ["file"] = File("train.jsonl", -1) }), Field: "file.size");
        yield return new("a file name with a folder", HttpMethod.Post, "/api/datasets/bad-data/versions", Json(new JsonObject { ["file"] = File("a/train.jsonl") }), Field: "file.fileName");
        yield return new("a second file into a version", HttpMethod.Post, "/api/datasets/bad-data/versions/v1/uploads", Json(File("more.jsonl")), Field: "fileName", Status: 409);
        yield return new("a version label", HttpMethod.Post, "/api/datasets/bad-data/versions", Json("{\"label\": \"../x\"}"), Field: "label");
        yield return new("a taken label", HttpMethod.Post, "/api/datasets/bad-data/versions", Json("{\"label\": \"V1\"}"), Field: "label", Status: 409);
        yield return new("the last version", HttpMethod.Delete, "/api/datasets/bad-data/versions/v1", null, versionETag, Status: 409);
        yield return new("a default that is not ready", HttpMethod.Put, "/api/datasets/bad-data/default-version", Json("{\"label\": \"v9\"}"), Status: 404);
        yield return new("a default without a label", HttpMethod.Put, "/api/datasets/bad-data/default-version", Json("{}"), Field: "label");
        yield return new("version notes too long", HttpMethod.Patch, "/api/datasets/bad-data/versions/v1", Json(new JsonObject { ["notes"] = new string('n', 4001) }), versionETag, Field: "notes");
        yield return new("an unknown upload", HttpMethod.Get, "/api/datasets/bad-data/versions/v1/uploads/nope", null, Status: 404);
        yield return new("an unknown dataset", HttpMethod.Get, "/api/datasets/no-such-data", null, Status: 404);
        yield return new("an unknown file", HttpMethod.Get, "/api/datasets/bad-data/versions/v1/files/other.jsonl", null, Status: 404);
    }

    private async Task<string> SnapshotAsync()
    {
        var tess = _app.ClientFor("tess", "trainer");
        var snapshot = new StringBuilder();
        snapshot.AppendLine((await Uploads.GetAsync(tess, "/api/datasets?pageSize=100")).GetRawText());
        foreach (var v in (await Uploads.GetAsync(tess, "/api/datasets/bad-data/versions")).GetProperty("items").EnumerateArray())
        {
            snapshot.AppendLine($"{v.GetProperty("label")} {v.GetProperty("etag")} {v.GetProperty("status")}");
        }
        snapshot.AppendLine((await Uploads.GetAsync(tess, "/api/datasets/bad-data/uploads")).GetRawText());
        foreach (var file in Directory.EnumerateFiles(Path.Combine(_app.DataDirectory, "blobs"), "*", SearchOption.AllDirectories).Order())
        {
            snapshot.AppendLine($"{Path.GetRelativePath(_app.DataDirectory, file)} {Convert.ToHexString(SHA256.HashData(await File.ReadAllBytesAsync(file)))}");
        }
        return snapshot.ToString();
    }

    [Fact]
    public async Task BadRequestsGetProblemDetailsNamingTheFieldAndChangeNothing()
    {
        var tess = _app.ClientFor("tess", "trainer");
        await DatasetTesting.CreateAsync(tess, "bad-data");
        await DatasetTesting.UploadAndValidateAsync(tess, "bad-data", "v1", "train.jsonl", DatasetTesting.ChatFile(3));
        var etag = (await tess.GetAsync("/api/datasets/bad-data").ExpectAsync(HttpStatusCode.OK)).ETagOf();
        var versionETag = (await tess.GetAsync("/api/datasets/bad-data/versions/v1").ExpectAsync(HttpStatusCode.OK)).ETagOf();
        var before = await SnapshotAsync();

        var requests = Requests(etag, versionETag).ToList();
        Assert.True(requests.Count >= 80, $"only {requests.Count} requests");
        var failures = new StringBuilder();
        foreach (var bad in requests)
        {
            var request = new HttpRequestMessage(bad.Method, bad.Url) { Content = bad.Content };
            if (bad.IfMatch is not null) request.Headers.TryAddWithoutValidation("If-Match", bad.IfMatch);
            var response = await _app.ClientFor(bad.User, bad.Role).SendAsync(request);
            var status = (int)response.StatusCode;
            var body = await response.Content.ReadAsStringAsync();
            if (status is < 400 or >= 500 || (bad.Status is { } expected && status != expected) || (bad.Status is null && status != 400))
            {
                failures.AppendLine($"{bad.Label}: {status} {body[..Math.Min(body.Length, 300)]}");
                continue;
            }
            if (response.Content.Headers.ContentType?.MediaType != "application/problem+json")
            {
                failures.AppendLine($"{bad.Label}: {status} with content type {response.Content.Headers.ContentType}");
                continue;
            }
            using var problem = JsonDocument.Parse(body);
            var fields = problem.RootElement.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Object
                ? errors.EnumerateObject().Select(p => p.Name).ToList() : [];
            var detail = problem.RootElement.TryGetProperty("detail", out var d) ? d.GetString() : null;
            var names = bad.Field is { } field && fields.Any(f => f == field || f.StartsWith(field + "[", StringComparison.Ordinal) || f.StartsWith(field + ".", StringComparison.Ordinal));
            if (bad.Field is not null ? !names : status == 400 ? fields.Count == 0 : string.IsNullOrEmpty(detail))
            {
                failures.AppendLine($"{bad.Label}: {status} does not name {bad.Field ?? "a field or reason"}: {body}");
            }
        }
        Assert.True(failures.Length == 0, failures.ToString());
        Assert.Equal(before, await SnapshotAsync());
    }
}
