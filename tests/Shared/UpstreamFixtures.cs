using System.Text.Json;

namespace ModelsHub.Testing;

/// <summary>
/// The upstream Xinference files kept read-only beside the repository (../shared/fixtures/xinference),
/// read in place at test time. MODELSHUB_FIXTURES overrides the folder.
/// </summary>
public static class UpstreamFixtures
{
    public static readonly string[] Types = ["llm", "embedding", "rerank", "image", "audio", "video"];

    private static readonly Lazy<string> Folder = new(Locate);

    public static string Directory => Folder.Value;

    public static string PathOf(string type) => System.IO.Path.Combine(Directory, type + ".json");

    public static string ReadText(string type) => File.ReadAllText(PathOf(type));

    public static JsonElement Read(string type)
    {
        using var document = JsonDocument.Parse(ReadText(type));
        return document.RootElement.Clone();
    }

    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    private static string Locate()
    {
        var overridden = Environment.GetEnvironmentVariable("MODELSHUB_FIXTURES");
        var candidates = new[]
        {
            overridden,
            System.IO.Path.Combine(RepositoryRoot, "..", "shared", "fixtures", "xinference"),
            "/work/shared/fixtures/xinference",
        };
        foreach (var candidate in candidates)
        {
            if (!string.IsNullOrEmpty(candidate) && File.Exists(System.IO.Path.Combine(candidate, "llm.json")))
            {
                return System.IO.Path.GetFullPath(candidate);
            }
        }
        throw new InvalidOperationException(
            "The upstream fixtures (../shared/fixtures/xinference next to the repository) were not found; set MODELSHUB_FIXTURES to their folder.");
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "ModelsHub.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("ModelsHub.sln not found above " + AppContext.BaseDirectory);
    }
}
