using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ModelsHub.InfraTests.Bicep;

namespace ModelsHub.InfraTests;

/// <summary>CI compiles every Bicep file with the pinned bicep CLI and accepts no error and no warning.</summary>
public sealed partial class BicepCompilationTests(CompiledTemplates templates) : IClassFixture<CompiledTemplates>
{
    public static TheoryData<string> BicepFiles() => new(Repository.BicepFiles());

    [Fact]
    public async Task TheBicepCliFromThePackageRunsOffline()
    {
        var run = await BicepCli.RunAsync(Repository.Root, "--version");

        Assert.True(run.ExitCode == 0, run.Describe());
        Assert.Contains("Bicep CLI version", run.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryBicepFileBuildsWithoutErrorsOrWarnings()
    {
        Assert.True(templates.Build.ExitCode == 0, templates.Build.Describe());
        Assert.True(templates.Build.Problems.Count == 0,
            "bicep build reported:" + Environment.NewLine + string.Join(Environment.NewLine, templates.Build.Problems));
        Assert.True(Repository.BicepFiles().Count > 1, "Expected main.bicep and its modules under infra/bicep.");
    }

    [Fact]
    public void TheLinterFindsNothingInAnyBicepFile()
    {
        Assert.True(templates.Lint.ExitCode == 0, templates.Lint.Describe());
        Assert.True(templates.Lint.Problems.Count == 0,
            "bicep lint reported:" + Environment.NewLine + string.Join(Environment.NewLine, templates.Lint.Problems));
    }

    [Fact]
    public async Task TheLintCheckSeesAWarningTheRepositoryConfigurationRaises()
    {
        // The check above must be able to fail: the same lint, with the repository's bicepconfig.json, on a file
        // with an unused parameter and an unused variable.
        using var scratch = new TempDirectory();
        File.Copy(Path.Combine(Repository.BicepDirectory, "bicepconfig.json"), Path.Combine(scratch.Path, "bicepconfig.json"));
        await File.WriteAllTextAsync(Path.Combine(scratch.Path, "careless.bicep"), """
            @description('Never used.')
            param unused string
            var alsoUnused = 1
            """);

        var lint = await CompiledTemplates.LintAsync(scratch.Path, "*.bicep");

        Assert.Equal(["no-unused-params", "no-unused-vars"], lint.Problems.Select(p => p.Code).Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(BicepFiles))]
    public void EveryParameterHasADescription(string file)
    {
        var parameters = templates.Template(file)["parameters"]?.AsObject() ?? [];

        var undescribed = parameters
            .Where(p => string.IsNullOrWhiteSpace(p.Value?["metadata"]?["description"]?.GetValue<string>()))
            .Select(p => p.Key)
            .ToList();

        Assert.True(undescribed.Count == 0, $"{file}: parameters without @description: {string.Join(", ", undescribed)}");
    }

    [Theory]
    [MemberData(nameof(BicepFiles))]
    public void NoFileUsesARegistryModule(string file)
    {
        // The CLI runs offline (no registry), and every module is part of this repository.
        var source = File.ReadAllText(Path.Combine(Repository.BicepDirectory, file));

        var registryModules = RegistryModule().Matches(source).Select(m => m.Value).ToList();

        Assert.True(registryModules.Count == 0, $"{file} references registry modules: {string.Join(", ", registryModules)}");
    }

    [Fact]
    public void MainDeploysAtSubscriptionScope()
    {
        var schema = templates.Template("main.bicep")["$schema"]!.GetValue<string>();

        Assert.Contains("subscriptionDeploymentTemplate", schema, StringComparison.Ordinal);
    }

    [Fact]
    public void MainOutputsAreUpperSnakeCase()
    {
        var outputs = templates.Template("main.bicep")["outputs"]!.AsObject().Select(o => o.Key).ToList();

        Assert.NotEmpty(outputs);
        Assert.All(outputs, name => Assert.Matches(UpperSnake(), name));
    }

    [Fact]
    public void TheParametersFileNamesOnlyParametersOfMainAndEveryRequiredOne()
    {
        var declared = templates.Template("main.bicep")["parameters"]!.AsObject();
        var given = JsonNode.Parse(File.ReadAllText(Repository.MainParameters))!["parameters"]!.AsObject()
            .Select(p => p.Key)
            .ToHashSet(StringComparer.Ordinal);

        var unknown = given.Where(name => !declared.ContainsKey(name)).ToList();
        var requiredMissing = declared
            .Where(p => p.Value!["defaultValue"] is null && !given.Contains(p.Key))
            .Select(p => p.Key)
            .ToList();

        Assert.True(unknown.Count == 0, $"main.parameters.json sets parameters main.bicep does not declare: {string.Join(", ", unknown)}");
        Assert.True(requiredMissing.Count == 0, $"main.parameters.json leaves required parameters unset: {string.Join(", ", requiredMissing)}");
    }

    [GeneratedRegex(@"^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$")]
    private static partial Regex UpperSnake();

    [GeneratedRegex(@"'(br|ts)[:/][^']*'")]
    private static partial Regex RegistryModule();
}
