using System.Text.Json.Nodes;

namespace ModelsHub.InfraTests.Bicep;

/// <summary>
/// Builds and lints every .bicep file under infra/bicep once (one CLI process each, with the repository's
/// bicepconfig.json), and keeps the ARM JSON for the tests that inspect it.
/// </summary>
public sealed class CompiledTemplates : IAsyncLifetime
{
    private readonly TempDirectory _output = new();

    public BicepRun Build { get; private set; } = null!;

    public BicepRun Lint { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Build = await BicepCli.RunAsync(Repository.BicepDirectory, "build", "--pattern", "**/*.bicep", "--outdir", _output.Path);
        Lint = await LintAsync(Repository.BicepDirectory, "**/*.bicep");
    }

    /// <summary>
    /// bicep lint with SARIF output: the diagnostics come from the structured document, not from reading the
    /// CLI's text, so a change in how bicep prints a warning cannot hide it.
    /// </summary>
    public static async Task<BicepRun> LintAsync(string directory, string pattern)
    {
        var run = await BicepCli.RunAsync(directory, "lint", "--pattern", pattern, "--diagnostics-format", "sarif");
        return run with { Diagnostics = BicepCli.ParseSarif(run.StandardOutput) };
    }

    /// <summary>The ARM template compiled from <paramref name="relativePath"/> (e.g. modules/storage.bicep).</summary>
    public JsonObject Template(string relativePath)
    {
        var json = Path.Combine(_output.Path, Path.ChangeExtension(relativePath, ".json"));
        Assert.True(File.Exists(json), $"{relativePath} produced no ARM template. {Build.Describe()}");
        return JsonNode.Parse(File.ReadAllText(json))!.AsObject();
    }

    public Task DisposeAsync()
    {
        _output.Dispose();
        return Task.CompletedTask;
    }
}
