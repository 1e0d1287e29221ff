using System.Diagnostics;
using System.Text.Json;
using ModelsHub.IntegrationTests.Infrastructure;
using ModelsHub.Testing;
using static ModelsHub.IntegrationTests.Infrastructure.HuggingFaceTesting;

namespace ModelsHub.IntegrationTests.Imports;

/// <summary>
/// Hugging Face's own JS client (@huggingface/hub, installed with the emulators) reads the fake Hub:
/// model info, an LFS download through the CDN redirect with Range, a renamed repository, gated,
/// private and missing repositories, whoami. The fake is faithful where the real client agrees.
/// </summary>
public sealed class FakeHuggingFaceTests : IAsyncLifetime
{
    private FakeHuggingFace _hf = null!;

    public async Task InitializeAsync()
    {
        _hf = await FakeHuggingFace.StartAsync();
        _hf.AddRepositories();
    }

    public async Task DisposeAsync() => await _hf.DisposeAsync();

    [Fact]
    public async Task HuggingFacesOwnClientReadsTheFakeAsTheHub()
    {
        var directory = LocalEmulators.EmulatorsDirectory();
        await LocalEmulators.InstallAsync(directory, CancellationToken.None);
        var start = new ProcessStartInfo("node", [Path.Combine(directory, "huggingface-hub-client.mjs"), _hf.Endpoint.ToString().TrimEnd('/'), GrantedToken, OtherToken])
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var node = Process.Start(start)!;
        var stdout = node.StandardOutput.ReadToEndAsync();
        var stderr = node.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await node.WaitForExitAsync(timeout.Token);
        Assert.True(node.ExitCode == 0, $"node exited {node.ExitCode}:\n{await stderr}\n{await stdout}");
        using var document = JsonDocument.Parse(await stdout);
        var seen = document.RootElement;

        var info = seen.GetProperty("info");
        Assert.Equal(Gpt2, info.GetProperty("name").GetString());
        Assert.Equal("text-generation", info.GetProperty("task").GetString());
        Assert.Equal("transformers", info.GetProperty("library").GetString());
        Assert.False(info.GetProperty("gated").GetBoolean());
        Assert.Equal(_hf.Head(Gpt2), info.GetProperty("sha").GetString());
        Assert.Equal("mit", info.GetProperty("cardData").GetProperty("license").GetString());
        Assert.Equal([".gitattributes", "README.md", "config.json", "model.safetensors", "onnx/model.onnx", "tokenizer.json"],
            info.GetProperty("files").EnumerateArray().Select(f => f.GetString()!).Order(StringComparer.Ordinal).ToArray());

        var weights = _hf.File(Gpt2, "model.safetensors");
        Assert.True(weights.Lfs);
        Assert.Equal(weights.Sha256, seen.GetProperty("weightsSha256").GetString());
        var slice = new byte[3_000_000 - 1000];
        weights.Content.Read(1000, slice);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(slice)), seen.GetProperty("weightsSliceSha256").GetString());
        Assert.Contains("\"model_type\": \"gpt2\"", seen.GetProperty("config").GetString());
        Assert.Equal(_hf.File(Gpt2, "config.json").Sha256, seen.GetProperty("viaAlias").GetString());
        Assert.Equal(JsonValueKind.Null, seen.GetProperty("missingFile").ValueKind);

        Assert.Equal(401, seen.GetProperty("gatedAnonymous").GetProperty("status").GetInt32());
        Assert.StartsWith("Access to model meta/gated-model is restricted", seen.GetProperty("gatedAnonymous").GetProperty("message").GetString());
        Assert.Equal(403, seen.GetProperty("gatedOther").GetProperty("status").GetInt32());
        Assert.Equal(_hf.File(Gated, "model.safetensors").Sha256, seen.GetProperty("gatedGranted").GetString());
        Assert.Equal(401, seen.GetProperty("privateAnonymous").GetProperty("status").GetInt32());
        Assert.True(seen.GetProperty("privateGranted").GetBoolean());
        Assert.Equal(401, seen.GetProperty("missingRepo").GetProperty("status").GetInt32());
        Assert.Equal("Repository not found", seen.GetProperty("missingRepo").GetProperty("message").GetString());
        Assert.Equal(404, seen.GetProperty("missingRevision").GetProperty("status").GetInt32());
        Assert.Equal(GrantedUser, seen.GetProperty("whoami").GetString());
        Assert.Equal(401, seen.GetProperty("badToken").GetProperty("status").GetInt32());
    }
}
