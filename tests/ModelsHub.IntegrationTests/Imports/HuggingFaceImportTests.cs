using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using ModelsHub.IntegrationTests.Infrastructure;
using ModelsHub.Testing;
using static ModelsHub.IntegrationTests.Infrastructure.HuggingFaceTesting;

namespace ModelsHub.IntegrationTests.Imports;

/// <summary>
/// Imports from the fake Hugging Face Hub through the API, on the embedded profile: sizes before,
/// progress during, a model with its card as README and a version whose files match the Hub's
/// SHA-256; a corrupted file, a gated repository with and without a token, a missing repository, an
/// include that matches nothing, bad input, cancellation.
/// </summary>
public class HuggingFaceImportTests : IAsyncLifetime
{
    private const int Chunk = 256 * 1024;

    private FakeHuggingFace _hf = null!;
    private HubApplication _app = null!;

    public async Task InitializeAsync()
    {
        _hf = await FakeHuggingFace.StartAsync();
        _hf.AddRepositories();
        _app = NewApplication().WithHuggingFace(_hf).With("Uploads:ChunkSizeBytes", Chunk.ToString())
            .With("Webhooks:AllowPrivateTargets", "true").With("Webhooks:AllowHttp", "true");
        _importer = await _app.ImporterAsync();
    }

    /// <summary>The hub under test (the Azure profile's subclass runs the same imports against the emulators).</summary>
    protected virtual HubApplication NewApplication() => new();

    private bool Embedded => _app.Services.GetService(typeof(ModelsHub.Infrastructure.Sqlite.SqliteDatabase)) is not null;

    public async Task DisposeAsync()
    {
        _app.Dispose();
        await _hf.DisposeAsync();
    }

    private HttpClient _importer = null!;

    /// <summary>mia, a user an administrator granted sources.manage.</summary>
    private HttpClient Importer => _importer;

    [Fact]
    public async Task APreviewListsTheSelectedFilesWithTheirSizesBeforeAnythingIsCopied()
    {
        var preview = await (await Importer.GetAsync($"/api/imports/huggingface/preview?repoId=gpt2&include=*.json&include=*.safetensors&exclude=onnx/*")
            .ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.Equal(Gpt2, preview.GetProperty("repoId").GetString());
        Assert.Equal(_hf.Head(Gpt2), preview.GetProperty("commit").GetString());
        Assert.Equal(("llm", "pytorch", "gpt2"), (preview.GetProperty("type").GetString(), preview.GetProperty("framework").GetString(), preview.GetProperty("modelName").GetString()));
        var files = preview.GetProperty("files").EnumerateArray().ToDictionary(f => f.GetProperty("path").GetString()!, f => f.GetProperty("size").GetInt64());
        Assert.Equal(["config.json", "model.safetensors", "tokenizer.json"], files.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(_hf.File(Gpt2, "model.safetensors").Size, files["model.safetensors"]);
        Assert.Equal(files.Values.Sum(), preview.GetProperty("totalBytes").GetInt64());
        Assert.Empty(_hf.Downloads());
    }

    [Fact]
    public async Task AnImportBecomesAModelWithItsCardAsReadmeAndAVersionWhoseFilesMatchTheHub()
    {
        var client = Importer;
        var id = await StartImportAsync(client, new { repoId = "gpt2", include = new[] { "*.json", "*.safetensors", "onnx/" } });
        var import = await FinishedImportAsync(client, id);
        Assert.True(import.GetProperty("state").GetString() == "succeeded", import.ToString());
        Assert.Equal(("gpt2", "v1", _hf.Head(Gpt2)), (import.GetProperty("model").GetString(), import.GetProperty("version").GetString(), import.GetProperty("commit").GetString()));
        Assert.Equal(import.GetProperty("totalBytes").GetInt64(), import.GetProperty("bytesDone").GetInt64());
        Assert.All(import.GetProperty("files").EnumerateArray(), f => Assert.Equal(f.GetProperty("size").GetInt64(), f.GetProperty("bytesDone").GetInt64()));

        var model = await (await client.GetAsync("/api/models/gpt2").ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.Equal(("llm", "pytorch", "huggingface", "private"), (model.GetProperty("type").GetString(), model.GetProperty("framework").GetString(),
            model.GetProperty("source").GetString(), model.GetProperty("visibility").GetString()));
        Assert.Equal("# GPT-2\n\nTest the whole generation capabilities here.\n", model.GetProperty("readme").GetString());
        Assert.Equal("v1", model.GetProperty("defaultVersion").GetString());

        var version = await (await client.GetAsync("/api/models/gpt2/versions/v1").ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.Equal("ready", version.GetProperty("status").GetString());
        Assert.Contains(_hf.Head(Gpt2), version.GetProperty("notes").GetString());
        var files = version.GetProperty("files").EnumerateArray().ToDictionary(f => f.GetProperty("name").GetString()!);
        Assert.Equal(["config.json", "model.safetensors", "onnx/model.onnx", "tokenizer.json"], files.Keys.Order(StringComparer.Ordinal));
        foreach (var (path, file) in files)
        {
            Assert.Equal(_hf.File(Gpt2, path).Sha256, file.GetProperty("sha256").GetString());
        }
        // A file in a folder downloads by its path (streamed by the hub, or through a read link to Blob Storage).
        var direct = _app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        direct.DefaultRequestHeaders.Authorization = client.DefaultRequestHeaders.Authorization;
        var download = await direct.GetAsync(files["onnx/model.onnx"].GetProperty("downloadUrl").GetString());
        using var blobStorage = new HttpClient();
        var bytes = download.StatusCode == HttpStatusCode.Redirect
            ? await blobStorage.GetByteArrayAsync(download.Headers.Location)
            : await (await Task.FromResult(download).ExpectAsync(HttpStatusCode.OK)).Content.ReadAsByteArrayAsync();
        Assert.Equal(_hf.File(Gpt2, "onnx/model.onnx").Sha256, Convert.ToHexStringLower(SHA256.HashData(bytes)));
        Assert.Equal(0, _hf.CdnRequestsWithToken);
    }

    [Fact]
    public async Task ASecondImportAddsAVersionToTheExistingModel()
    {
        var client = Importer;
        Assert.Equal("succeeded", (await FinishedImportAsync(client, await StartImportAsync(client, new { repoId = Gpt2, include = new[] { "config.json" } }))).GetProperty("state").GetString());
        _hf.Push(Gpt2, new Dictionary<string, FakeContent?> { ["config.json"] = FakeContent.Of("{\"model_type\": \"gpt2\", \"n_layer\": 24}") });
        var second = await FinishedImportAsync(client, await StartImportAsync(client, new { repoId = Gpt2, include = new[] { "config.json" }, model = new { name = "gpt2" }, version = new { label = "v2-24layers", notes = "deeper" } }));
        Assert.Equal(("succeeded", "v2-24layers", false), (second.GetProperty("state").GetString(), second.GetProperty("version").GetString(), second.GetProperty("modelCreated").GetBoolean()));
        var versions = await (await client.GetAsync("/api/models/gpt2/versions").ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.Equal(["v1", "v2-24layers"], versions.GetProperty("items").EnumerateArray().Select(v => v.GetProperty("label").GetString()!));
        var file = (await (await client.GetAsync("/api/models/gpt2/versions/v2-24layers").ExpectAsync(HttpStatusCode.OK)).JsonAsync()).GetProperty("files")[0];
        Assert.Equal(_hf.File(Gpt2, "config.json").Sha256, file.GetProperty("sha256").GetString());
    }

    [Fact]
    public async Task AFileWhoseBytesDoNotMatchItsSha256FailsTheImportAndLeavesNoVersion()
    {
        var client = Importer;
        _hf.Corrupt(Gpt2, "model.safetensors");
        var import = await FinishedImportAsync(client, await StartImportAsync(client, new { repoId = Gpt2, include = new[] { "config.json", "model.safetensors" } }));
        Assert.Equal("failed", import.GetProperty("state").GetString());
        Assert.Contains("model.safetensors", import.GetProperty("error").GetString());
        Assert.Contains("sha256", import.GetProperty("error").GetString());
        // The model existed only for this import: nothing is left of it.
        await client.GetAsync("/api/models/gpt2").ExpectAsync(HttpStatusCode.NotFound);
        if (Embedded)
        {
            var folder = Path.Combine(_app.DataDirectory, "blobs", "models", "gpt2");
            Assert.False(Directory.Exists(folder) && Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Any());
        }

        // Into an existing model, the failed import takes back only its own version.
        await client.PostAsJsonAsync("/api/models", new { name = "kept", type = "llm" }, HubApplication.Json).ExpectAsync(HttpStatusCode.Created);
        var again = await FinishedImportAsync(client, await StartImportAsync(client, new { repoId = Gpt2, include = new[] { "model.safetensors" }, model = new { name = "kept" } }));
        Assert.Equal("failed", again.GetProperty("state").GetString());
        var versions = await (await client.GetAsync("/api/models/kept/versions").ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.Empty(versions.GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task ARegularFileWhoseBytesDoNotMatchItsGitBlobIdFailsTheImport()
    {
        var client = Importer;
        _hf.Corrupt(Gpt2, "config.json");
        var import = await FinishedImportAsync(client, await StartImportAsync(client, new { repoId = Gpt2, include = new[] { "config.json" } }));
        Assert.Equal("failed", import.GetProperty("state").GetString());
        Assert.Contains("config.json", import.GetProperty("error").GetString());
        Assert.Contains("git blob", import.GetProperty("error").GetString());
        await client.GetAsync("/api/models/gpt2").ExpectAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task AGatedRepositoryIsRefusedWithWhatToDoUntilATokenWithAccessIsSaved()
    {
        var client = Importer;
        var body = new { repoId = Gated, include = new[] { "*.safetensors" } };
        var anonymous = await (await client.PostAsJsonAsync("/api/imports/huggingface", body, HubApplication.Json).ExpectAsync(HttpStatusCode.BadRequest)).JsonAsync();
        var message = anonymous.GetProperty("errors").GetProperty("repoId")[0].GetString()!;
        Assert.StartsWith("gated:", message);
        Assert.Contains("accept the license on the hub", message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("save a hugging face token", message, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("not found", message, StringComparison.OrdinalIgnoreCase);

        await client.PutAsJsonAsync("/api/me/huggingface-token", new { token = OtherToken }).ExpectAsync(HttpStatusCode.OK);
        var notGranted = await (await client.PostAsJsonAsync("/api/imports/huggingface", body, HubApplication.Json).ExpectAsync(HttpStatusCode.BadRequest)).JsonAsync();
        Assert.Contains("has not been granted access", notGranted.GetProperty("errors").GetProperty("repoId")[0].GetString());

        await client.PutAsJsonAsync("/api/me/huggingface-token", new { token = GrantedToken }).ExpectAsync(HttpStatusCode.OK);
        var import = await FinishedImportAsync(client, await StartImportAsync(client, body));
        Assert.True(import.GetProperty("state").GetString() == "succeeded", import.ToString());
        Assert.Equal("manual", import.GetProperty("gated").GetString());
        Assert.Equal(0, _hf.CdnRequestsWithToken);
    }

    [Fact]
    public async Task APrivateRepositoryIsReadWithTheSavedToken()
    {
        var client = Importer;
        var missing = await (await client.PostAsJsonAsync("/api/imports/huggingface", new { repoId = Private }, HubApplication.Json).ExpectAsync(HttpStatusCode.BadRequest)).JsonAsync();
        Assert.Contains("save a Hugging Face token", missing.GetProperty("errors").GetProperty("repoId")[0].GetString());
        await client.PutAsJsonAsync("/api/me/huggingface-token", new { token = GrantedToken }).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("succeeded", (await FinishedImportAsync(client, await StartImportAsync(client, new { repoId = Private }))).GetProperty("state").GetString());
    }

    [Fact]
    public async Task AMissingRepositoryOrRevisionIsA400NamingTheField()
    {
        var client = Importer;
        var repo = await (await client.PostAsJsonAsync("/api/imports/huggingface", new { repoId = "nobody/nothing" }, HubApplication.Json).ExpectAsync(HttpStatusCode.BadRequest)).JsonAsync();
        Assert.Contains("no public model repository 'nobody/nothing'", repo.GetProperty("errors").GetProperty("repoId")[0].GetString());
        var revision = await (await client.PostAsJsonAsync("/api/imports/huggingface", new { repoId = Gpt2, revision = "no-such-branch" }, HubApplication.Json).ExpectAsync(HttpStatusCode.BadRequest)).JsonAsync();
        Assert.Equal(["revision"], revision.GetProperty("errors").EnumerateObject().Select(p => p.Name));
        await client.GetAsync("/api/imports/huggingface/preview?repoId=nobody/nothing").ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Empty(_hf.Downloads());
    }

    [Fact]
    public async Task AnIncludeThatMatchesNothingIsA400NamingItBeforeAnyDownload()
    {
        var client = Importer;
        var problem = await (await client.PostAsJsonAsync("/api/imports/huggingface", new { repoId = Gpt2, include = new[] { "*.json", "*.gguf" } }, HubApplication.Json)
            .ExpectAsync(HttpStatusCode.BadRequest)).JsonAsync();
        var errors = problem.GetProperty("errors");
        Assert.Equal(["include[1]"], errors.EnumerateObject().Select(p => p.Name));
        Assert.Contains("'*.gguf' matches no file", errors.GetProperty("include[1]")[0].GetString());
        Assert.Contains("model.safetensors", errors.GetProperty("include[1]")[0].GetString());
        await client.GetAsync("/api/imports/huggingface/preview?repoId=gpt2&include=*.gguf").ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Empty(_hf.Downloads());
        Assert.Empty((await (await client.GetAsync("/api/imports").ExpectAsync(HttpStatusCode.OK)).JsonAsync()).GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task BadInputIsAProblemNamingEachField()
    {
        var client = Importer;
        async Task<string[]> FieldsAsync(object body)
        {
            var problem = await (await client.PostAsJsonAsync("/api/imports/huggingface", body, HubApplication.Json).ExpectAsync(HttpStatusCode.BadRequest)).JsonAsync();
            Assert.Equal("application/problem+json", (await client.PostAsJsonAsync("/api/imports/huggingface", body, HubApplication.Json)).Content.Headers.ContentType!.MediaType);
            return problem.GetProperty("errors").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal).ToArray();
        }
        Assert.Equal(["repoId"], await FieldsAsync(new { }));
        Assert.Equal(["repoId"], await FieldsAsync(new { repoId = "../etc/passwd" }));
        Assert.Equal(["repoId"], await FieldsAsync(new { repoId = 42 }));
        Assert.Equal(["include"], await FieldsAsync(new { repoId = Gpt2, include = "*.json" }));
        Assert.Equal(["include[0]", "revision"], await FieldsAsync(new { repoId = Gpt2, include = new[] { "" }, revision = "a b" }));
        Assert.Equal(["unexpected"], await FieldsAsync(new { repoId = Gpt2, unexpected = true }));
        Assert.Equal(["model.name", "model.type", "version.label"], await FieldsAsync(new { repoId = Gpt2, model = new { name = "bad name", type = "robot" }, version = new { label = "-x" } }));
        Assert.Equal(["model.visibility"], await FieldsAsync(new { repoId = Gpt2, model = new { visibility = "public" } }));
        Assert.Equal(["include[0]"], (await (await client.GetAsync("/api/imports/huggingface/preview?repoId=gpt2&include=%01").ExpectAsync(HttpStatusCode.BadRequest)).JsonAsync())
            .GetProperty("errors").EnumerateObject().Select(p => p.Name));
        Assert.Empty(_hf.Downloads());
    }

    [Fact]
    public async Task ImportingNeedsSourcesManageAndAnImportIsSeenOnlyByItsStarterAndAdministrators()
    {
        await _app.ClientFor(null).PostAsJsonAsync("/api/imports/huggingface", new { repoId = Gpt2 }, HubApplication.Json).ExpectAsync(HttpStatusCode.Unauthorized);
        var denied = await (await _app.ClientFor("ursula", "user").PostAsJsonAsync("/api/imports/huggingface", new { repoId = Gpt2 }, HubApplication.Json)
            .ExpectAsync(HttpStatusCode.Forbidden)).JsonAsync();
        Assert.Contains("sources.manage", denied.GetProperty("detail").GetString());
        await _app.ClientFor("ursula", "user").GetAsync("/api/imports/huggingface/preview?repoId=gpt2").ExpectAsync(HttpStatusCode.Forbidden);

        var id = await StartImportAsync(Importer, new { repoId = Gpt2, include = new[] { "config.json" } });
        await FinishedImportAsync(Importer, id);
        await _app.ClientFor("ursula", "user").GetAsync($"/api/imports/{id}").ExpectAsync(HttpStatusCode.NotFound);
        await _app.ClientFor("max", "maintainer").GetAsync($"/api/imports/{id}").ExpectAsync(HttpStatusCode.NotFound);
        await _app.ClientFor("ada", "admin").GetAsync($"/api/imports/{id}").ExpectAsync(HttpStatusCode.OK);
        Assert.Single((await (await Importer.GetAsync("/api/imports").ExpectAsync(HttpStatusCode.OK)).JsonAsync()).GetProperty("items").EnumerateArray());
        Assert.Empty((await (await _app.ClientFor("max", "maintainer").GetAsync("/api/imports").ExpectAsync(HttpStatusCode.OK)).JsonAsync()).GetProperty("items").EnumerateArray());
        await _app.ClientFor("max", "maintainer").GetAsync("/api/imports?all=true").ExpectAsync(HttpStatusCode.Forbidden);
        Assert.Single((await (await _app.ClientFor("ada", "admin").GetAsync("/api/imports?all=true").ExpectAsync(HttpStatusCode.OK)).JsonAsync()).GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task WebhooksHearWhenAnImportSucceedsAndWhenOneFails()
    {
        await using var receiver = await Webhooks.WebhookReceiver.StartAsync();
        var client = Importer;
        var hook = await (await client.PostAsJsonAsync("/api/webhooks", new { url = receiver.Url, events = new[] { "import.succeeded", "import.failed", "import.cancelled" } },
            HubApplication.Json).ExpectAsync(HttpStatusCode.Created)).JsonAsync();
        receiver.Secret = hook.GetProperty("secret").GetString();

        var ok = await StartImportAsync(client, new { repoId = "gpt2", include = new[] { "config.json", "model.safetensors" } });
        Assert.Equal("succeeded", (await FinishedImportAsync(client, ok)).GetProperty("state").GetString());
        _hf.Corrupt(Gpt2, "model.safetensors");
        var bad = await StartImportAsync(client, new { repoId = "gpt2", include = new[] { "model.safetensors" }, model = new { name = "broken" } });
        Assert.Equal("failed", (await FinishedImportAsync(client, bad)).GetProperty("state").GetString());

        var received = await GitHubTesting.EventuallyAsync(() => Task.FromResult(receiver.Requests.Count >= 2 ? receiver.Requests.ToList() : null), "two import events");
        Assert.All(received, r => Assert.True(r.Verified, System.Text.Encoding.UTF8.GetString(r.Body)));
        var succeeded = received.Single(r => r.Type == "io.modelshub.import.succeeded").Json;
        Assert.Equal(($"evt_{ok}_succeeded", $"imports/{ok}"), (succeeded.GetProperty("id").GetString(), succeeded.GetProperty("subject").GetString()));
        var data = succeeded.GetProperty("data").GetProperty("import");
        Assert.Equal((Gpt2, _hf.Head(Gpt2), "gpt2", "v1", "succeeded", "mia"), (data.GetProperty("repoId").GetString(), data.GetProperty("commit").GetString(),
            data.GetProperty("model").GetString(), data.GetProperty("version").GetString(), data.GetProperty("state").GetString(), data.GetProperty("createdBy").GetString()));
        var weights = data.GetProperty("files").EnumerateArray().Single(f => f.GetProperty("name").GetString() == "model.safetensors");
        Assert.Equal(_hf.File(Gpt2, "model.safetensors").Sha256, weights.GetProperty("sha256").GetString());
        Assert.Equal(2, data.GetProperty("fileCount").GetInt32());

        var failed = received.Single(r => r.Type == "io.modelshub.import.failed").Json.GetProperty("data").GetProperty("import");
        Assert.Equal(("broken", "failed"), (failed.GetProperty("model").GetString(), failed.GetProperty("state").GetString()));
        Assert.Contains("sha256", failed.GetProperty("error").GetString());
        Assert.Empty(failed.GetProperty("files").EnumerateArray());
        Assert.Equal(2, received.Count);
    }

    [Fact]
    public async Task ACancelledImportStopsAndKeepsNothing()
    {
        var client = Importer;
        _hf.AddModel("big/model", new Dictionary<string, FakeContent> { ["model.safetensors"] = FakeContent.Pattern(8 * Chunk + 100, 21) });
        var stall = _hf.StallAt("big/model", "model.safetensors", 3 * Chunk + 10);
        var id = await StartImportAsync(client, new { repoId = "big/model" });
        await stall.Reached.WaitAsync(TimeSpan.FromSeconds(30));
        var running = await (await client.GetAsync($"/api/imports/{id}").ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.Equal("running", running.GetProperty("state").GetString());

        var cancelled = await (await client.PostAsync($"/api/imports/{id}/cancel", null).ExpectAsync(HttpStatusCode.Accepted)).JsonAsync();
        Assert.True(cancelled.GetProperty("cancelRequested").GetBoolean());
        stall.Release();
        var import = await FinishedImportAsync(client, id);
        Assert.Equal("cancelled", import.GetProperty("state").GetString());
        await client.GetAsync("/api/models/model").ExpectAsync(HttpStatusCode.NotFound);
        await client.PostAsync($"/api/imports/{id}/cancel", null).ExpectAsync(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task ProgressShowsBytesDoneOfTheFileBeingCopied()
    {
        var client = Importer;
        _hf.AddModel("big/progress", new Dictionary<string, FakeContent> { ["model.safetensors"] = FakeContent.Pattern(8 * Chunk, 22) });
        var stall = _hf.StallAt("big/progress", "model.safetensors", 5 * Chunk);
        var id = await StartImportAsync(client, new { repoId = "big/progress" });
        await stall.Reached.WaitAsync(TimeSpan.FromSeconds(30));
        // Every chunk before the stall is stored, and says so, while the next one waits for its bytes.
        var during = await GitHubTesting.EventuallyAsync<string>(async () =>
        {
            var import = await (await client.GetAsync($"/api/imports/{id}").ExpectAsync(HttpStatusCode.OK)).JsonAsync();
            return import.GetProperty("files")[0].GetProperty("bytesDone").GetInt64() == 5 * Chunk ? import.GetRawText() : null;
        }, "five chunks stored");
        using var document = JsonDocument.Parse(during);
        Assert.Equal("copying", document.RootElement.GetProperty("files")[0].GetProperty("state").GetString());
        Assert.Equal(8 * Chunk, document.RootElement.GetProperty("totalBytes").GetInt64());
        var version = await (await client.GetAsync("/api/models/progress/versions/v1").ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.Equal("uploading", version.GetProperty("status").GetString());
        stall.Release();
        Assert.Equal("succeeded", (await FinishedImportAsync(client, id)).GetProperty("state").GetString());
    }

    [Fact]
    public async Task TheHuggingFaceTokenIsKeptLikeTheGitHubToken()
    {
        var client = _app.ClientFor("tess", "user");
        await client.GetAsync("/api/me/huggingface-token").ExpectAsync(HttpStatusCode.NotFound);
        var rejected = await (await client.PutAsJsonAsync("/api/me/huggingface-token", new { token = "hf_not_a_token" }).ExpectAsync(HttpStatusCode.BadRequest)).JsonAsync();
        Assert.Equal(["token"], rejected.GetProperty("errors").EnumerateObject().Select(p => p.Name));
        await client.PutAsJsonAsync("/api/me/huggingface-token", new { }).ExpectAsync(HttpStatusCode.BadRequest);

        var saved = await (await client.PutAsJsonAsync("/api/me/huggingface-token", new { token = GrantedToken }).ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.Equal((GrantedToken[^4..], GrantedUser), (saved.GetProperty("lastFour").GetString(), saved.GetProperty("login").GetString()));
        Assert.Equal(["read"], saved.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()!));
        var shown = await (await client.GetAsync("/api/me/huggingface-token").ExpectAsync(HttpStatusCode.OK)).Content.ReadAsStringAsync();
        Assert.DoesNotContain(GrantedToken, shown);
        if (Embedded)
        {
            Assert.DoesNotContain(GrantedToken, await File.ReadAllTextAsync(Path.Combine(_app.DataDirectory, "modelshub.db")));
        }
        // Each kind of token is its own: the GitHub token stays unset.
        await client.GetAsync("/api/me/github-token").ExpectAsync(HttpStatusCode.NotFound);

        await client.DeleteAsync("/api/me/huggingface-token").ExpectAsync(HttpStatusCode.NoContent);
        await client.GetAsync("/api/me/huggingface-token").ExpectAsync(HttpStatusCode.NotFound);
    }
}
