using System.Text.Json;
using ModelsHub.Contracts.Models;
using ModelsHub.Core.Catalog;

namespace ModelsHub.Core.Specs;

/// <summary>
/// What Xinference's loaders do with an entry: llm, embedding and rerank specs expand to one
/// record per download hub × quantization; image, audio and video entries to one record per hub
/// (image may list model_specs, each with its own hubs). An entry that expands to nothing, or
/// that lacks a key the expansion reads, would break a Xinference server's model list.
/// </summary>
public static class XinferenceLoader
{
    /// <summary>How many launchable records the entry expands to; 0 when it would not load.</summary>
    public static int FlattenedCount(ModelType type, JsonElement entry)
    {
        if (entry.ValueKind != JsonValueKind.Object)
        {
            return 0;
        }
        if (type is ModelType.Llm or ModelType.Embedding or ModelType.Rerank)
        {
            if (!entry.TryGetProperty("model_specs", out var specs) || specs.ValueKind != JsonValueKind.Array)
            {
                return 0;
            }
            var total = 0;
            foreach (var spec in specs.EnumerateArray())
            {
                var records = QuantizedRecords(spec);
                if (records < 0) return 0;
                total += records;
            }
            return total;
        }
        if (type == ModelType.Image && !entry.TryGetProperty("model_src", out _) && entry.TryGetProperty("model_specs", out var imageSpecs))
        {
            return imageSpecs.ValueKind == JsonValueKind.Array ? imageSpecs.EnumerateArray().Sum(HubRecords) : 0;
        }
        return HubRecords(entry);
    }

    /// <summary>Hub × quantization records of one spec, or -1 when a hub has no quantization list.</summary>
    private static int QuantizedRecords(JsonElement spec)
    {
        if (spec.ValueKind != JsonValueKind.Object || !spec.TryGetProperty("model_src", out var src) || src.ValueKind != JsonValueKind.Object)
        {
            return -1;
        }
        var count = 0;
        foreach (var hub in src.EnumerateObject())
        {
            if (hub.Value.ValueKind != JsonValueKind.Object
                || !hub.Value.TryGetProperty("quantizations", out var quantizations)
                || quantizations.ValueKind != JsonValueKind.Array)
            {
                return -1;
            }
            count += quantizations.GetArrayLength();
        }
        return count;
    }

    private static int HubRecords(JsonElement owner) =>
        owner.ValueKind == JsonValueKind.Object && owner.TryGetProperty("model_src", out var src) && src.ValueKind == JsonValueKind.Object
            ? src.EnumerateObject().Count(h => h.Value.ValueKind == JsonValueKind.Object)
            : 0;
}
