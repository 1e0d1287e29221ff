using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelsHub.IntegrationTests.Infrastructure;

namespace ModelsHub.IntegrationTests.Api;

/// <summary>
/// Malformed requests to the version, upload and blob-mirror endpoints: each answers a 4xx
/// problem+json naming the field or reason, none answers 5xx, and versions, uploads and stored
/// files are exactly as they were.
/// </summary>
public sealed class VersionBadInputTests : IDisposable
{
    private const int Chunk = 256 * 1024;

    private readonly HubApplication _app = new HubApplication().With("Uploads:ChunkSizeBytes", Chunk.ToString()).With("Uploads:MaxFileBytes", "1073741824");

    public void Dispose() => _app.Dispose();

    private sealed record BadRequest(string Label, HttpMethod Method, string Url, HttpContent? Content, string? IfMatch = null, string? User = "ada", (string Name, string Value)? Header = null);

    private static HttpContent Json(string text) => new StringContent(text, Encoding.UTF8, "application/json");

    private static HttpContent Json(JsonNode? node) => Json(node?.ToJsonString() ?? "null");

    private static readonly string[] BrokenBodies =
    [
        "", "{", "{\"label\":", "[]", "\"v1\"", "42", "null", "{'label': 'x'}", "{\"label\": \"\\ud800\"}", new string('[', 200) + new string(']', 200),
    ];

    private static IEnumerable<(string Field, JsonNode? Value)> WrongVersionFields()
    {
        foreach (var v in new JsonNode?[] { 5, true, new JsonArray(), new JsonObject(), "", " ", "../x", "a/b", "v 1", "版本", ".hidden", "-v1", new string('v', 65), "suggestion", "V1" })
            yield return ("label", v?.DeepClone());
        foreach (var v in new JsonNode?[] { 5, new JsonArray(), new JsonObject(), new string('n', 4001) })
            yield return ("notes", v?.DeepClone());
        foreach (var v in new JsonNode?[]
        {
            "x", 5, new JsonArray(), new JsonObject { ["a"] = "b" }, new JsonObject { ["a"] = true }, new JsonObject { [""] = 1 },
            new JsonObject { [" a"] = 1 }, new JsonObject { ["a\u0001"] = 1 }, new JsonObject { [new string('m', 65)] = 1 },
            new JsonObject(Enumerable.Range(0, 51).Select(i => KeyValuePair.Create($"m{i}", (JsonNode?)i))),
        })
            yield return ("metrics", v?.DeepClone());
        yield return ("colour", "red");
    }

    private static IEnumerable<(string Label, JsonNode? File)> WrongFiles()
    {
        JsonObject File(string? name = "ok.bin", JsonNode? size = null, JsonNode? sha = null, JsonNode? type = null)
        {
            var file = new JsonObject();
            if (name is not null) file["fileName"] = name;
            file["size"] = size?.DeepClone() ?? 1000;
            if (sha is not null) file["sha256"] = sha.DeepClone();
            if (type is not null) file["contentType"] = type.DeepClone();
            return file;
        }
        yield return ("not an object", 5);
        yield return ("string", "ok.bin");
        yield return ("no name", File(null));
        yield return ("no size", new JsonObject { ["fileName"] = "ok.bin" });
        foreach (var name in new[] { "../etc/passwd.bin", "..\\x.bin", "a/b.bin", "x..bin", "..", ".bin", "nul.bin", "a\u0000b.bin", "a\nb.bin", "a\u202eb.bin", "x:y.bin", " x.bin", "x.bin ", new string('f', 300) + ".bin" })
            yield return ($"name {name}", File(name));
        foreach (var name in new[] { "model.exe", "model.sh", "model", "model.gz", "model.zip.exe" })
            yield return ($"format {name}", File(name));
        foreach (var size in new JsonNode?[] { -1, 0, 1.5, "10", true, new JsonArray(), 1e30, 1073741825, 9_000_000_000_000_000_000 })
            yield return ($"size {size?.ToJsonString()}", File(size: size ?? JsonValue.Create(0)));
        foreach (var sha in new JsonNode?[] { "xyz", new string('g', 64), new string('a', 63), 5 })
            yield return ($"sha256 {sha?.ToJsonString()}", File(sha: sha));
        foreach (var type in new JsonNode?[] { "bad type", "text", 5, new string('t', 300) })
            yield return ($"contentType {type?.ToJsonString()}", File(type: type));
        var extra = File();
        extra["path"] = "/tmp";
        yield return ("unknown field", extra);
    }

    private IEnumerable<BadRequest> Requests(string v1ETag, JsonElement upload)
    {
        const string model = "/api/models/bad-versions";
        foreach (var body in BrokenBodies)
        {
            yield return new($"create {body}", HttpMethod.Post, $"{model}/versions", Json(body));
            yield return new($"update {body}", HttpMethod.Patch, $"{model}/versions/v1", Json(body), v1ETag);
            yield return new($"upload {body}", HttpMethod.Post, $"{model}/versions/v2/uploads", Json(body));
            yield return new($"default {body}", HttpMethod.Put, $"{model}/default-version", Json(body));
        }
        foreach (var (field, value) in WrongVersionFields())
        {
            yield return new($"create {field}={value?.ToJsonString()}", HttpMethod.Post, $"{model}/versions", Json(new JsonObject { [field] = value?.DeepClone() }));
            if (field != "label")
            {
                yield return new($"update {field}={value?.ToJsonString()}", HttpMethod.Patch, $"{model}/versions/v1", Json(new JsonObject { [field] = value?.DeepClone() }), v1ETag);
            }
        }
        foreach (var (label, file) in WrongFiles())
        {
            yield return new($"create with file {label}", HttpMethod.Post, $"{model}/versions", Json(new JsonObject { ["file"] = file?.DeepClone() }));
            if (file is JsonObject declaration)
            {
                yield return new($"upload {label}", HttpMethod.Post, $"{model}/versions/v2/uploads", Json(declaration.DeepClone()));
            }
        }
        yield return new("update label", HttpMethod.Patch, $"{model}/versions/v1", Json(new JsonObject { ["label"] = "v9" }), v1ETag);
        yield return new("update file", HttpMethod.Patch, $"{model}/versions/v1", Json(new JsonObject { ["file"] = new JsonObject() }), v1ETag);
        yield return new("update no etag", HttpMethod.Patch, $"{model}/versions/v1", Json(new JsonObject { ["notes"] = "x" }));
        yield return new("update stale", HttpMethod.Patch, $"{model}/versions/v1", Json(new JsonObject { ["notes"] = "x" }), "\"0000\"");
        yield return new("update weak", HttpMethod.Patch, $"{model}/versions/v1", Json(new JsonObject { ["notes"] = "x" }), "W/" + v1ETag);
        yield return new("update missing", HttpMethod.Patch, $"{model}/versions/v404", Json(new JsonObject { ["notes"] = "x" }), v1ETag);
        yield return new("delete no etag", HttpMethod.Delete, $"{model}/versions/v1", null);
        yield return new("delete stale", HttpMethod.Delete, $"{model}/versions/v1", null, "\"0000\"");
        yield return new("delete last", HttpMethod.Delete, "/api/models/bad-single/versions/v1", null, "*");
        yield return new("delete missing", HttpMethod.Delete, $"{model}/versions/v404", null, "*");
        yield return new("default missing label", HttpMethod.Put, $"{model}/default-version", Json(new JsonObject()));
        yield return new("default label number", HttpMethod.Put, $"{model}/default-version", Json(new JsonObject { ["label"] = 5 }));
        yield return new("default unknown", HttpMethod.Put, $"{model}/default-version", Json(new JsonObject { ["label"] = "v404" }));
        yield return new("default not ready", HttpMethod.Put, $"{model}/default-version", Json(new JsonObject { ["label"] = "v2" }));
        yield return new("default extra", HttpMethod.Put, $"{model}/default-version", Json(new JsonObject { ["label"] = "v1", ["pin"] = true }));
        yield return new("upload to missing version", HttpMethod.Post, $"{model}/versions/v404/uploads", Json(new JsonObject { ["fileName"] = "a.bin", ["size"] = 1 }));
        yield return new("upload to missing model", HttpMethod.Post, "/api/models/nope/versions/v1/uploads", Json(new JsonObject { ["fileName"] = "a.bin", ["size"] = 1 }));
        yield return new("upload of a file in progress", HttpMethod.Post, $"{model}/versions/v2/uploads", Json(new JsonObject { ["fileName"] = "open.bin", ["size"] = 5 }));
        yield return new("upload as text", HttpMethod.Post, $"{model}/versions/v2/uploads", new StringContent("fileName=a.bin", Encoding.UTF8, "text/plain"));
        yield return new("anonymous upload", HttpMethod.Post, $"{model}/versions/v2/uploads", Json(new JsonObject { ["fileName"] = "a.bin", ["size"] = 1 }), User: null);
        foreach (var path in new[] { "..%2F..%2Fmodels", "..%2Fetc", new string('v', 300), "%E7%89%88", "a%01b", "%20" })
        {
            yield return new($"get version {path}", HttpMethod.Get, $"{model}/versions/{path}", null);
            yield return new($"download {path}", HttpMethod.Get, $"{model}/versions/v1/files/{path}", null);
        }
        yield return new("unknown upload", HttpMethod.Get, $"{model}/versions/v2/uploads/nope", null);
        yield return new("upload of another version", HttpMethod.Get, $"{model}/versions/v1/uploads/{upload.GetProperty("id").GetString()}", null);
        yield return new("complete unknown", HttpMethod.Post, $"{model}/versions/v2/uploads/nope/complete", null);
        yield return new("complete with chunks missing", HttpMethod.Post, upload.GetProperty("url").GetString() + "/complete", null);

        var target = upload.GetProperty("target").GetProperty("url").GetString()!;
        var block1 = $"&comp=block&blockid={Uploads.BlockId(1)}";
        var chunk = new byte[Chunk];
        yield return new("block without signature", HttpMethod.Put, target.Split('?')[0] + "?comp=block&blockid=" + Uploads.BlockId(1), new ByteArrayContent(chunk), User: null);
        yield return new("block with a forged signature", HttpMethod.Put, target.Replace("sig=", "sig=AA") + block1, new ByteArrayContent(chunk), User: null);
        yield return new("block of another blob", HttpMethod.Put, target.Replace("/open.bin?", "/other.bin?") + block1, new ByteArrayContent(chunk), User: null);
        yield return new("block with a later expiry", HttpMethod.Put, target.Replace("se=", "se=9") + block1, new ByteArrayContent(chunk), User: null);
        yield return new("no comp", HttpMethod.Put, target, new ByteArrayContent(chunk), User: null);
        yield return new("comp=appendblock", HttpMethod.Put, target + "&comp=appendblock", new ByteArrayContent(chunk), User: null);
        yield return new("no block id", HttpMethod.Put, target + "&comp=block", new ByteArrayContent(chunk), User: null);
        yield return new("block id not ours", HttpMethod.Put, target + "&comp=block&blockid=YmxvY2stMQ==", new ByteArrayContent(chunk), User: null);
        yield return new("block past the end", HttpMethod.Put, target + $"&comp=block&blockid={Uploads.BlockId(9)}", new ByteArrayContent(chunk), User: null);
        yield return new("block too short", HttpMethod.Put, target + block1, new ByteArrayContent(new byte[10]), User: null);
        yield return new("block too long", HttpMethod.Put, target + block1, new ByteArrayContent(new byte[Chunk + 1]), User: null);
        yield return new("block with a wrong MD5", HttpMethod.Put, target + block1, new ByteArrayContent(chunk), User: null, Header: ("Content-MD5", Convert.ToBase64String(MD5.HashData("x"u8))));
        yield return new("block with a malformed MD5", HttpMethod.Put, target + block1, new ByteArrayContent(chunk), User: null, Header: ("Content-MD5", "md5!"));
        yield return new("block list not XML", HttpMethod.Put, target + "&comp=blocklist", new StringContent("not xml"), User: null);
        yield return new("block list of another root", HttpMethod.Put, target + "&comp=blocklist", new StringContent("<Blocks/>"), User: null);
        yield return new("block list with a DTD", HttpMethod.Put, target + "&comp=blocklist",
            new StringContent("<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><BlockList><Latest>&e;</Latest></BlockList>"), User: null);
        yield return new("block list incomplete", HttpMethod.Put, target + "&comp=blocklist", new StringContent($"<BlockList><Latest>{Uploads.BlockId(0)}</Latest></BlockList>"), User: null);
        yield return new("block list out of order", HttpMethod.Put, target + "&comp=blocklist",
            new StringContent($"<BlockList><Latest>{Uploads.BlockId(1)}</Latest><Latest>{Uploads.BlockId(0)}</Latest></BlockList>"), User: null);
        yield return new("get block list type", HttpMethod.Get, target + "&comp=blocklist&blocklisttype=some", null, User: null);
        yield return new("get without comp", HttpMethod.Get, target, null, User: null);
    }

    private async Task<string> SnapshotAsync()
    {
        var admin = _app.ClientFor("ada", "admin");
        var snapshot = new StringBuilder();
        foreach (var model in new[] { "bad-versions", "bad-single" })
        {
            snapshot.AppendLine((await admin.GetAsync($"/api/models/{model}")).ETagOf());
            var versions = await Uploads.GetAsync(admin, $"/api/models/{model}/versions");
            foreach (var v in versions.GetProperty("items").EnumerateArray())
            {
                snapshot.AppendLine($"{v.GetProperty("label")} {v.GetProperty("etag")} {v.GetProperty("status")}");
            }
            foreach (var u in (await Uploads.GetAsync(admin, $"/api/models/{model}/uploads")).GetProperty("items").EnumerateArray())
            {
                var state = await Uploads.GetAsync(admin, u.GetProperty("url").GetString()!);
                snapshot.AppendLine($"{state.GetProperty("id")} {state.GetProperty("status")} {state.GetProperty("receivedChunks").GetRawText()}");
                // A staged file grows as chunks are written; what must not change is the bytes of the chunks that arrived.
                var staged = await File.ReadAllBytesAsync(Path.Combine(_app.DataDirectory, "blobs", "uploads", state.GetProperty("id").GetString()!, state.GetProperty("fileName").GetString()!));
                var chunkSize = (int)state.GetProperty("chunkSize").GetInt64();
                foreach (var range in state.GetProperty("receivedChunks").EnumerateArray())
                {
                    var (first, last) = (range[0].GetInt32(), range[1].GetInt32());
                    var end = Math.Min(staged.Length, (last + 1) * chunkSize);
                    snapshot.AppendLine($"  chunks {first}-{last} {Convert.ToHexString(SHA256.HashData(staged.AsSpan(first * chunkSize, end - first * chunkSize)))}");
                }
            }
        }
        foreach (var file in Directory.EnumerateFiles(Path.Combine(_app.DataDirectory, "blobs"), "*", SearchOption.AllDirectories).Order()
            .Where(f => !Path.GetRelativePath(_app.DataDirectory, f).StartsWith(Path.Combine("blobs", "uploads"), StringComparison.Ordinal)))
        {
            snapshot.AppendLine($"{Path.GetRelativePath(_app.DataDirectory, file)} {new FileInfo(file).Length} {Convert.ToHexString(SHA256.HashData(await File.ReadAllBytesAsync(file)))}");
        }
        return snapshot.ToString();
    }

    [Fact]
    public async Task BadRequestsGetProblemDetailsAndChangeNothing()
    {
        var admin = _app.ClientFor("ada", "admin");
        await Uploads.CreateModelAsync(admin, "bad-versions");
        await Uploads.CreateModelAsync(admin, "bad-single");
        await Uploads.UploadVersionAsync(admin, "bad-versions", "v1", "ready.bin", Uploads.RandomBytes(1000, 1));
        await Uploads.UploadVersionAsync(admin, "bad-single", "v1", "only.bin", Uploads.RandomBytes(1000, 2));
        var open = Uploads.RandomBytes(Chunk * 2 + 10, 3);
        var (_, upload) = await Uploads.CreateVersionAsync(admin, "bad-versions", "v2", "open.bin", open);
        await Uploads.PutChunksAsync(admin, upload, open, [0]);
        var v1ETag = (await admin.GetAsync("/api/models/bad-versions/versions/v1").ExpectAsync(HttpStatusCode.OK)).ETagOf();
        var before = await SnapshotAsync();

        var requests = Requests(v1ETag, upload).ToList();
        Assert.True(requests.Count >= 200, $"only {requests.Count} requests");
        var failures = new StringBuilder();
        var clients = new Dictionary<string, HttpClient>();
        foreach (var bad in requests)
        {
            var key = bad.User ?? "";
            if (!clients.TryGetValue(key, out var client))
            {
                clients[key] = client = _app.ClientFor(bad.User, "admin");
            }
            var request = new HttpRequestMessage(bad.Method, bad.Url) { Content = bad.Content };
            if (bad.IfMatch is not null) request.Headers.TryAddWithoutValidation("If-Match", bad.IfMatch);
            if (bad.Header is { } header) request.Content!.Headers.TryAddWithoutValidation(header.Name, header.Value);
            var response = await client.SendAsync(request);
            var status = (int)response.StatusCode;
            var body = await response.Content.ReadAsStringAsync();
            if (status is < 400 or >= 500)
            {
                failures.AppendLine($"{bad.Label}: {status} {body[..Math.Min(body.Length, 200)]}");
                continue;
            }
            if (response.Content.Headers.ContentType?.MediaType != "application/problem+json")
            {
                failures.AppendLine($"{bad.Label}: {status} with content type {response.Content.Headers.ContentType}");
                continue;
            }
            using var problem = JsonDocument.Parse(body);
            var named = problem.RootElement.TryGetProperty("errors", out var errors) && errors.EnumerateObject().Any();
            var explained = problem.RootElement.TryGetProperty("detail", out var detail) && detail.GetString()?.Length > 0;
            if (status == 400 ? !named : !(named || explained || status is 404 or 405))
            {
                failures.AppendLine($"{bad.Label}: {status} names no field or reason: {body}");
            }
        }
        Assert.True(failures.Length == 0, failures.ToString());
        Assert.Equal(before, await SnapshotAsync());
    }
}
