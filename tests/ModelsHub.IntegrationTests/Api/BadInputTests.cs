using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using ModelsHub.Functions.Models;
using ModelsHub.Infrastructure.Sqlite;
using ModelsHub.IntegrationTests.Infrastructure;

namespace ModelsHub.IntegrationTests.Api;

/// <summary>
/// A few hundred malformed requests: each answers a 4xx problem+json naming the field or reason,
/// none answers 5xx, and the store is exactly as it was.
/// </summary>
public sealed class BadInputTests : IDisposable
{
    private readonly HubApplication _app = new HubApplication().With("Api:MaxRequestBodyBytes", "65536");

    public void Dispose() => _app.Dispose();

    /// <param name="Status">When set, the exact status expected.</param>
    /// <param name="Field">When set, the one field the problem's <c>errors</c> must name.</param>
    private sealed record BadRequest(string Label, HttpMethod Method, string Url, HttpContent? Content, string? IfMatch = null, string? User = "ada", string[]? Roles = null,
        int? Status = null, string? Field = null);

    private static HttpContent Json(string text) => new StringContent(text, Encoding.UTF8, "application/json");

    private static HttpContent Json(JsonNode node) => Json(node.ToJsonString());

    private static JsonObject Valid(string name = "fuzz-new") => Samples.Model(name);

    private static IEnumerable<(string Label, string Body)> BrokenBodies()
    {
        yield return ("empty", "");
        yield return ("open brace", "{");
        yield return ("truncated", "{\"name\":");
        yield return ("trailing comma", "{\"name\": \"x\",}");
        yield return ("missing comma", "{\"name\":\"x\" \"type\":\"llm\"}");
        yield return ("bare word", "nul");
        yield return ("nul byte", "\u0000");
        yield return ("single quotes", "{'name': 'x'}");
        yield return ("deep nesting", new string('[', 200) + new string(']', 200));
        yield return ("deep object", string.Concat(Enumerable.Repeat("{\"a\":", 100)) + "1" + new string('}', 100));
        yield return ("array", "[]");
        yield return ("string", "\"model\"");
        yield return ("number", "42");
        yield return ("null", "null");
        yield return ("true", "true");
        yield return ("comment", "{/* c */ \"name\": \"x\"}");
        yield return ("invalid utf8 escape", "{\"name\": \"\\uZZZZ\"}");
        yield return ("lone surrogate", "{\"name\": \"\\ud800\", \"type\": \"llm\"}");
    }

    private static IEnumerable<(string Field, JsonNode? Value)> WrongFields()
    {
        JsonNode?[] notStrings = [5, true, new JsonArray(), new JsonObject()];
        foreach (var v in notStrings) yield return ("name", v?.DeepClone());
        yield return ("name", null);
        foreach (var v in new[] { "", " ", "a b", "../etc", "a/b", "naïve", "名字", "x\u0000", new string('n', 101), "stats", "DOWNLOAD", "tab\tname", ".", ".." })
            yield return ("name", v);
        foreach (var v in new JsonNode?[] { 1, "LLMX", "", null, new JsonArray(), "text model" })
            yield return ("type", v?.DeepClone());
        foreach (var v in new JsonNode?[] { 5, new JsonArray(), new JsonObject(), new string('d', 4001) })
            yield return ("description", v?.DeepClone());
        yield return ("readme", 1);
        yield return ("readme", new string('r', 262_145));
        foreach (var v in new JsonNode?[] { "a", new JsonArray(1), new JsonArray((JsonNode?)null), new JsonObject(), new JsonArray(new string('t', 51)), new JsonArray(Enumerable.Range(0, 33).Select(i => (JsonNode?)$"t{i}").ToArray()), new JsonArray("ok", "bad\u0001"), new JsonArray("a", "b|c") })
            yield return ("tags", v?.DeepClone());
        foreach (var v in new JsonNode?[] { "caffe", 1, "", null })
            yield return ("framework", v?.DeepClone());
        foreach (var v in new JsonNode?[] { "s3", "upstream", 2 })
            yield return ("source", v?.DeepClone());
        foreach (var v in new JsonNode?[] { "internal", true, null })
            yield return ("visibility", v?.DeepClone());
        foreach (var v in new JsonNode?[] { "gold", "enterprise", 0 })
            yield return ("tier", v?.DeepClone());
        foreach (var v in new JsonNode?[] { "deleted", false })
            yield return ("status", v?.DeepClone());
        foreach (var v in new JsonNode?[] { "tomorrow", 123, "2026-01-01", "2026-13-01T00:00:00Z", true })
            yield return ("expiresAt", v?.DeepClone());
        foreach (var v in new JsonNode?[] { "yes", 1, null })
            yield return ("featured", v?.DeepClone());
        foreach (var v in new JsonNode?[] { "x", 5, new JsonArray(), new JsonArray(1), new JsonObject(), new JsonArray(new JsonObject()) })
            yield return ("spec", v?.DeepClone());
        yield return ("colour", "red");
        yield return ("Name", "CaseMatters");
    }

    private static IEnumerable<JsonObject> BrokenSpecs()
    {
        foreach (var field in new[] { "version", "model_name", "model_lang", "model_ability", "model_specs" })
        {
            var entry = Samples.LlmEntry("fuzz-new");
            entry.Remove(field);
            yield return entry;
        }
        var e = Samples.LlmEntry("fuzz-new"); e["version"] = 3; yield return e;
        e = Samples.LlmEntry("fuzz-new"); e["model_name"] = "other-name"; yield return e;
        e = Samples.LlmEntry("fuzz-new"); e["model_ability"] = new JsonArray("chat", "dance"); yield return e;
        e = Samples.LlmEntry("fuzz-new"); e["model_lang"] = new JsonArray(); yield return e;
        e = Samples.LlmEntry("fuzz-new"); e["model_specs"] = new JsonArray(); yield return e;
        e = Samples.LlmEntry("fuzz-new"); e["model_specs"]![0]!["model_format"] = "safetensors"; yield return e;
        e = Samples.LlmEntry("fuzz-new"); e["model_specs"]![0]!["model_size_in_billions"] = "seven"; yield return e;
        e = Samples.LlmEntry("fuzz-new"); e["model_specs"]![0]!["model_size_in_billions"] = -1; yield return e;
        e = Samples.LlmEntry("fuzz-new"); e["model_specs"]![0]!["model_src"] = new JsonObject(); yield return e;
        e = Samples.LlmEntry("fuzz-new"); e["model_specs"]![0]!["model_src"]!["huggingface"]!.AsObject().Remove("model_id"); yield return e;
        e = Samples.LlmEntry("fuzz-new"); e["model_specs"]![0]!["model_src"]!["huggingface"]!["quantizations"] = new JsonArray(); yield return e;
        e = Samples.LlmEntry("fuzz-new"); e["model_specs"]![0]!["model_format"] = "ggufv2"; yield return e;
        e = Samples.LlmEntry("fuzz-new"); e["updated_at"] = "now"; yield return e;
        e = Samples.LlmEntry("fuzz-new"); e["updated_at"] = -5; yield return e;
        e = Samples.LlmEntry("fuzz-new"); e["is_builtin"] = true; yield return e;
        e = Samples.LlmEntry("fuzz-new"); e["featured"] = "yes"; yield return e;
        e = Samples.LlmEntry("fuzz-new"); e["context_length"] = 0; yield return e;
    }

    /// <summary>A representative subset whose problem must name exactly the broken field.</summary>
    private static IEnumerable<(string Label, string Url, HttpMethod Method, string Body, string Field)> NamedFieldCases()
    {
        JsonObject With(string field, JsonNode? value)
        {
            var body = Valid();
            body[field] = value;
            return body;
        }
        string WithoutSpec()
        {
            var body = Valid();
            body.Remove("spec");
            return body.ToJsonString();
        }
        var spec = Samples.LlmEntry("fuzz-new").ToJsonString();
        yield return ("name not a string", "/api/models", HttpMethod.Post, With("name", 5).ToJsonString(), "name");
        yield return ("name '..'", "/api/models", HttpMethod.Post, With("name", "..").ToJsonString(), "name");
        yield return ("unknown type", "/api/models", HttpMethod.Post, With("type", "LLMX").ToJsonString(), "type");
        yield return ("long tag", "/api/models", HttpMethod.Post, With("tags", new JsonArray("ok", new string('t', 51))).ToJsonString(), "tags[1]");
        yield return ("tag with separator", "/api/models", HttpMethod.Post, With("tags", new JsonArray("ok", "a|b")).ToJsonString(), "tags[1]");
        yield return ("expiresAt", "/api/models", HttpMethod.Post, With("expiresAt", "tomorrow").ToJsonString(), "expiresAt");
        yield return ("unknown field", "/api/models", HttpMethod.Post, With("colour", "red").ToJsonString(), "colour");
        yield return ("repeated name", "/api/models", HttpMethod.Post, "{\"name\":\"a\",\"type\":\"custom\",\"name\":\"b\"}", "name");
        yield return ("repeated spec field", "/api/models", HttpMethod.Post, WithoutSpec()[..^1] + ",\"spec\":[{\"version\":2," + spec[1..] + "]}", "spec[0].version");
        yield return ("update visibility", "/api/models/fuzz-existing", HttpMethod.Patch, "{\"visibility\":\"internal\"}", "visibility");
        yield return ("update repeated spec field", "/api/models/fuzz-existing", HttpMethod.Patch, "{\"spec\":{\"version\":2," + spec[1..] + "}", "spec.version");
        yield return ("me email", "/api/me", HttpMethod.Patch, "{\"email\":\"not-an-email\"}", "email");
        yield return ("import entry without a name", "/api/admin/upstream-import", HttpMethod.Post, "{\"llm\":[{\"no_name\":1}]}", "llm[0].model_name");
        yield return ("import repeated field", "/api/admin/upstream-import", HttpMethod.Post, "{\"video\":[{\"model_name\":\"v\",\"model_name\":\"w\"}]}", "video[0].model_name");
    }

    private IEnumerable<BadRequest> Requests(string etag)
    {
        foreach (var (label, body) in BrokenBodies())
        {
            yield return new($"create {label}", HttpMethod.Post, "/api/models", Json(body));
            yield return new($"update {label}", HttpMethod.Patch, "/api/models/fuzz-existing", Json(body), etag);
            yield return new($"me {label}", HttpMethod.Patch, "/api/me", Json(body));
            yield return new($"dev token {label}", HttpMethod.Post, "/api/dev/token", Json(body), User: null);
            yield return new($"readme {label}", HttpMethod.Post, "/api/models/readme-template", Json(body));
            yield return new($"import {label}", HttpMethod.Post, "/api/admin/upstream-import", Json(body));
        }
        foreach (var (field, value) in WrongFields())
        {
            var create = Valid();
            create[field] = value?.DeepClone();
            yield return new($"create {field}={value?.ToJsonString() ?? "null"}", HttpMethod.Post, "/api/models", Json(create));
            if (field != "name" || value is not JsonValue v || v.GetValueKind() != JsonValueKind.String)
            {
                var patch = new JsonObject { [field] = value?.DeepClone() };
                yield return new($"update {field}={value?.ToJsonString() ?? "null"}", HttpMethod.Patch, "/api/models/fuzz-existing", Json(patch), etag);
            }
        }
        foreach (var spec in BrokenSpecs())
        {
            var create = Valid();
            create["visibility"] = "public";
            create["spec"] = spec.DeepClone();
            yield return new($"create spec {spec.ToJsonString()[..40]}", HttpMethod.Post, "/api/models", Json(create));
            yield return new($"update spec", HttpMethod.Patch, "/api/models/fuzz-existing", Json(new JsonObject { ["spec"] = spec.DeepClone() }), etag);
        }
        yield return new("body too large", HttpMethod.Post, "/api/models", Json(new JsonObject { ["name"] = "big", ["type"] = "custom", ["readme"] = new string('x', 70_000) }), Status: 413);
        yield return new("update body too large", HttpMethod.Patch, "/api/models/fuzz-existing", Json(new JsonObject { ["readme"] = new string('x', 70_000) }), etag, Status: 413);
        yield return new("me body too large", HttpMethod.Patch, "/api/me", Json(new JsonObject { ["displayName"] = new string('x', 70_000) }), Status: 413);
        foreach (var (label, url, method, body, field) in NamedFieldCases())
        {
            yield return new($"named {label}", method, url, Json(body), method == HttpMethod.Patch && url.StartsWith("/api/models/", StringComparison.Ordinal) ? etag : null, Status: 400, Field: field);
        }
        yield return new("import too large", HttpMethod.Post, "/api/admin/upstream-import", Json(new JsonObject { ["llm"] = new JsonArray(new string('x', 80_000_000 / 1000)) }));
        yield return new("text/plain", HttpMethod.Post, "/api/models", new StringContent(Valid().ToJsonString(), Encoding.UTF8, "text/plain"));
        yield return new("xml", HttpMethod.Post, "/api/models", new StringContent("<model/>", Encoding.UTF8, "application/xml"));
        yield return new("no content type", HttpMethod.Post, "/api/models", new ByteArrayContent(Encoding.UTF8.GetBytes(Valid().ToJsonString())));
        yield return new("name change", HttpMethod.Patch, "/api/models/fuzz-existing", Json(new JsonObject { ["name"] = "renamed" }), etag);
        yield return new("weak etag", HttpMethod.Patch, "/api/models/fuzz-existing", Json(new JsonObject { ["description"] = "x" }), "W/" + etag);
        yield return new("garbage etag", HttpMethod.Patch, "/api/models/fuzz-existing", Json(new JsonObject { ["description"] = "x" }), "garbage");
        yield return new("stale etag", HttpMethod.Patch, "/api/models/fuzz-existing", Json(new JsonObject { ["description"] = "x" }), "\"0000\"");
        yield return new("no etag", HttpMethod.Patch, "/api/models/fuzz-existing", Json(new JsonObject { ["description"] = "x" }));
        yield return new("delete no etag", HttpMethod.Delete, "/api/models/fuzz-existing", null);
        yield return new("delete stale", HttpMethod.Delete, "/api/models/fuzz-existing", null, "\"0000\"");
        yield return new("update missing", HttpMethod.Patch, "/api/models/no-such-model", Json(new JsonObject { ["description"] = "x" }), etag);
        yield return new("delete missing", HttpMethod.Delete, "/api/models/no-such-model", null, etag);
        foreach (var name in new[] { "%2e%2e", "..%2Fetc", new string('x', 300), "%E5%90%8D", "a%01b", "%20" })
        {
            yield return new($"get {name}", HttpMethod.Get, $"/api/models/{name}", null);
        }
        foreach (var query in new[]
        {
            "pageSize=0", "pageSize=101", "pageSize=-1", "pageSize=abc", "pageSize=1e3", "type=xx", "sort=size", "order=up", "featured=maybe",
            "mine=yes", "continuationToken=garbage", "continuationToken=%00", "continuationToken=" + new string('A', 3000),
            "q=" + new string('q', 201), "q=a+b+c+d+e+f+g+h+i", "tag=" + new string('t', 51), "framework=caffe", "visibility=internal",
            "tier=gold", "source=s3", "status=deleted", "q=%01",
        })
        {
            yield return new($"list {query}", HttpMethod.Get, "/api/models?" + query, null);
        }
        yield return new("list tag with separator", HttpMethod.Get, "/api/models?tag=a%7Cb", null, Status: 400, Field: "tag");
        yield return new("list pageSize named", HttpMethod.Get, "/api/models?pageSize=0", null, Status: 400, Field: "pageSize");
        yield return new("list token named", HttpMethod.Get, "/api/models?continuationToken=garbage", null, Status: 400, Field: "continuationToken");
        yield return new("mine anonymous", HttpMethod.Get, "/api/models?mine=true", null, User: null);
        foreach (var me in new JsonNode[]
        {
            new JsonObject { ["email"] = "not-an-email" }, new JsonObject { ["avatarUrl"] = "javascript:alert(1)" },
            new JsonObject { ["avatarUrl"] = "/relative.png" }, new JsonObject { ["displayName"] = "" },
            new JsonObject { ["displayName"] = new string('d', 101) }, new JsonObject { ["displayName"] = null },
            new JsonObject { ["nickname"] = "x" }, new JsonObject { ["email"] = 5 },
        })
        {
            yield return new($"me {me.ToJsonString()}", HttpMethod.Patch, "/api/me", Json(me.DeepClone()));
        }
        yield return new("me anonymous", HttpMethod.Get, "/api/me", null, User: null);
        yield return new("grant unknown permission", HttpMethod.Put, "/api/users/ursula/permissions/models.fly", null);
        // Any user id may hold overrides (they apply when the user next signs in), but it must be one.
        yield return new("grant to a user id with a space", HttpMethod.Put, "/api/users/no%20body/permissions/models.register.public", null, Status: 400, Field: "id");
        yield return new("grant to an overlong user id", HttpMethod.Put, $"/api/users/{new string('u', 129)}/permissions/models.register.public", null, Status: 400, Field: "id");
        yield return new("clear an unknown permission", HttpMethod.Delete, "/api/users/ursula/overrides/models.fly", null, Status: 400, Field: "permission");
        yield return new("grant as non-admin", HttpMethod.Put, "/api/users/ursula/permissions/models.register.public", null, User: "ursula", Roles: ["user"]);
        yield return new("revoke own admin", HttpMethod.Delete, "/api/users/ada/permissions/users.administer", null);
        yield return new("users pageSize", HttpMethod.Get, "/api/users?pageSize=abc", null);
        yield return new("users token", HttpMethod.Get, "/api/users?continuationToken=zzz", null);
        foreach (var token in new JsonNode[]
        {
            new JsonObject { ["user"] = "" }, new JsonObject { ["user"] = "a b" }, new JsonObject { ["user"] = "x", ["roles"] = new JsonArray("god") },
            new JsonObject { ["user"] = "x", ["roles"] = "admin" }, new JsonObject { ["roles"] = new JsonArray("admin") },
            new JsonObject { ["user"] = "x", ["email"] = "nope" }, new JsonObject { ["user"] = new string('u', 65) },
        })
        {
            yield return new($"dev token {token.ToJsonString()}", HttpMethod.Post, "/api/dev/token", Json(token.DeepClone()), User: null);
        }
        foreach (var import in new JsonNode[]
        {
            new JsonObject { ["llm"] = "x" }, new JsonObject { ["speech"] = new JsonArray() }, new JsonObject(),
            new JsonObject { ["llm"] = new JsonArray(new JsonObject { ["no_name"] = 1 }) },
        })
        {
            yield return new($"import {import.ToJsonString()}", HttpMethod.Post, "/api/admin/upstream-import", Json(import.DeepClone()));
        }
        yield return new("unknown route", HttpMethod.Get, "/api/nope", null);
        yield return new("wrong method", HttpMethod.Put, "/api/models", Json(Valid()));
    }

    /// <summary>Waits until every workflow has finished and no work is queued, so the snapshot holds still.</summary>
    private async Task WorkflowsSettledAsync()
    {
        var database = _app.Services.GetRequiredService<SqliteDatabase>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var busy = await database.ReadAsync(connection =>
            {
                using var command = connection.CreateCommand();
                command.CommandText = "SELECT (SELECT count(*) FROM workflows WHERE doc NOT LIKE '%\"isFinished\":true%') + (SELECT count(*) FROM work_queue)";
                return Convert.ToInt64(command.ExecuteScalar());
            }, CancellationToken.None);
            if (busy == 0) return;
            Assert.True(DateTime.UtcNow < deadline, "workflows did not settle");
            await Task.Delay(50);
        }
    }

    /// <summary>Every stored document (models, users, submissions, workflows) and the work queue, read straight from the embedded file.</summary>
    private Task<string> SnapshotAsync() =>
        _app.Services.GetRequiredService<SqliteDatabase>().ReadAsync(connection =>
        {
            var snapshot = new StringBuilder();
            foreach (var sql in new[]
            {
                "SELECT id, etag, doc FROM models ORDER BY id", "SELECT id, etag, doc FROM users ORDER BY id",
                "SELECT id, etag, doc FROM submissions ORDER BY id", "SELECT id, etag, doc FROM workflows ORDER BY id",
                "SELECT count(*), '', '' FROM work_queue",
            })
            {
                using var command = connection.CreateCommand();
                command.CommandText = sql;
                using var reader = command.ExecuteReader();
                snapshot.AppendLine(sql);
                while (reader.Read())
                {
                    snapshot.AppendLine($"{reader.GetValue(0)} {reader.GetValue(1)} {reader.GetValue(2)}");
                }
            }
            return snapshot.ToString();
        }, CancellationToken.None);

    [Fact]
    public async Task BadRequestsGetProblemDetailsAndChangeNothing()
    {
        var admin = _app.ClientFor("ada", "admin");
        await admin.GetAsync("/api/me").ExpectAsync(HttpStatusCode.OK);
        await _app.ClientFor("ursula", "user").GetAsync("/api/me").ExpectAsync(HttpStatusCode.OK);
        var created = await admin.PostAsJsonAsync("/api/models", Samples.Model("fuzz-existing"), HubApplication.Json).ExpectAsync(HttpStatusCode.Created);
        var etag = created.ETagOf();
        // A pending review and its workflow, so the snapshot covers submissions and workflows too.
        await admin.PostAsJsonAsync("/api/models", Samples.Model("fuzz-public", "public"), HubApplication.Json).ExpectAsync(HttpStatusCode.Created);
        await _app.ClientFor("ursula", "user").PostAsJsonAsync("/api/models", Samples.Model("fuzz-review", "public"), HubApplication.Json).ExpectAsync(HttpStatusCode.Accepted);
        await WorkflowsSettledAsync();
        var before = await SnapshotAsync();
        Assert.Contains("fuzz-review", before);

        var requests = Requests(etag).ToList();
        Assert.True(requests.Count >= 250, $"only {requests.Count} requests");
        var failures = new StringBuilder();
        var clients = new Dictionary<string, HttpClient>();
        foreach (var bad in requests)
        {
            var key = bad.User + "/" + string.Join(",", bad.Roles ?? ["admin"]);
            if (!clients.TryGetValue(key, out var client))
            {
                clients[key] = client = _app.ClientFor(bad.User, bad.Roles ?? ["admin"]);
            }
            var request = new HttpRequestMessage(bad.Method, bad.Url) { Content = bad.Content };
            if (bad.IfMatch is not null) request.Headers.TryAddWithoutValidation("If-Match", bad.IfMatch);
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
            if (bad.Status is { } expected && status != expected)
            {
                failures.AppendLine($"{bad.Label}: expected {expected}, got {status} {body[..Math.Min(body.Length, 200)]}");
                continue;
            }
            using var problem = JsonDocument.Parse(body);
            if (bad.Field is { } field)
            {
                var keys = problem.RootElement.TryGetProperty("errors", out var listed) ? listed.EnumerateObject().Select(p => p.Name).ToList() : [];
                if (keys is not [var only] || only != field)
                {
                    failures.AppendLine($"{bad.Label}: expected errors to name only '{field}', got [{string.Join(", ", keys)}]");
                    continue;
                }
            }
            var named = problem.RootElement.TryGetProperty("errors", out var errors) && errors.EnumerateObject().Any();
            var explained = problem.RootElement.TryGetProperty("detail", out var detail) && detail.GetString()?.Length > 0;
            if (status == 400 ? !named : !(named || explained || status is 404 or 405))
            {
                failures.AppendLine($"{bad.Label}: {status} names no field or reason: {body}");
            }
        }
        Assert.True(failures.Length == 0, failures.ToString());
        var after = await SnapshotAsync();
        Assert.True(before == after, "changed: " + string.Join("\n", after.Split('\n').Except(before.Split('\n'))));
    }
}
