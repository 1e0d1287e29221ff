using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelsHub.Contracts.Admin;
using ModelsHub.Contracts.Models;
using ModelsHub.Core.Upstream;
using ModelsHub.Functions.Cli;
using ModelsHub.Functions.Models;
using ModelsHub.IntegrationTests.Infrastructure;
using ModelsHub.Testing;

namespace ModelsHub.IntegrationTests.Api;

public sealed class UpstreamImportTests : IDisposable
{
    private readonly HubApplication _app = new();

    public void Dispose() => _app.Dispose();

    private static JsonObject AllFiles()
    {
        var body = new JsonObject();
        foreach (var type in UpstreamFixtures.Types)
        {
            body[type] = JsonNode.Parse(UpstreamFixtures.ReadText(type));
        }
        return body;
    }

    private async Task<Dictionary<string, string>> AllETagsAsync(HttpClient admin)
    {
        var etags = new Dictionary<string, string>();
        string? token = null;
        do
        {
            var page = await admin.GetFromJsonAsync<ModelListResponse>(
                "/api/models?pageSize=100" + (token is null ? "" : "&continuationToken=" + Uri.EscapeDataString(token)), HubApplication.Json);
            foreach (var m in page!.Items) etags[m.Name] = m.ETag!;
            token = page.ContinuationToken;
        }
        while (token is not null);
        return etags;
    }

    /// <summary>The expectation, built apart from the importer: the raw entries grouped by model_name, first appearance first, file order within.</summary>
    private static List<(string Name, JsonElement Spec)> GroupByModelName(string fileText)
    {
        var groups = new List<(string Name, JsonArray Entries)>();
        foreach (var entry in JsonNode.Parse(fileText)!.AsArray())
        {
            var name = entry!["model_name"]!.GetValue<string>();
            var group = groups.FindIndex(g => g.Name == name);
            if (group < 0)
            {
                groups.Add((name, []));
                group = groups.Count - 1;
            }
            groups[group].Entries.Add(entry.DeepClone());
        }
        return groups.Select(g => (g.Name, JsonSerializer.SerializeToElement(g.Entries))).ToList();
    }

    private async Task<int> TotalAsync() =>
        (await _app.ClientFor("ada", "admin").GetFromJsonAsync<ModelStatsResponse>("/api/models/stats", HubApplication.Json))!.Total;

    [Fact]
    public async Task AFileWithAnEntryWithoutAModelNameRefusesTheWholeImportBeforeAnyWrite()
    {
        var rerank = JsonNode.Parse(UpstreamFixtures.ReadText("rerank"))!.AsArray();
        rerank[2]!.AsObject().Remove("model_name");
        var body = new JsonObject { ["video"] = JsonNode.Parse(UpstreamFixtures.ReadText("video")), ["rerank"] = rerank };
        var response = await _app.ClientFor("ada", "admin").PostAsJsonAsync("/api/admin/upstream-import", body, HubApplication.Json).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Equal(["rerank[2].model_name"], (await response.JsonAsync()).GetProperty("errors").EnumerateObject().Select(p => p.Name));
        Assert.Equal(0, await TotalAsync());
    }

    [Fact]
    public async Task ARepeatedPropertyInAnUpstreamEntryIsRefusedNamingIt()
    {
        var video = UpstreamFixtures.ReadText("video").TrimStart();
        Assert.StartsWith("[", video);
        var body = "{\"video\":[{\"version\":1," + video.TrimStart('[', ' ', '\n', '\r').TrimStart('{') + "}";
        var response = await _app.ClientFor("ada", "admin").PostAsync("/api/admin/upstream-import",
            new StringContent(body, System.Text.Encoding.UTF8, "application/json")).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Equal(["video[0].version"], (await response.JsonAsync()).GetProperty("errors").EnumerateObject().Select(p => p.Name));
        Assert.Equal(0, await TotalAsync());
    }

    [Fact]
    public async Task TheImportCommandLoadsTheFixtureFolderIntoTheDataFolder()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await new ImportUpstreamCommand().RunAsync(_app.Services, ["import-upstream", UpstreamFixtures.Directory], output, error);
        Assert.True(exit == 0, error.ToString());
        Assert.Contains("llm.json", output.ToString());
        Assert.Equal(331, await TotalAsync());
        foreach (var (name, spec) in GroupByModelName(UpstreamFixtures.ReadText("audio")))
        {
            var model = await _app.ClientFor(null).GetFromJsonAsync<ModelDto>($"/api/models/{Uri.EscapeDataString(name)}", HubApplication.Json);
            Assert.Equal(JsonSerializer.Serialize(spec), JsonSerializer.Serialize(model!.Spec!.Value));
        }
    }

    [Fact]
    public async Task TheImportCommandFailsOnAFolderWithoutTheFiles()
    {
        var empty = Path.Combine(_app.DataDirectory, "no-files");
        Directory.CreateDirectory(empty);
        File.WriteAllText(Path.Combine(empty, "llm_family.json"), "[]");
        foreach (var folder in new[] { empty, Path.Combine(_app.DataDirectory, "missing") })
        {
            var output = new StringWriter();
            var error = new StringWriter();
            var exit = await new ImportUpstreamCommand().RunAsync(_app.Services, ["import-upstream", folder], output, error);
            Assert.NotEqual(0, exit);
            Assert.Contains(folder, error.ToString());
        }
        var message = new StringWriter();
        await new ImportUpstreamCommand().RunAsync(_app.Services, ["import-upstream", empty], new StringWriter(), message);
        Assert.Contains("llm.json", message.ToString());
        Assert.Contains("llm_family.json", message.ToString());
        Assert.Equal(0, await TotalAsync());
    }

    [Fact]
    public async Task EveryUpstreamEntryImportsAndReadsBackEqualAndASecondRunChangesNothing()
    {
        var admin = _app.ClientFor("ada", "admin");
        var first = await (await admin.PostAsJsonAsync("/api/admin/upstream-import", AllFiles(), HubApplication.Json).ExpectAsync(HttpStatusCode.OK))
            .ReadAsync<UpstreamImportResponse>();
        Assert.Empty(first.Errors);
        Assert.Equal(331, first.Added);
        Assert.Equal(355, first.Entries);

        var anonymous = _app.ClientFor(null);
        foreach (var type in UpstreamFixtures.Types)
        {
            foreach (var (name, spec) in GroupByModelName(UpstreamFixtures.ReadText(type)))
            {
                var model = await anonymous.GetFromJsonAsync<ModelDto>($"/api/models/{Uri.EscapeDataString(name)}", HubApplication.Json);
                Assert.NotNull(model!.Spec);
                Assert.True(JsonElement.DeepEquals(spec, model.Spec!.Value), $"{type}/{name} differs");
                // Same keys in the same order, numbers and strings as written upstream.
                Assert.Equal(JsonSerializer.Serialize(spec), JsonSerializer.Serialize(model.Spec.Value));
                Assert.Equal("upstream", JsonSerializer.SerializeToElement(model.Source, HubApplication.Json).GetString());
            }
        }

        var stats = await anonymous.GetFromJsonAsync<ModelStatsResponse>("/api/models/stats", HubApplication.Json);
        Assert.Equal(331, stats!.Total);
        Assert.Equal(52, stats.ByType["audio"]);

        var before = await AllETagsAsync(admin);
        var second = await (await admin.PostAsJsonAsync("/api/admin/upstream-import", AllFiles(), HubApplication.Json).ExpectAsync(HttpStatusCode.OK))
            .ReadAsync<UpstreamImportResponse>();
        Assert.Equal((0, 0, 331), (second.Added, second.Updated, second.Unchanged));
        Assert.Equal(before, await AllETagsAsync(admin));
    }

    [Fact]
    public async Task ANewerUpstreamEntryReplacesAndAnOlderOneDoesNot()
    {
        var admin = _app.ClientFor("ada", "admin");
        var rerank = JsonNode.Parse(UpstreamFixtures.ReadText("rerank"))!.AsArray();
        await admin.PostAsJsonAsync("/api/admin/upstream-import", new JsonObject { ["rerank"] = rerank.DeepClone() }, HubApplication.Json).ExpectAsync(HttpStatusCode.OK);

        var name = rerank[0]!["model_name"]!.GetValue<string>();
        var newer = rerank.DeepClone().AsArray();
        newer[0]!["max_tokens"] = 1234;
        newer[0]!["updated_at"] = rerank[0]!["updated_at"]!.GetValue<long>() + 10;
        var result = await (await admin.PostAsJsonAsync("/api/admin/upstream-import", new JsonObject { ["rerank"] = newer }, HubApplication.Json)).ReadAsync<UpstreamImportResponse>();
        Assert.Equal((0, 1), (result.Added, result.Updated));
        var model = await admin.GetFromJsonAsync<ModelDto>($"/api/models/{name}", HubApplication.Json);
        Assert.Equal(1234, model!.Spec!.Value[0].GetProperty("max_tokens").GetInt32());

        var older = rerank.DeepClone().AsArray();
        older[0]!["max_tokens"] = 1;
        older[0]!["updated_at"] = rerank[0]!["updated_at"]!.GetValue<long>() - 10;
        result = await (await admin.PostAsJsonAsync("/api/admin/upstream-import", new JsonObject { ["rerank"] = older }, HubApplication.Json)).ReadAsync<UpstreamImportResponse>();
        Assert.Equal(0, result.Updated);
        model = await admin.GetFromJsonAsync<ModelDto>($"/api/models/{name}", HubApplication.Json);
        Assert.Equal(1234, model!.Spec!.Value[0].GetProperty("max_tokens").GetInt32());
    }

    [Fact]
    public async Task AHubModelWithTheSameNameIsReportedNotOverwritten()
    {
        var admin = _app.ClientFor("ada", "admin");
        var video = JsonNode.Parse(UpstreamFixtures.ReadText("video"))!.AsArray();
        var name = video[0]!["model_name"]!.GetValue<string>();
        await _app.ClientFor("carol").PostAsJsonAsync("/api/models", new { name, type = "video", description = "mine" }, HubApplication.Json).ExpectAsync(HttpStatusCode.Created);

        var result = await (await admin.PostAsJsonAsync("/api/admin/upstream-import", new JsonObject { ["video"] = video }, HubApplication.Json)).ReadAsync<UpstreamImportResponse>();
        var error = Assert.Single(result.Errors);
        Assert.Equal(name, error.ModelName);
        Assert.Equal(13, result.Added);
        var model = await admin.GetFromJsonAsync<ModelDto>($"/api/models/{name}", HubApplication.Json);
        Assert.Equal("mine", model!.Description);
    }

    [Fact]
    public async Task OnlyAdminsImport()
    {
        var body = new JsonObject { ["video"] = new JsonArray() };
        await _app.ClientFor(null).PostAsJsonAsync("/api/admin/upstream-import", body, HubApplication.Json).ExpectAsync(HttpStatusCode.Unauthorized);
        await _app.ClientFor("max", "maintainer").PostAsJsonAsync("/api/admin/upstream-import", body, HubApplication.Json).ExpectAsync(HttpStatusCode.Forbidden);
        var problem = await (await _app.ClientFor("ada", "admin").PostAsJsonAsync("/api/admin/upstream-import", new { speech = new int[0] }, HubApplication.Json)
            .ExpectAsync(HttpStatusCode.BadRequest)).JsonAsync();
        Assert.True(problem.GetProperty("errors").TryGetProperty("speech", out _));
    }
}
