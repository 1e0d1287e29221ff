using System.Text.Json;
using ModelsHub.Core.Catalog;
using ModelsHub.Core.Common;
using ModelsHub.Core.Upstream;

namespace ModelsHub.Functions.Cli;

/// <summary>Commands the same binary runs instead of serving, against the configured storage.</summary>
public abstract class HubCommands
{
    public static HubCommands? TryGet(string[] args) => args.FirstOrDefault() switch
    {
        "import-upstream" => new ImportUpstreamCommand(),
        _ => null,
    };

    public abstract Task<int> RunAsync(IServiceProvider services, string[] args);
}

/// <summary><c>import-upstream &lt;folder&gt;</c>: loads llm.json, embedding.json, ... from a folder.</summary>
public sealed class ImportUpstreamCommand : HubCommands
{
    public override async Task<int> RunAsync(IServiceProvider services, string[] args)
    {
        if (args.Length < 2 || !Directory.Exists(args[1]))
        {
            await Console.Error.WriteLineAsync("usage: import-upstream <folder holding llm.json, embedding.json, rerank.json, image.json, audio.json, video.json>"
                + (args.Length < 2 ? "" : $"\n'{Path.GetFullPath(args[1])}' is not a folder (relative paths start at {Directory.GetCurrentDirectory()})."));
            return 2;
        }
        var files = new Dictionary<ModelType, JsonElement>();
        foreach (var type in ModelTypes.Xinference)
        {
            var path = Path.Combine(args[1], EnumNames<ModelType>.NameOf(type) + ".json");
            if (File.Exists(path))
            {
                await using var stream = File.OpenRead(path);
                files[type] = (await JsonDocument.ParseAsync(stream)).RootElement.Clone();
            }
        }
        var result = await services.GetRequiredService<UpstreamImporter>().ImportAsync(files, CancellationToken.None);
        Console.WriteLine(JsonSerializer.Serialize(result, HubJson.Options));
        return result.Errors.Count == 0 ? 0 : 1;
    }
}
