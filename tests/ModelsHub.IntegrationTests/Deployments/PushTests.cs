using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelsHub.IntegrationTests.Infrastructure;
using ModelsHub.Testing;
using static ModelsHub.IntegrationTests.Infrastructure.DeploymentTesting;

namespace ModelsHub.IntegrationTests.Deployments;

/// <summary>
/// "Push to servers": the hub's own public models go to every server through its registration API, and
/// the answer says per server and type what happened, failures with the server's reason (Xinference's
/// own Update reports success whatever its workers did).
/// </summary>
public sealed class PushTests : IAsyncLifetime
{
    private DeploymentHub _hub = null!;

    public async Task InitializeAsync() => _hub = await DeploymentHub.StartAsync();

    public async Task DisposeAsync() => await _hub.DisposeAsync();

    private static JsonObject Renamed(string type, string fixtureName, string name)
    {
        var entry = JsonNode.Parse(UpstreamFixtures.Read(type).EnumerateArray().First(e => e.GetProperty("model_name").GetString() == fixtureName).GetRawText())!.AsObject();
        entry["model_name"] = name;
        return entry;
    }

    private async Task SeedAsync()
    {
        var admin = _hub.Admin;
        await CreateModelAsync(admin, ChatModel("team-chat", "public"));
        await CreateModelAsync(admin, Samples.Model("bad-chat", "public"));
        await CreateModelAsync(admin, ChatModel("secret-chat"));
        var builtin = ChatModel("codestral-v0.1", "public");
        builtin["spec"] = Renamed("llm", "codestral-v0.1", "codestral-v0.1");
        builtin["spec"]!["model_family"] = "codestral";
        await CreateModelAsync(admin, builtin);
        await CreateModelAsync(admin, new JsonObject { ["name"] = "team-embed", ["type"] = "embedding", ["visibility"] = "public", ["spec"] = Renamed("embedding", "bge-large-en", "team-embed") });
        await CreateModelAsync(admin, new JsonObject { ["name"] = "team-video", ["type"] = "video", ["visibility"] = "public", ["spec"] = Renamed("video", "CogVideoX-2b", "team-video") });
        // An API model (a provider's, not Xinference's): nothing to register anywhere.
        await CreateModelAsync(admin, new JsonObject { ["name"] = "team-gpt", ["type"] = "llm", ["source"] = "openai", ["visibility"] = "public" });
        // Synced from the model repository: servers have these built in, a push leaves them alone.
        await admin.PostAsJsonAsync("/api/admin/upstream-import", new JsonObject { ["llm"] = new JsonArray(Renamed("llm", "qwen2.5-instruct", "qwen2.5-instruct")) },
            HubApplication.Json).ExpectAsync(HttpStatusCode.OK);
    }

    private static JsonElement Server(JsonElement push, string name) =>
        push.GetProperty("servers").EnumerateArray().Single(s => s.GetProperty("server").GetString() == name);

    private static JsonElement Type(JsonElement server, string type) =>
        server.GetProperty("types").EnumerateArray().Single(t => t.GetProperty("type").GetString() == type);

    private static string[] Names(JsonElement type, string outcome) =>
        type.GetProperty(outcome).EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : e.GetProperty("model").GetString()!).ToArray();

    [Fact]
    public async Task PushingToTwoServersWithOneDownReportsEachServersResult()
    {
        await SeedAsync();
        var a = _hub.Xinference.AddCluster("push-a", apiKey: "sk-push-a");
        var b = _hub.Xinference.AddCluster("push-b");
        var operatorClient = _hub.App.ClientFor("olga", "operator");
        await RegisterServerAsync(operatorClient, "push-a", a);
        await RegisterServerAsync(operatorClient, "push-b", b);
        b.Down = true;

        var push = await (await operatorClient.PostAsJsonAsync("/api/inference-servers/push", new { }, HubApplication.Json).ExpectAsync(HttpStatusCode.OK)).JsonAsync();

        Assert.False(push.GetProperty("succeeded").GetBoolean());
        var down = Server(push, "push-b");
        Assert.False(down.GetProperty("succeeded").GetBoolean());
        Assert.Contains("did not answer", down.GetProperty("error").GetString());
        var up = Server(push, "push-a");
        Assert.False(up.GetProperty("succeeded").GetBoolean());
        Assert.Equal(JsonValueKind.Null, up.GetProperty("error").ValueKind);
        var llm = Type(up, "llm");
        Assert.Equal(["team-chat"], Names(llm, "registered"));
        Assert.Equal(["codestral-v0.1"], Names(llm, "builtIn"));
        var failure = Assert.Single(llm.GetProperty("failed").EnumerateArray());
        Assert.Equal("bad-chat", failure.GetProperty("model").GetString());
        Assert.Equal("400: You must specify `model_family` when registering custom LLM models.", failure.GetProperty("reason").GetString());
        Assert.Equal(["team-embed"], Names(Type(up, "embedding"), "registered"));
        Assert.Equal("400: Unsupported model type: video", Assert.Single(Type(up, "video").GetProperty("failed").EnumerateArray()).GetProperty("reason").GetString());
        Assert.Equal(["team-chat"], a.Custom("LLM").Keys);
        Assert.Equal(["team-embed"], a.Custom("embedding").Keys);

        // Again, only llm and embedding: nothing changed, nothing is registered twice.
        var again = await (await operatorClient.PostAsJsonAsync("/api/inference-servers/push", new { servers = new[] { "push-a" }, types = new[] { "llm", "embedding" } },
            HubApplication.Json).ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        var llmAgain = Type(Assert.Single(again.GetProperty("servers").EnumerateArray()), "llm");
        Assert.Equal(["team-chat"], Names(llmAgain, "unchanged"));
        Assert.Empty(Names(llmAgain, "registered"));
        Assert.Equal(2, Assert.Single(again.GetProperty("servers").EnumerateArray()).GetProperty("types").GetArrayLength());

        // A changed spec is registered anew on the server.
        var etag = (await _hub.Admin.GetAsync("/api/models/team-chat").ExpectAsync(HttpStatusCode.OK)).ETagOf();
        var changed = ChatEntry("team-chat");
        changed["model_description"] = "Second edition";
        await _hub.Admin.SendJsonAsync(HttpMethod.Patch, "/api/models/team-chat", new { spec = changed }, etag).ExpectAsync(HttpStatusCode.OK);
        b.Down = false;
        var third = await (await operatorClient.PostAsJsonAsync("/api/inference-servers/push", new { types = new[] { "llm" } }, HubApplication.Json)
            .ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.Equal(["team-chat"], Names(Type(Server(third, "push-a"), "llm"), "updated"));
        Assert.Equal(["team-chat"], Names(Type(Server(third, "push-b"), "llm"), "registered"));
        Assert.Equal("Second edition", a.Custom("LLM")["team-chat"]["model_description"]!.GetValue<string>());
    }

    [Fact]
    public async Task PushNeedsServersManageAndNamesBadInput()
    {
        await _hub.App.ClientFor("carol", "user").PostAsJsonAsync("/api/inference-servers/push", new { }, HubApplication.Json).ExpectAsync(HttpStatusCode.Forbidden);
        await _hub.App.ClientFor(null).PostAsJsonAsync("/api/inference-servers/push", new { }, HubApplication.Json).ExpectAsync(HttpStatusCode.Unauthorized);
        var problem = await (await _hub.Admin.PostAsJsonAsync("/api/inference-servers/push", new { servers = new[] { "nope" }, types = new[] { "llm", "speech" }, force = true },
            HubApplication.Json).ExpectAsync(HttpStatusCode.BadRequest)).JsonAsync();
        Assert.Equal(["force", "types[1]"], problem.GetProperty("errors").EnumerateObject().Select(e => e.Name).Order());
        var unknown = await (await _hub.Admin.PostAsJsonAsync("/api/inference-servers/push", new { servers = new[] { "nope" } }, HubApplication.Json)
            .ExpectAsync(HttpStatusCode.BadRequest)).JsonAsync();
        Assert.True(unknown.GetProperty("errors").TryGetProperty("servers[0]", out _));
        // No body at all pushes everything (to no server here).
        var empty = await (await _hub.Admin.PostAsync("/api/inference-servers/push", null).ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.True(empty.GetProperty("succeeded").GetBoolean());
    }
}
