using System.Text.Json;
using ModelsHub.Contracts.Models;
using ModelsHub.Contracts;
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

    public Task<int> RunAsync(IServiceProvider services, string[] args) => RunAsync(services, args, Console.Out, Console.Error);

    /// <summary>Runs the command, writing its report to <paramref name="output"/> and problems to <paramref name="error"/>; returns the exit code.</summary>
    public abstract Task<int> RunAsync(IServiceProvider services, string[] args, TextWriter output, TextWriter error);
}

/// <summary><c>import-upstream &lt;folder&gt;</c>: loads llm.json, embedding.json, ... from a folder.</summary>
public sealed class ImportUpstreamCommand : HubCommands
{
    public override async Task<int> RunAsync(IServiceProvider services, string[] args, TextWriter output, TextWriter error)
    {
        if (args.Length < 2 || !Directory.Exists(args[1]))
        {
            await error.WriteLineAsync("usage: import-upstream <folder holding llm.json, embedding.json, rerank.json, image.json, audio.json, video.json>"
                + (args.Length < 2 ? "" : $"\n'{Path.GetFullPath(args[1])}' is not a folder (relative paths start at {Directory.GetCurrentDirectory()})."));
            return 2;
        }
        var folder = Path.GetFullPath(args[1]);
        var files = new Dictionary<ModelType, JsonElement>();
        var missing = new List<string>();
        foreach (var type in ModelTypes.Xinference)
        {
            var fileName = EnumNames<ModelType>.NameOf(type) + ".json";
            var path = Path.Combine(folder, fileName);
            if (!File.Exists(path))
            {
                missing.Add(fileName);
                continue;
            }
            try
            {
                await using var stream = File.OpenRead(path);
                using var document = await JsonDocument.ParseAsync(stream);
                files[type] = document.RootElement.Clone();
            }
            catch (JsonException ex)
            {
                await error.WriteLineAsync($"{path} is not valid JSON (line {ex.LineNumber + 1}): nothing was imported.");
                return 1;
            }
        }
        if (files.Count == 0)
        {
            var present = Directory.EnumerateFiles(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
            await error.WriteLineAsync($"'{folder}' holds none of {string.Join(", ", missing)}: nothing to import."
                + (present.Count == 0 ? " The folder is empty." : $" It holds: {string.Join(", ", present)}."));
            return 2;
        }
        output.WriteLine($"Importing from {folder}: {string.Join(", ", files.Keys.Select(t => EnumNames<ModelType>.NameOf(t) + ".json"))}"
            + (missing.Count == 0 ? "" : $" (not found, skipped: {string.Join(", ", missing)})"));
        UpstreamImportResult result;
        try
        {
            result = await services.GetRequiredService<UpstreamImporter>().ImportAsync(files, CancellationToken.None);
        }
        catch (ValidationException ex)
        {
            foreach (var (field, messages) in ex.Errors)
            {
                await error.WriteLineAsync($"{field}: {string.Join(" ", messages)}");
            }
            await error.WriteLineAsync("Nothing was imported.");
            return 1;
        }
        output.WriteLine(JsonSerializer.Serialize(result, HubJson.Options));
        return result.Errors.Count == 0 ? 0 : 1;
    }
}
