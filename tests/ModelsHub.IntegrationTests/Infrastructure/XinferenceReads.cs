using System.Text.Json;

namespace ModelsHub.IntegrationTests.Infrastructure;

/// <summary>
/// The test's own reading of a served entry, written from DESIGN.md's required-fields table and
/// Xinference's flattening (model_src × quantizations, at least one launchable spec), so the
/// download tests do not grade the hub with the hub's own validator.
/// </summary>
public static class XinferenceReads
{
    private static readonly HashSet<string> Abilities = ["embed", "generate", "chat", "tools", "vision", "audio", "omni", "reasoning", "hybrid"];
    private static readonly HashSet<string> LlmFormats = ["pytorch", "gptq", "awq", "fp4", "fp8", "bnb", "ggufv2", "mlx"];
    private static readonly HashSet<string> EmbeddingFormats = ["pytorch", "ggufv2"];
    private static readonly string[] HubInternal = ["is_builtin", "etag", "owner", "visibility", "tier"];

    public static IEnumerable<string> Problems(string type, JsonElement entry)
    {
        var problems = new List<string>();
        if (entry.ValueKind != JsonValueKind.Object)
        {
            return ["not an object"];
        }
        var name = Text(entry, "model_name") ?? "?";
        void Problem(string what) => problems.Add($"{name}: {what}");

        if (!(entry.TryGetProperty("version", out var version) && version.ValueKind == JsonValueKind.Number && version.TryGetInt64(out var v) && v == 2)) Problem("version is not 2");
        if (Text(entry, "model_name") is null) Problem("no model_name");
        if (!(entry.TryGetProperty("updated_at", out var updated) && updated.ValueKind == JsonValueKind.Number && updated.TryGetInt64(out _))) Problem("updated_at is not an integer");
        foreach (var field in HubInternal.Where(f => entry.TryGetProperty(f, out _))) Problem($"carries {field}");

        int launchable;
        switch (type)
        {
            case "llm":
                if (!Strings(entry, "model_lang", out _)) Problem("model_lang is not a list of strings");
                if (!Strings(entry, "model_ability", out var abilities) || abilities.Any(a => !Abilities.Contains(a))) Problem("model_ability is not a list of known abilities");
                launchable = Specs(entry, LlmFormats, sized: true, Problem);
                break;
            case "embedding":
                if (!Integer(entry, "dimensions")) Problem("dimensions is not an integer");
                if (!Integer(entry, "max_tokens")) Problem("max_tokens is not an integer");
                if (!Strings(entry, "language", out _)) Problem("language is not a list of strings");
                launchable = Specs(entry, EmbeddingFormats, sized: false, Problem);
                break;
            case "rerank":
                if (!Strings(entry, "language", out _)) Problem("language is not a list of strings");
                launchable = Specs(entry, EmbeddingFormats, sized: false, Problem);
                break;
            case "image":
                if (Text(entry, "model_family") is null) Problem("no model_family");
                launchable = entry.TryGetProperty("model_src", out _) || !entry.TryGetProperty("model_specs", out var imageSpecs)
                    ? Hubs(entry, revision: true, Problem)
                    : imageSpecs.ValueKind == JsonValueKind.Array ? imageSpecs.EnumerateArray().Sum(s => Hubs(s, revision: true, Problem)) : 0;
                break;
            case "audio":
                if (Text(entry, "model_family") is null) Problem("no model_family");
                if (!(entry.TryGetProperty("multilingual", out var multilingual) && multilingual.ValueKind is JsonValueKind.True or JsonValueKind.False)) Problem("multilingual is not a boolean");
                launchable = Hubs(entry, revision: false, Problem);
                break;
            case "video":
                if (Text(entry, "model_family") is null) Problem("no model_family");
                launchable = Hubs(entry, revision: true, Problem);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(type));
        }
        if (launchable < 1) Problem("flattens to no launchable spec");
        return problems;
    }

    private static string? Text(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString()!.Length > 0 ? value.GetString() : null;

    private static bool Integer(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out _);

    private static bool Strings(JsonElement obj, string name, out List<string> items)
    {
        items = [];
        if (!obj.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.Array || value.GetArrayLength() == 0) return false;
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String) return false;
            items.Add(item.GetString()!);
        }
        return true;
    }

    /// <summary>llm, embedding and rerank: one record per spec × hub × quantization.</summary>
    private static int Specs(JsonElement entry, HashSet<string> formats, bool sized, Action<string> problem)
    {
        if (!entry.TryGetProperty("model_specs", out var specs) || specs.ValueKind != JsonValueKind.Array)
        {
            problem("model_specs is not a list");
            return 0;
        }
        var records = 0;
        foreach (var spec in specs.EnumerateArray())
        {
            var format = Text(spec, "model_format");
            if (format is null || !formats.Contains(format)) problem($"model_format '{format}' is not one of {string.Join("/", formats)}");
            if (sized && !(spec.TryGetProperty("model_size_in_billions", out var size)
                           && (size.ValueKind == JsonValueKind.String || (size.ValueKind == JsonValueKind.Number && size.TryGetInt64(out _)))))
            {
                problem("model_size_in_billions is neither an integer nor a string");
            }
            if (!spec.TryGetProperty("model_src", out var src) || src.ValueKind != JsonValueKind.Object)
            {
                problem("a spec has no model_src");
                continue;
            }
            foreach (var hub in src.EnumerateObject())
            {
                if (Text(hub.Value, "model_id") is null) problem($"model_src.{hub.Name} has no model_id");
                if (format == "ggufv2" && !(hub.Value.TryGetProperty("model_file_name_template", out var template) && template.ValueKind == JsonValueKind.String))
                {
                    problem($"model_src.{hub.Name} has no model_file_name_template");
                }
                if (!hub.Value.TryGetProperty("quantizations", out var quantizations) || quantizations.ValueKind != JsonValueKind.Array)
                {
                    problem($"model_src.{hub.Name} has no quantizations list");
                    continue;
                }
                records += quantizations.GetArrayLength();
            }
        }
        return records;
    }

    /// <summary>image, audio and video: one record per download hub.</summary>
    private static int Hubs(JsonElement owner, bool revision, Action<string> problem)
    {
        if (!owner.TryGetProperty("model_src", out var src) || src.ValueKind != JsonValueKind.Object)
        {
            problem("no model_src");
            return 0;
        }
        var records = 0;
        foreach (var hub in src.EnumerateObject())
        {
            if (Text(hub.Value, "model_id") is null) problem($"model_src.{hub.Name} has no model_id");
            else if (revision && Text(hub.Value, "model_revision") is null) problem($"model_src.{hub.Name} has no model_revision");
            else records++;
        }
        return records;
    }
}
