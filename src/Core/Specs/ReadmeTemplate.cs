using System.Globalization;
using System.Text;
using System.Text.Json;
using ModelsHub.Contracts.Models;
using ModelsHub.Contracts;
using ModelsHub.Core.Catalog;
using ModelsHub.Core.Common;

namespace ModelsHub.Core.Specs;

/// <summary>
/// The "Get README" button: a Markdown starting point generated from a model's spec, with its
/// description, abilities, formats and sizes, download sources, and how to launch it in Xinference.
/// </summary>
public static class ReadmeTemplate
{
    public static string Render(string name, ModelType type, string? description, JsonElement? spec)
    {
        var entries = XinferenceSpec.Entries(spec).Where(e => e.ValueKind == JsonValueKind.Object).ToList();
        var typeName = EnumNames<ModelType>.NameOf(type);
        var md = new StringBuilder();
        md.Append("# ").Append(name).Append("\n\n");

        var text = FirstNonEmpty(description, entries.Select(e => XinferenceSpec.GetString(e, "model_description")));
        md.Append(string.IsNullOrWhiteSpace(text) ? $"{("aeiou".Contains(typeName[0]) ? "An" : "A")} {typeName} model." : text.Trim()).Append("\n\n");

        md.Append("## Overview\n\n");
        md.Append("| | |\n|---|---|\n");
        md.Append("| Model type | ").Append(typeName).Append(" |\n");
        Row(md, "Family", Distinct(entries, e => Strings(e, "model_family")));
        Row(md, "Abilities", Distinct(entries, e => Strings(e, "model_ability")));
        Row(md, "Languages", Distinct(entries, e => Strings(e, "model_lang").Concat(Strings(e, "language"))));
        Row(md, "Context length", Distinct(entries, e => Numbers(e, "context_length")));
        Row(md, "Dimensions", Distinct(entries, e => Numbers(e, "dimensions")));
        Row(md, "Max tokens", Distinct(entries, e => Numbers(e, "max_tokens")));
        Row(md, "Engines", Distinct(entries, e => Strings(e, "engine")));
        md.Append('\n');

        var variants = Variants(entries).ToList();
        if (variants.Count > 0)
        {
            md.Append("## Formats, sizes and sources\n\n");
            md.Append("| Format | Size (billions) | Quantizations | Sources |\n|---|---|---|---|\n");
            foreach (var v in variants)
            {
                md.Append("| ").Append(v.Format).Append(" | ").Append(v.Size).Append(" | ")
                  .Append(v.Quantizations).Append(" | ").Append(v.Sources).Append(" |\n");
            }
            md.Append('\n');
        }

        md.Append("## Usage with Xinference\n\n");
        md.Append("Update the ").Append(typeName).Append(" model list from the hub, then launch the model:\n\n");
        md.Append("```bash\nxinference launch --model-name ").Append(name).Append(" --model-type ").Append(typeName);
        var first = variants.FirstOrDefault();
        if (type == ModelType.Llm && first is not null)
        {
            md.Append(" --model-format ").Append(first.Format);
            if (first.Size != "-") md.Append(" --size-in-billions ").Append(first.Size);
        }
        md.Append("\n```\n\n");
        md.Append("```python\nfrom xinference.client import Client\n\nclient = Client(\"http://localhost:9997\")\n");
        md.Append("uid = client.launch_model(model_name=\"").Append(name).Append("\", model_type=\"").Append(typeName).Append("\")\n");
        md.Append("model = client.get_model(uid)\n```\n\n");
        md.Append("## Notes\n\n- License, intended use and known limitations: describe them here.\n");
        return md.ToString();
    }

    private sealed record Variant(string Format, string Size, string Quantizations, string Sources);

    private static IEnumerable<Variant> Variants(List<JsonElement> entries)
    {
        foreach (var entry in entries)
        {
            if (entry.TryGetProperty("model_specs", out var specs) && specs.ValueKind == JsonValueKind.Array)
            {
                foreach (var spec in specs.EnumerateArray().Where(s => s.ValueKind == JsonValueKind.Object))
                {
                    yield return ToVariant(spec, XinferenceSpec.GetString(spec, "model_format") ?? "-");
                }
            }
            else if (entry.TryGetProperty("model_src", out _))
            {
                yield return ToVariant(entry, XinferenceSpec.GetString(entry, "model_format") ?? XinferenceSpec.GetString(entry, "engine") ?? "-");
            }
        }
    }

    private static Variant ToVariant(JsonElement spec, string format)
    {
        var size = spec.TryGetProperty("model_size_in_billions", out var s)
            ? (s.ValueKind == JsonValueKind.String ? s.GetString()!.Replace('_', '.') : s.GetRawText())
            : "-";
        var quantizations = new List<string>();
        var sources = new List<string>();
        if (spec.TryGetProperty("model_src", out var src) && src.ValueKind == JsonValueKind.Object)
        {
            foreach (var hub in src.EnumerateObject().Where(h => h.Value.ValueKind == JsonValueKind.Object))
            {
                var id = XinferenceSpec.GetString(hub.Value, "model_id");
                if (id is not null) sources.Add($"{hub.Name}: `{id}`");
                quantizations.AddRange(Strings(hub.Value, "quantizations"));
            }
        }
        var q = quantizations.Distinct(StringComparer.Ordinal).ToList();
        return new Variant(format, size, q.Count == 0 ? "-" : string.Join(", ", q), sources.Count == 0 ? "-" : string.Join("<br>", sources));
    }

    private static void Row(StringBuilder md, string label, IReadOnlyList<string> values)
    {
        if (values.Count > 0)
        {
            md.Append("| ").Append(label).Append(" | ").Append(string.Join(", ", values)).Append(" |\n");
        }
    }

    private static IReadOnlyList<string> Distinct(List<JsonElement> entries, Func<JsonElement, IEnumerable<string>> pick) =>
        entries.SelectMany(pick).Distinct(StringComparer.Ordinal).ToList();

    private static IEnumerable<string> Strings(JsonElement obj, string property)
    {
        if (!obj.TryGetProperty(property, out var value)) yield break;
        if (value.ValueKind == JsonValueKind.String) yield return value.GetString()!;
        if (value.ValueKind != JsonValueKind.Array) yield break;
        foreach (var item in value.EnumerateArray().Where(i => i.ValueKind == JsonValueKind.String))
        {
            yield return item.GetString()!;
        }
    }

    private static IEnumerable<string> Numbers(JsonElement obj, string property)
    {
        if (obj.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.Number)
        {
            yield return value.TryGetInt64(out var n) ? n.ToString("N0", CultureInfo.InvariantCulture) : value.GetRawText();
        }
    }

    private static string? FirstNonEmpty(string? first, IEnumerable<string?> rest) =>
        !string.IsNullOrWhiteSpace(first) ? first : rest.FirstOrDefault(s => !string.IsNullOrWhiteSpace(s));
}
