using System.Net.Http.Json;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using ModelsHub.Core.Assets;
using ModelsHub.Core.Uploads;
using ModelsHub.Core.Versions;
using ModelsHub.IntegrationTests.Infrastructure;

namespace ModelsHub.IntegrationTests.Api;

/// <summary>Versions through the API: labels and suggestions, the default version, notes and metrics, delete protection, cascade.</summary>
public sealed class VersionsApiTests : IDisposable
{
    private const int Chunk = 256 * 1024;

    private readonly HubApplication _app = new HubApplication().With("Uploads:ChunkSizeBytes", Chunk.ToString());

    public void Dispose() => _app.Dispose();

    private HttpClient Owner => _app.ClientFor("olga", "user");

    private static async Task<JsonElement> ListAsync(HttpClient client, string model) => await Uploads.GetAsync(client, $"/api/models/{model}/versions");

    [Fact]
    public async Task ImportingAModelWithAFileCreatesV1AndMakesItTheDefault()
    {
        var client = Owner;
        await Uploads.CreateModelAsync(client, "llama-import");
        var content = Uploads.RandomBytes(Chunk * 2 + 1000, 1);

        var (version, upload) = await Uploads.CreateVersionAsync(client, "llama-import", null, "llama.zip", content);
        Assert.Equal(("v1", "uploading"), (version.GetProperty("label").GetString(), version.GetProperty("status").GetString()));
        Assert.Equal(3, upload.GetProperty("chunkCount").GetInt32());
        Assert.Equal("application/zip", upload.GetProperty("contentType").GetString());
        Assert.Equal("hub", upload.GetProperty("target").GetProperty("kind").GetString());

        await Uploads.PutChunksAsync(client, upload, content);
        var done = await (await Uploads.CompleteAsync(client, upload).ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        var ready = done.GetProperty("version");
        Assert.Equal("ready", ready.GetProperty("status").GetString());
        Assert.True(ready.GetProperty("isDefault").GetBoolean());
        var file = Assert.Single(ready.GetProperty("files").EnumerateArray());
        Assert.Equal((Uploads.Sha256(content), content.Length), (file.GetProperty("sha256").GetString(), file.GetProperty("size").GetInt32()));

        var model = await Uploads.GetAsync(client, "/api/models/llama-import");
        Assert.Equal("v1", model.GetProperty("defaultVersion").GetString());
        Assert.False(model.GetProperty("defaultVersionPinned").GetBoolean());
        Assert.True(File.Exists(Path.Combine(_app.DataDirectory, "blobs", "models", "llama-import", "v1", "llama.zip")));
    }

    [Fact]
    public async Task TheHubSuggestsTheNextLabelFromTheExistingOnes()
    {
        var client = Owner;
        await Uploads.CreateModelAsync(client, "suggest");
        async Task<string> SuggestionAsync() => (await Uploads.GetAsync(client, "/api/models/suggest/versions/suggestion")).GetProperty("label").GetString()!;
        async Task AddAsync(string? label) => await client.PostAsJsonAsync("/api/models/suggest/versions", new { label }, HubApplication.Json).ExpectAsync(HttpStatusCode.Created);

        Assert.Equal("v1", await SuggestionAsync());
        await AddAsync(null);
        Assert.Equal("v2", await SuggestionAsync());
        await AddAsync("v2.1");
        Assert.Equal("v2.2", await SuggestionAsync());
        await AddAsync("v3_medical");
        Assert.Equal("v4", await SuggestionAsync());
        await AddAsync(null);
        var list = await ListAsync(client, "suggest");
        Assert.Equal(["v1", "v2.1", "v3_medical", "v4"], list.GetProperty("items").EnumerateArray().Select(v => v.GetProperty("label").GetString()));
        Assert.Equal("v5", list.GetProperty("suggestedLabel").GetString());
    }

    [Fact]
    public async Task ADuplicateLabelIsRefusedIgnoringCase()
    {
        var client = Owner;
        await Uploads.CreateModelAsync(client, "dupes");
        await client.PostAsJsonAsync("/api/models/dupes/versions", new { label = "v2_Final" }).ExpectAsync(HttpStatusCode.Created);
        var clash = await client.PostAsJsonAsync("/api/models/dupes/versions", new { label = "V2_final" }).ExpectAsync(HttpStatusCode.Conflict);
        var problem = await clash.JsonAsync();
        Assert.Contains("label", problem.GetProperty("errors").EnumerateObject().Select(p => p.Name));
        Assert.Single((await ListAsync(client, "dupes")).GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task FiftyConcurrentAddsOfTheSameLabelHaveExactlyOneWinner()
    {
        var client = Owner;
        await Uploads.CreateModelAsync(client, "race");
        var responses = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ =>
            _app.ClientFor("olga", "user").PostAsJsonAsync("/api/models/race/versions", new { label = "v7", notes = "racing" })));
        var statuses = responses.Select(r => (int)r.StatusCode).ToList();
        Assert.Equal(1, statuses.Count(s => s == 201));
        Assert.Equal(49, statuses.Count(s => s == 409));
        Assert.Single((await ListAsync(client, "race")).GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task TheLastVersionCannotBeDeletedAndDeletesNeedTheETag()
    {
        var client = Owner;
        await Uploads.CreateModelAsync(client, "keep-one");
        await Uploads.UploadVersionAsync(client, "keep-one", null, "a.bin", Uploads.RandomBytes(1000, 2));
        var v1 = await client.GetAsync("/api/models/keep-one/versions/v1").ExpectAsync(HttpStatusCode.OK);

        var refused = await client.DeleteAsync("/api/models/keep-one/versions/v1", $"\"{v1.ETagOf().Trim('"')}\"").ExpectAsync(HttpStatusCode.Conflict);
        Assert.Contains("last version", (await refused.JsonAsync()).GetProperty("detail").GetString());

        await Uploads.UploadVersionAsync(client, "keep-one", null, "b.bin", Uploads.RandomBytes(1000, 3));
        Assert.Equal("v2", (await Uploads.GetAsync(client, "/api/models/keep-one")).GetProperty("defaultVersion").GetString());
        await client.DeleteAsync("/api/models/keep-one/versions/v1", null).ExpectAsync(HttpStatusCode.PreconditionRequired);
        await client.DeleteAsync("/api/models/keep-one/versions/v1", "\"stale\"").ExpectAsync(HttpStatusCode.PreconditionFailed);
        await client.DeleteAsync("/api/models/keep-one/versions/v2", v1.ETagOf()).ExpectAsync(HttpStatusCode.PreconditionFailed);

        var v2 = await client.GetAsync("/api/models/keep-one/versions/v2").ExpectAsync(HttpStatusCode.OK);
        await client.DeleteAsync("/api/models/keep-one/versions/v2", v2.ETagOf()).ExpectAsync(HttpStatusCode.NoContent);
        Assert.False(Directory.Exists(Path.Combine(_app.DataDirectory, "blobs", "models", "keep-one", "v2")));
        Assert.Equal("v1", (await Uploads.GetAsync(client, "/api/models/keep-one")).GetProperty("defaultVersion").GetString());
        await client.DeleteAsync("/api/models/keep-one/versions/v1", v1.ETagOf()).ExpectAsync(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task DeletingAModelLeavesNoBlobsNoVersionsAndNoUploads()
    {
        var client = Owner;
        await Uploads.CreateModelAsync(client, "doomed");
        await Uploads.UploadVersionAsync(client, "doomed", null, "weights.safetensors", Uploads.RandomBytes(Chunk + 10, 4));
        await Uploads.UploadVersionAsync(client, "doomed", null, "weights.safetensors", Uploads.RandomBytes(500, 5));
        var (_, unfinished) = await Uploads.CreateVersionAsync(client, "doomed", "v3", "big.ckpt", Uploads.RandomBytes(Chunk * 3, 6));
        await Uploads.PutChunksAsync(client, unfinished, Uploads.RandomBytes(Chunk * 3, 6), [0]);
        var blobs = Path.Combine(_app.DataDirectory, "blobs");
        Assert.True(Directory.Exists(Path.Combine(blobs, "models", "doomed", "v2")));
        Assert.True(Directory.Exists(Path.Combine(blobs, "uploads", unfinished.GetProperty("id").GetString()!)));

        var etag = (await client.GetAsync("/api/models/doomed").ExpectAsync(HttpStatusCode.OK)).ETagOf();
        await client.DeleteAsync("/api/models/doomed", etag).ExpectAsync(HttpStatusCode.NoContent);

        Assert.False(Directory.Exists(Path.Combine(blobs, "models", "doomed")), "the model's blob folder is still there");
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(blobs, "uploads")));
        Assert.Empty(await _app.Services.GetRequiredService<IVersionStore>().ListAsync(AssetRef.Model("doomed"), CancellationToken.None));
        Assert.Empty(await _app.Services.GetRequiredService<IUploadSessionStore>().ListForAssetAsync(AssetRef.Model("doomed"), CancellationToken.None));

        // A new model of the same name starts empty.
        await Uploads.CreateModelAsync(client, "doomed");
        var list = await ListAsync(client, "doomed");
        Assert.Empty(list.GetProperty("items").EnumerateArray());
        Assert.Equal("v1", list.GetProperty("suggestedLabel").GetString());
    }

    [Fact]
    public async Task TheOwnerPinsTheDefaultVersionAndCanLetItFollowTheNewestAgain()
    {
        var client = Owner;
        await Uploads.CreateModelAsync(client, "pinned");
        await Uploads.UploadVersionAsync(client, "pinned", null, "a.pt", Uploads.RandomBytes(100, 7));
        await Uploads.UploadVersionAsync(client, "pinned", null, "a.pt", Uploads.RandomBytes(100, 8));
        Assert.Equal("v2", (await Uploads.GetAsync(client, "/api/models/pinned")).GetProperty("defaultVersion").GetString());

        var pinned = await (await client.SendJsonAsync(HttpMethod.Put, "/api/models/pinned/default-version", new { label = "V1" }).ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.Equal(("v1", true), (pinned.GetProperty("defaultVersion").GetString(), pinned.GetProperty("pinned").GetBoolean()));
        await Uploads.UploadVersionAsync(client, "pinned", null, "a.pt", Uploads.RandomBytes(100, 9));
        var list = await ListAsync(client, "pinned");
        Assert.Equal("v1", list.GetProperty("defaultVersion").GetString());
        Assert.Equal(["v1"], list.GetProperty("items").EnumerateArray().Where(v => v.GetProperty("isDefault").GetBoolean()).Select(v => v.GetProperty("label").GetString()));

        await client.PostAsJsonAsync("/api/models/pinned/versions", new { label = "v9" }).ExpectAsync(HttpStatusCode.Created);
        var notReady = await client.SendJsonAsync(HttpMethod.Put, "/api/models/pinned/default-version", new { label = "v9" }).ExpectAsync(HttpStatusCode.Conflict);
        Assert.Contains("ready", (await notReady.JsonAsync()).GetProperty("detail").GetString());
        await client.SendJsonAsync(HttpMethod.Put, "/api/models/pinned/default-version", new { label = "v404" }).ExpectAsync(HttpStatusCode.NotFound);

        var following = await (await client.SendJsonAsync(HttpMethod.Put, "/api/models/pinned/default-version", new { label = (string?)null }).ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.Equal(("v3", false), (following.GetProperty("defaultVersion").GetString(), following.GetProperty("pinned").GetBoolean()));
    }

    [Fact]
    public async Task NotesAndMetricsChangeWithTheETag()
    {
        var client = Owner;
        await Uploads.CreateModelAsync(client, "metrics");
        var created = await client.PostAsJsonAsync("/api/models/metrics/versions", new { notes = "基础模型", metrics = new { loss = 0.5, accuracy = 0.81 } })
            .ExpectAsync(HttpStatusCode.Created);
        var etag = created.ETagOf();
        await client.SendJsonAsync(HttpMethod.Patch, "/api/models/metrics/versions/v1", new { notes = "x" }).ExpectAsync(HttpStatusCode.PreconditionRequired);
        var changed = await client.SendJsonAsync(HttpMethod.Patch, "/api/models/metrics/versions/v1",
            new Dictionary<string, object?> { ["notes"] = "在1M中文对话数据上微调，loss降至0.32", ["metrics"] = new Dictionary<string, object?> { ["loss"] = 0.32, ["accuracy"] = null, ["f1"] = 0.7 } }, etag)
            .ExpectAsync(HttpStatusCode.OK);
        var version = await changed.JsonAsync();
        Assert.Equal("在1M中文对话数据上微调，loss降至0.32", version.GetProperty("notes").GetString());
        Assert.Equal(["loss", "f1"], version.GetProperty("metrics").EnumerateObject().Select(p => p.Name));
        Assert.Equal(0.32, version.GetProperty("metrics").GetProperty("loss").GetDouble());
        await client.SendJsonAsync(HttpMethod.Patch, "/api/models/metrics/versions/v1", new { notes = "late" }, etag).ExpectAsync(HttpStatusCode.PreconditionFailed);
        await client.SendJsonAsync(HttpMethod.Patch, "/api/models/metrics/versions/v1", new { label = "v2" }, changed.ETagOf()).ExpectAsync(HttpStatusCode.BadRequest);
    }
}
