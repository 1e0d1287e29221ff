using System.Text.Json;
using System.Text.Json.Nodes;
using ModelsHub.Contracts.Models;
using ModelsHub.Core.Catalog;
using ModelsHub.Core.Common;
using ModelsHub.Core.Specs;

namespace ModelsHub.Core.Upstream;

/// <summary>
/// The model repository's six JSON files (xorbitsai/inference by default): where each type lives
/// and how an upstream entry list becomes hub model fields.
/// </summary>
public static class UpstreamCatalog
{
    /// <summary>Owner of models that came from the model repository rather than a hub user.</summary>
    public const string OwnerId = "system:upstream";

    public static IReadOnlyDictionary<ModelType, string> FilePaths { get; } = new Dictionary<ModelType, string>
    {
        [ModelType.Llm] = "xinference/model/llm/llm_family.json",
        [ModelType.Embedding] = "xinference/model/embedding/model_spec.json",
        [ModelType.Rerank] = "xinference/model/rerank/model_spec.json",
        [ModelType.Image] = "xinference/model/image/model_spec.json",
        [ModelType.Audio] = "xinference/model/audio/model_spec.json",
        [ModelType.Video] = "xinference/model/video/model_spec.json",
    };

    /// <summary>Groups a file's entries by <c>model_name</c>, keeping file order within and across groups.</summary>
    public static IReadOnlyList<(string Name, JsonElement Spec)> GroupByModel(JsonElement file)
    {
        if (file.ValueKind != JsonValueKind.Array)
        {
            throw new ValidationException("file", "An upstream model file must be a JSON array of entries.");
        }
        var groups = new List<(string Name, JsonArray Entries)>();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var position = 0;
        foreach (var entry in file.EnumerateArray())
        {
            if (JsonDuplicates.Find(entry, $"[{position}]") is { } duplicate)
            {
                throw new ValidationException(duplicate, "Appears more than once in its object: an entry names each property once.");
            }
            var name = XinferenceSpec.GetString(entry, XinferenceSpec.ModelName)
                ?? throw new ValidationException($"[{position}].model_name", "Every upstream entry needs a model_name.");
            if (!index.TryGetValue(name, out var at))
            {
                index[name] = at = groups.Count;
                groups.Add((name, []));
            }
            groups[at].Entries.Add(JsonNode.Parse(entry.GetRawText()));
            position++;
        }
        return groups.Select(g => (g.Name, JsonSerializer.SerializeToElement(g.Entries))).ToList();
    }

    /// <summary>Sets the hub fields that follow from the entries (description, tags, framework, featured).</summary>
    public static void DeriveFields(HubModel model, JsonElement spec)
    {
        var entries = XinferenceSpec.Entries(spec).ToList();
        var description = entries.Select(e => XinferenceSpec.GetString(e, "model_description")).FirstOrDefault(d => !string.IsNullOrWhiteSpace(d)) ?? "";
        model.Description = description.Length <= ModelRules.MaxDescriptionLength ? description : description[..ModelRules.MaxDescriptionLength];
        model.Tags = ModelRules.NormalizeTags(entries.SelectMany(e => StringArray(e, "model_ability"))).Take(ModelRules.MaxTags)
            .Where(t => t.Length <= ModelRules.MaxTagLength).ToList();
        model.Featured = entries.Any(e => e.TryGetProperty(XinferenceSpec.Featured, out var f) && f.ValueKind == JsonValueKind.True);
        model.Framework = FrameworkOf(entries);
    }

    private static ModelFramework FrameworkOf(List<JsonElement> entries)
    {
        var formats = entries.SelectMany(e => e.TryGetProperty("model_specs", out var specs) && specs.ValueKind == JsonValueKind.Array
                ? specs.EnumerateArray().Select(s => XinferenceSpec.GetString(s, "model_format"))
                : [XinferenceSpec.GetString(e, "model_format")])
            .Where(f => f is not null).Distinct().ToList();
        return formats switch
        {
            ["ggufv2"] => ModelFramework.Gguf,
            ["mlx"] => ModelFramework.Mlx,
            _ => ModelFramework.Pytorch,
        };
    }

    private static IEnumerable<string> StringArray(JsonElement entry, string property) =>
        entry.TryGetProperty(property, out var array) && array.ValueKind == JsonValueKind.Array
            ? array.EnumerateArray().Where(i => i.ValueKind == JsonValueKind.String).Select(i => i.GetString()!)
            : [];
}
