using System.Reflection;

namespace ModelsHub.InfraTests.Bicep;

/// <summary>Where things are in the repository this test assembly was built from.</summary>
public static class Repository
{
    public static string Root { get; } = FindRoot();

    public static string BicepDirectory { get; } = Path.Combine(Root, "infra", "bicep");

    public static string MainTemplate { get; } = Path.Combine(BicepDirectory, "main.bicep");

    public static string MainParameters { get; } = Path.Combine(BicepDirectory, "main.parameters.json");

    public static string FunctionsHostDirectory { get; } = Path.Combine(Root, "src", "Functions", "FunctionsHost");

    /// <summary>Every .bicep file under infra/bicep, relative to that folder with '/' separators.</summary>
    public static IReadOnlyList<string> BicepFiles() =>
        Directory.EnumerateFiles(BicepDirectory, "*.bicep", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(BicepDirectory, f).Replace(Path.DirectorySeparatorChar, '/'))
            .Order(StringComparer.Ordinal)
            .ToList();

    private static string FindRoot()
    {
        var root = typeof(Repository).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "RepositoryRoot")?.Value;
        if (root is null || !File.Exists(Path.Combine(root, "ModelsHub.sln")))
        {
            throw new InvalidOperationException($"The repository root baked into the test assembly ('{root}') has no ModelsHub.sln.");
        }
        return root;
    }
}

/// <summary>A scratch folder removed when disposed.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "modelshub-infra-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A leftover scratch folder is harmless.
        }
    }
}
