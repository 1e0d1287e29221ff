using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using ModelsHub.IntegrationTests.Infrastructure;
using ModelsHub.Testing;

namespace ModelsHub.IntegrationTests.Cli;

/// <summary>
/// The CLI as users get it: packed as a .NET tool, installed with <c>dotnet tool install</c> from that
/// package, and run as <c>modelshub</c> against the real hub in its own process: login saves the token,
/// models are listed (JSON and tables), created and shown, a file goes up with a progress bar and comes
/// back checked.
/// </summary>
public sealed class CliToolTests : IAsyncLifetime
{
    private readonly string _work = Path.Combine(Path.GetTempPath(), "modelshub-tests", "tool-" + Guid.NewGuid().ToString("N"));
    private HubProcess _hub = null!;
    private string _tool = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_work);
        var packages = Path.Combine(_work, "packages");
        var project = Path.Combine(UpstreamFixtures.RepositoryRoot, "tools", "ModelsHub.Cli", "ModelsHub.Cli.csproj");
        // Release into a folder of its own, so the Debug build the other tests run is left alone.
        await RunAsync("dotnet", "pack", project, "-c", "Release", "-o", packages, "--artifacts-path", Path.Combine(_work, "artifacts"), "--nologo");
        // Only the local package source: the name must come from the package just built.
        var config = Path.Combine(_work, "nuget.config");
        await File.WriteAllTextAsync(config, $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration><packageSources><clear /><add key="local" value="{packages}" /></packageSources></configuration>
            """);
        var tools = Path.Combine(_work, "tools");
        await RunAsync("dotnet", "tool", "install", "--tool-path", tools, "--add-source", packages, "--configfile", config, "modelshub");
        _tool = Path.Combine(tools, "modelshub");
        _hub = await HubProcess.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _hub.DisposeAsync();
        try { Directory.Delete(_work, recursive: true); } catch (IOException) { }
    }

    private static async Task RunAsync(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{file} {string.Join(' ', args)} failed ({process.ExitCode}):\n{await output}\n{await errors}");
    }

    private async Task<(int Exit, string Output, string Stdout)> ModelshubAsync(params string[] args)
    {
        using var cli = HubProcess.StartCli(_tool, new Dictionary<string, string> { ["MODELSHUB_CONFIG_DIR"] = Path.Combine(_work, "config") }, args);
        var exit = await cli.WaitAsync(TimeSpan.FromMinutes(2));
        return (exit, cli.Output, cli.StandardOutput);
    }

    [Fact]
    public async Task TheInstalledToolLogsInBrowsesRegistersUploadsWithAProgressBarAndDownloadsChecked()
    {
        var help = await ModelshubAsync("--help");
        Assert.Equal(0, help.Exit);
        foreach (var command in new[] { "login", "models", "upload", "download", "import" })
        {
            Assert.Contains(command, help.Output);
        }

        var hub = _hub.Address.ToString();
        var refused = await ModelshubAsync("login", "--hub", hub, "--token", "not-a-token");
        Assert.True(refused.Exit == 1, refused.Output);
        Assert.Contains("does not accept this token", refused.Output);
        var token = await _hub.TokenAsync("cleo", "user");
        var login = await ModelshubAsync("login", "--hub", hub, "--token", token);
        Assert.True(login.Exit == 0, login.Output);
        Assert.Contains("as cleo", login.Output);

        // From here on no --hub and no --token: login saved both.
        var created = await ModelshubAsync("models", "create", "cli-model", "--type", "custom", "--description", "Made from the command line", "--tag", "cli", "--json");
        Assert.True(created.Exit == 0, created.Output);
        var model = JsonDocument.Parse(created.Stdout).RootElement;
        Assert.Equal(("cli-model", "custom", "cleo"), (model.GetProperty("name").GetString(), model.GetProperty("type").GetString(), model.GetProperty("owner").GetString()));

        var listed = await ModelshubAsync("models", "list", "--mine", "--json");
        Assert.True(listed.Exit == 0, listed.Output);
        Assert.Contains(JsonDocument.Parse(listed.Stdout).RootElement.GetProperty("items").EnumerateArray(), m => m.GetProperty("name").GetString() == "cli-model");
        var table = await ModelshubAsync("models", "list", "--mine");
        Assert.Contains("cli-model", table.Output);
        Assert.Contains("Visibility", table.Output);
        var shown = await ModelshubAsync("models", "show", "cli-model");
        Assert.True(shown.Exit == 0, shown.Output);
        Assert.Contains("Made from the command line", shown.Output);
        var missing = await ModelshubAsync("models", "show", "no-such-model");
        Assert.Equal(1, missing.Exit);
        Assert.Contains("404", missing.Output);
        var badType = await ModelshubAsync("models", "create", "typed", "--type", "spreadsheet");
        Assert.Equal(2, badType.Exit);
        Assert.Contains("--type 'spreadsheet' is not allowed", badType.Output);

        var file = Path.Combine(_work, "weights.safetensors");
        var bytes = Uploads.RandomBytes(12 * 1024 * 1024 + 321, 19);
        await File.WriteAllBytesAsync(file, bytes);
        var upload = await ModelshubAsync("upload", file, "--model", "cli-model", "--progress", "bar");
        Assert.True(upload.Exit == 0, upload.Output);
        Assert.Contains("100%", upload.Output);
        Assert.Contains("MB/s", upload.Output);
        Assert.Contains("verified: cli-model v1 is ready", upload.Output);

        var target = Path.Combine(_work, "back.safetensors");
        var download = await ModelshubAsync("download", "--model", "cli-model", "--version", "v1", "--file", "weights.safetensors", "--out", target, "--json");
        Assert.True(download.Exit == 0, download.Output);
        var result = JsonDocument.Parse(download.Stdout).RootElement;
        Assert.True(result.GetProperty("verified").GetBoolean());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), result.GetProperty("sha256").GetString());
        Assert.Equal(bytes, await File.ReadAllBytesAsync(target));

        var api = await _hub.ClientForAsync("cleo", "user");
        var version = await (await api.GetAsync("/api/models/cli-model/versions/v1").ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.Equal("ready", version.GetProperty("status").GetString());
    }
}
