using System.Net;
using System.Text.Json;
using ModelsHub.IntegrationTests.Infrastructure;
using ModelsHub.Testing;
using static ModelsHub.IntegrationTests.Infrastructure.HuggingFaceTesting;

namespace ModelsHub.IntegrationTests.Cli;

/// <summary>
/// <c>modelshub import</c> as a user runs it, in its own process against the hub in its own process,
/// which reads a fake Hugging Face Hub: the files and sizes before anything is copied, the copy
/// followed to a ready version whose files match the Hub's SHA-256, a gated repository refused with
/// what to do until a token is saved with <c>import token</c>, and an import cancelled by id.
/// </summary>
public sealed class ImportCommandTests : IAsyncLifetime
{
    private const int Chunk = 256 * 1024;

    private FakeHuggingFace _hf = null!;
    private HubProcess _hub = null!;
    private string _token = null!;

    public async Task InitializeAsync()
    {
        _hf = await FakeHuggingFace.StartAsync();
        _hf.AddRepositories();
        _hub = await HubProcess.StartAsync(new Dictionary<string, string>
        {
            ["HuggingFace:Endpoint"] = _hf.Endpoint.ToString(),
            ["Uploads:ChunkSizeBytes"] = Chunk.ToString(),
        });
        await _hub.ImporterAsync("mia");
        _token = await _hub.TokenAsync("mia", "user");
    }

    public async Task DisposeAsync()
    {
        await _hub.DisposeAsync();
        await _hf.DisposeAsync();
    }

    private async Task<(int Exit, string Output, string Stdout)> ModelshubAsync(params string[] args)
    {
        using var cli = _hub.StartCli([.. args, "--hub", _hub.Address.ToString(), "--token", _token]);
        var exit = await cli.WaitAsync(TimeSpan.FromMinutes(2));
        return (exit, cli.Output, cli.StandardOutput);
    }

    /// <summary>The indented JSON document a --json command printed on standard output (its status lines go to stderr, and may arrive in between).</summary>
    private static JsonElement JsonIn(string output)
    {
        var start = output.IndexOf("{\n", StringComparison.Ordinal);
        var end = output.IndexOf("\n}", start, StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, output);
        return JsonDocument.Parse(output[start..(end + 2)]).RootElement.Clone();
    }

    [Fact]
    public async Task ImportShowsTheFilesAndSizesFirstThenFollowsTheCopyToAVerifiedVersion()
    {
        var preview = await ModelshubAsync("import", "hf", "gpt2", "--include", "*.json", "--include", "model.safetensors", "--dry-run");
        Assert.True(preview.Exit == 0, preview.Output);
        var weights = _hf.File(Gpt2, "model.safetensors");
        Assert.Contains("model.safetensors", preview.Output);
        Assert.Contains(weights.Size.ToString("N0", System.Globalization.CultureInfo.InvariantCulture), preview.Output);
        Assert.Contains($"{Gpt2}@{_hf.Head(Gpt2)[..7]} (main): 3 file(s)", preview.Output);
        Assert.Contains("→ model gpt2 (llm, pytorch)", preview.Output);
        Assert.DoesNotContain("onnx/model.onnx", preview.Output);
        Assert.Empty(_hf.Downloads());

        var imported = await ModelshubAsync("import", "hf", "gpt2", "--include", "*.json", "--include", "model.safetensors", "--notes", "from the CLI", "--progress", "plain");
        Assert.True(imported.Exit == 0, imported.Output);
        Assert.Contains($"model.safetensors copied and verified", imported.Output);
        Assert.Contains($"sha256 {weights.Sha256}", imported.Output);
        Assert.Contains("model gpt2 version v1 is ready, 3 file(s) verified", imported.Output);

        var api = _hub.ClientWith(_token);
        var version = await (await api.GetAsync("/api/models/gpt2/versions/v1").ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.Equal(("ready", "from the CLI"), (version.GetProperty("status").GetString(), version.GetProperty("notes").GetString()));
        Assert.Equal(weights.Sha256, version.GetProperty("files").EnumerateArray().Single(f => f.GetProperty("name").GetString() == "model.safetensors").GetProperty("sha256").GetString());

        // A second import into the same model, as JSON for scripts: the final import on stdout.
        var again = await ModelshubAsync("import", "hf", Gpt2, "--include", "onnx/", "--model", "gpt2", "--version", "onnx", "--json");
        Assert.True(again.Exit == 0, again.Output);
        var json = JsonIn(again.Stdout);
        Assert.Equal(("succeeded", "onnx", false), (json.GetProperty("state").GetString(), json.GetProperty("version").GetString(), json.GetProperty("modelCreated").GetBoolean()));

        var listed = await ModelshubAsync("import", "list", "--json");
        Assert.True(listed.Exit == 0, listed.Output);
        Assert.Equal(json.GetProperty("id").GetString(), JsonIn(listed.Stdout).GetProperty("items")[0].GetProperty("id").GetString());
        Assert.Contains("2 import(s)", (await ModelshubAsync("import", "list")).Output);
        var shown = await ModelshubAsync("import", "show", json.GetProperty("id").GetString()!);
        Assert.True(shown.Exit == 0, shown.Output);
        Assert.Contains("onnx/model.onnx", shown.Output);
        Assert.Contains(_hf.File(Gpt2, "onnx/model.onnx").Sha256, shown.Output);
    }

    [Fact]
    public async Task AGatedRepositoryIsRefusedWithWhatToDoUntilATokenIsSaved()
    {
        var refused = await ModelshubAsync("import", "hf", Gated);
        Assert.Equal(1, refused.Exit);
        Assert.True(refused.Output.Contains("gated", StringComparison.Ordinal) && refused.Output.Contains("accept the license", StringComparison.OrdinalIgnoreCase), refused.Output);
        var none = await ModelshubAsync("import", "token");
        Assert.Equal(1, none.Exit);
        Assert.Contains("no Hugging Face token saved", none.Output);

        var saved = await ModelshubAsync("import", "token", GrantedToken);
        Assert.True(saved.Exit == 0, saved.Output);
        Assert.Contains($"…{GrantedToken[^4..]} of {GrantedUser}", saved.Output);
        var imported = await ModelshubAsync("import", "hf", Gated, "--progress", "plain");
        Assert.True(imported.Exit == 0, imported.Output);
        Assert.Contains("is ready", imported.Output);

        var forgotten = await ModelshubAsync("import", "token", "--forget");
        Assert.True(forgotten.Exit == 0, forgotten.Output);
        Assert.Equal(1, (await ModelshubAsync("import", "hf", Gated, "--model", "gated-again")).Exit);
    }

    [Fact]
    public async Task AnImportStartedWithoutWaitingIsCancelledById()
    {
        _hf.AddModel("big/model", new Dictionary<string, FakeContent> { ["model.safetensors"] = FakeContent.Pattern(8 * Chunk, 31) });
        var stall = _hf.StallAt("big/model", "model.safetensors", 3 * Chunk);
        var started = await ModelshubAsync("import", "hf", "big/model", "--no-wait", "--json");
        Assert.True(started.Exit == 0, started.Output);
        var id = JsonIn(started.Stdout).GetProperty("id").GetString()!;
        await stall.Reached.WaitAsync(TimeSpan.FromSeconds(60));

        var cancelled = await ModelshubAsync("import", "cancel", id);
        Assert.True(cancelled.Exit == 0, cancelled.Output);
        stall.Release();
        var followed = await ModelshubAsync("import", "show", id, "--follow", "--progress", "plain");
        Assert.Equal(1, followed.Exit);
        Assert.Contains("was cancelled; nothing was kept", followed.Output);
        await _hub.ClientWith(_token).GetAsync("/api/models/model").ExpectAsync(HttpStatusCode.NotFound);
    }
}
