using System.Text.Json;
using System.Text.RegularExpressions;
using ModelsHub.Contracts.Models;
using ModelsHub.Contracts;
using ModelsHub.Core.Catalog;
using ModelsHub.Core.Common;

namespace ModelsHub.Core.Specs;

/// <summary>
/// Checks a model's Xinference entries against what the upstream repository and Xinference's
/// loaders require per type (DESIGN.md "Contracts that real clients depend on").
/// </summary>
public static partial class XinferenceSpecValidator
{
    public const int MaxEntries = 64;

    public static IReadOnlySet<string> LlmAbilities { get; } =
        new HashSet<string>(["embed", "generate", "chat", "tools", "vision", "audio", "omni", "reasoning", "hybrid"], StringComparer.Ordinal);

    public static IReadOnlySet<string> LlmFormats { get; } =
        new HashSet<string>(["pytorch", "gptq", "awq", "fp4", "fp8", "bnb", "ggufv2", "mlx"], StringComparer.Ordinal);

    /// <summary>Spec formats of embedding and rerank models (their spec union's discriminator).</summary>
    public static IReadOnlySet<string> EmbeddingFormats { get; } = new HashSet<string>(["pytorch", "ggufv2"], StringComparer.Ordinal);

    [GeneratedRegex(@"^[0-9]+(_[0-9]+)?$")]
    private static partial Regex SizeText();

    /// <summary>Adds an error per broken field of <paramref name="spec"/> (paths like <c>spec[0].model_specs[1].model_format</c>).</summary>
    public static void Validate(ModelType type, string modelName, JsonElement spec, ValidationErrors errors, string path = "spec")
    {
        if (!type.IsXinference())
        {
            errors.Add(path, $"Only models of type {string.Join(", ", ModelTypes.Xinference.Select(EnumNames<ModelType>.NameOf))} carry a Xinference spec.");
            return;
        }
        if (spec.ValueKind != JsonValueKind.Array)
        {
            errors.Add(path, "Must be a Xinference model entry (an object) or a list of entries.");
            return;
        }
        var count = spec.GetArrayLength();
        if (count == 0 || count > MaxEntries)
        {
            errors.Add(path, $"Must hold between 1 and {MaxEntries} entries.");
            return;
        }
        var i = 0;
        foreach (var entry in spec.EnumerateArray())
        {
            ValidateEntry(type, modelName, entry, errors, $"{path}[{i++}]");
        }
    }

    private static void ValidateEntry(ModelType type, string modelName, JsonElement entry, ValidationErrors errors, string path)
    {
        if (entry.ValueKind != JsonValueKind.Object)
        {
            errors.Add(path, "Must be a JSON object.");
            return;
        }
        var e = new Checker(entry, errors, path);
        // Every family model in Xinference declares version: Literal[2] (image defaults it; the hub still asks for it).
        if (e.Integer("version") is not null and not 2)
        {
            errors.Add($"{path}.version", "Must be 2.");
        }
        // Python reads 1e400 as infinity; no field of an entry means that, and the hub could not write it back.
        RefuseNonFinite(entry, errors, path);
        var name = e.String("model_name");
        if (name is not null && !XinferenceSpec.NamePattern().IsMatch(name))
        {
            errors.Add($"{path}.model_name", "Must match ^[A-Za-z0-9._-]+$.");
        }
        else if (name is not null && !string.Equals(name, modelName, StringComparison.Ordinal))
        {
            errors.Add($"{path}.model_name", $"Must equal the model's name '{modelName}'.");
        }
        e.Integer(XinferenceSpec.UpdatedAt, required: false, min: 0);
        e.Boolean(XinferenceSpec.Featured, required: false);
        e.String("model_description", required: false, allowEmpty: true);
        if (entry.TryGetProperty(XinferenceSpec.IsBuiltin, out _))
        {
            errors.Add($"{path}.{XinferenceSpec.IsBuiltin}", "Is set by Xinference for its bundled models; remove it.");
        }

        switch (type)
        {
            case ModelType.Llm:
                e.StringList("model_lang");
                e.StringList("model_ability", LlmAbilities);
                e.Integer("context_length", required: false, min: 1);
                e.IntegerList("stop_token_ids");
                e.StringList("stop", required: false, allowEmptyList: true);
                e.StringList("architectures", required: false, allowEmptyList: true);
                foreach (var text in (string[])["model_family", "chat_template", "reasoning_start_tag", "reasoning_end_tag", "tool_parser"])
                {
                    e.String(text, required: false, allowEmpty: true);
                }
                e.Dict("cache_config");
                e.Dict("virtualenv");
                e.ObjectList("model_specs", (s, p) => ValidateLlmSpec(s, errors, p));
                break;
            case ModelType.Embedding:
                e.Integer("dimensions", min: 1);
                e.Integer("max_tokens", min: 1);
                e.StringList("language");
                e.Dict("cache_config");
                e.Dict("virtualenv");
                e.ObjectList("model_specs", (s, p) => ValidateQuantizedSpec(s, errors, p));
                break;
            case ModelType.Rerank:
                e.StringList("language");
                e.Integer("max_tokens", required: false, min: 1);
                e.String("type", required: false);
                e.Dict("cache_config");
                e.Dict("virtualenv");
                e.ObjectList("model_specs", (s, p) => ValidateQuantizedSpec(s, errors, p));
                break;
            case ModelType.Image:
                e.String("model_family");
                ValidateMediaOptionals(e);
                e.StringList("gguf_quantizations", required: false);
                e.String("gguf_model_id", required: false);
                e.String("gguf_model_file_name_template", required: false);
                // Each ControlNet is itself an image family, written flat (model_id beside model_name).
                e.ObjectList("controlnet", (c, p) =>
                {
                    var net = new Checker(c, errors, p);
                    net.String("model_name");
                    net.String("model_family");
                    net.String("model_id");
                    net.String("model_revision");
                    if (net.Integer("version", required: false) is not null and not 2)
                    {
                        errors.Add($"{p}.version", "Must be 2.");
                    }
                }, required: false, allowEmptyList: true);
                if (entry.TryGetProperty("model_specs", out _) && !entry.TryGetProperty("model_src", out _))
                {
                    e.ObjectList("model_specs", (s, p) =>
                    {
                        var spec = new Checker(s, errors, p);
                        spec.String("model_format");
                        spec.Sources(requireRevision: true, requireQuantizations: false);
                    });
                }
                else
                {
                    e.Sources(requireRevision: true, requireQuantizations: false);
                }
                break;
            case ModelType.Audio:
                e.String("model_family");
                e.Boolean("multilingual");
                e.String("language", required: false);
                ValidateMediaOptionals(e);
                e.Dict("default_transcription_config");
                e.Sources(requireRevision: false, requireQuantizations: false);
                break;
            case ModelType.Video:
                e.String("model_family");
                ValidateMediaOptionals(e);
                e.Sources(requireRevision: true, requireQuantizations: false);
                break;
        }
    }

    /// <summary>Optional fields image, audio and video families share.</summary>
    private static void ValidateMediaOptionals(Checker e)
    {
        e.StringList("model_ability", required: false, allowEmptyList: true);
        e.String("engine", required: false);
        e.String("model_format", required: false);
        e.String("cache_name", required: false);
        e.Dict("default_model_config");
        e.Dict("default_generate_config");
        e.Dict("cache_config");
        e.Dict("virtualenv");
    }

    private static void ValidateLlmSpec(JsonElement spec, ValidationErrors errors, string path)
    {
        var s = new Checker(spec, errors, path);
        var format = s.String("model_format");
        if (format is not null && !LlmFormats.Contains(format))
        {
            errors.Add($"{path}.model_format", "Must be one of: " + string.Join(", ", LlmFormats) + ".");
        }
        ValidateSize(spec, errors, path, "model_size_in_billions", required: true);
        ValidateSize(spec, errors, path, "activated_size_in_billions", required: false);
        s.Sources(requireRevision: false, requireQuantizations: true, requireTemplate: format == "ggufv2");
    }

    /// <summary>
    /// Xinference types sizes Union[str, int] and then calls int() on a string without "_": 7, "7"
    /// and "1_5" load; 1.5 becomes "1.5" and int("1.5") fails the whole entry.
    /// </summary>
    private static void ValidateSize(JsonElement spec, ValidationErrors errors, string path, string name, bool required)
    {
        if (!spec.TryGetProperty(name, out var size) || (!required && size.ValueKind == JsonValueKind.Null))
        {
            if (required) errors.Add($"{path}.{name}", "Is required.");
            return;
        }
        if (!(size.ValueKind == JsonValueKind.Number && size.TryGetInt64(out var whole) && whole > 0)
            && !(size.ValueKind == JsonValueKind.String && SizeText().IsMatch(size.GetString()!)))
        {
            errors.Add($"{path}.{name}", "Must be a positive integer, or a string such as \"1_5\" (Xinference refuses fractions such as 1.5).");
        }
    }

    private static void ValidateQuantizedSpec(JsonElement spec, ValidationErrors errors, string path)
    {
        var s = new Checker(spec, errors, path);
        var format = s.String("model_format");
        if (format is not null && !EmbeddingFormats.Contains(format))
        {
            errors.Add($"{path}.model_format", "Must be one of: " + string.Join(", ", EmbeddingFormats) + ".");
        }
        s.Sources(requireRevision: false, requireQuantizations: true, requireTemplate: format == "ggufv2");
    }

    private static void RefuseNonFinite(JsonElement value, ValidationErrors errors, string path)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Number when !(value.TryGetDouble(out var number) && double.IsFinite(number)):
                errors.Add(path, "Must be a finite number.");
                break;
            case JsonValueKind.Object:
                foreach (var property in value.EnumerateObject())
                {
                    RefuseNonFinite(property.Value, errors, $"{path}.{property.Name}");
                }
                break;
            case JsonValueKind.Array:
                var i = 0;
                foreach (var item in value.EnumerateArray())
                {
                    RefuseNonFinite(item, errors, $"{path}[{i++}]");
                }
                break;
        }
    }

    /// <summary>Field checks on one JSON object, each error reported under its full path.</summary>
    private readonly struct Checker(JsonElement obj, ValidationErrors errors, string path)
    {
        private bool TryGet(string name, bool required, out JsonElement value)
        {
            if (obj.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null)
            {
                return true;
            }
            if (required)
            {
                errors.Add($"{path}.{name}", "Is required.");
            }
            return false;
        }

        public string? String(string name, bool required = true, bool allowEmpty = false)
        {
            if (!TryGet(name, required, out var value)) return null;
            if (value.ValueKind != JsonValueKind.String || (!allowEmpty && value.GetString()!.Length == 0))
            {
                errors.Add($"{path}.{name}", allowEmpty ? "Must be a string." : "Must be a non-empty string.");
                return null;
            }
            return value.GetString();
        }

        public long? Integer(string name, bool required = true, long min = long.MinValue)
        {
            if (!TryGet(name, required, out var value)) return null;
            if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out var number) || number < min)
            {
                errors.Add($"{path}.{name}", min == long.MinValue ? "Must be an integer." : $"Must be an integer of at least {min}.");
                return null;
            }
            return number;
        }

        public void Boolean(string name, bool required = true)
        {
            if (TryGet(name, required, out var value) && value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            {
                errors.Add($"{path}.{name}", "Must be true or false.");
            }
        }

        public void StringList(string name, IReadOnlySet<string>? allowed = null, bool required = true, bool allowEmptyList = false)
        {
            if (!TryGet(name, required, out var value)) return;
            if (value.ValueKind != JsonValueKind.Array || (!allowEmptyList && value.GetArrayLength() == 0))
            {
                errors.Add($"{path}.{name}", allowEmptyList ? "Must be a list of strings." : "Must be a non-empty list of strings.");
                return;
            }
            var i = 0;
            foreach (var item in value.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.String || item.GetString()!.Length == 0)
                {
                    errors.Add($"{path}.{name}[{i}]", "Must be a non-empty string.");
                }
                else if (allowed is not null && !allowed.Contains(item.GetString()!))
                {
                    errors.Add($"{path}.{name}[{i}]", $"'{item.GetString()}' is not one of: {string.Join(", ", allowed)}.");
                }
                i++;
            }
        }

        /// <summary>An optional list of integers (such as token ids).</summary>
        public void IntegerList(string name)
        {
            if (!TryGet(name, false, out var value)) return;
            if (value.ValueKind != JsonValueKind.Array)
            {
                errors.Add($"{path}.{name}", "Must be a list of integers.");
                return;
            }
            var i = 0;
            foreach (var item in value.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt64(out _))
                {
                    errors.Add($"{path}.{name}[{i}]", "Must be an integer.");
                }
                i++;
            }
        }

        /// <summary>An optional JSON object (a free-form config Xinference types as dict).</summary>
        public void Dict(string name)
        {
            if (TryGet(name, false, out var value) && value.ValueKind != JsonValueKind.Object)
            {
                errors.Add($"{path}.{name}", "Must be a JSON object.");
            }
        }

        public void ObjectList(string name, Action<JsonElement, string> each, bool required = true, bool allowEmptyList = false)
        {
            if (!TryGet(name, required, out var value)) return;
            if (value.ValueKind != JsonValueKind.Array || (!allowEmptyList && value.GetArrayLength() == 0))
            {
                errors.Add($"{path}.{name}", allowEmptyList ? "Must be a list of objects." : "Must be a non-empty list of objects.");
                return;
            }
            var i = 0;
            foreach (var item in value.EnumerateArray())
            {
                var itemPath = $"{path}.{name}[{i++}]";
                if (item.ValueKind != JsonValueKind.Object)
                {
                    errors.Add(itemPath, "Must be a JSON object.");
                    continue;
                }
                each(item, itemPath);
            }
        }

        /// <summary><c>model_src</c>: one object per hub (huggingface, modelscope, ...) naming where to download from.</summary>
        public void Sources(bool requireRevision, bool requireQuantizations, bool requireTemplate = false)
        {
            if (!TryGet("model_src", true, out var src)) return;
            if (src.ValueKind != JsonValueKind.Object || !src.EnumerateObject().Any())
            {
                errors.Add($"{path}.model_src", "Must be an object with one entry per download hub, such as {\"huggingface\": {\"model_id\": ...}}.");
                return;
            }
            foreach (var hub in src.EnumerateObject())
            {
                var hubPath = $"{path}.model_src.{hub.Name}";
                if (hub.Value.ValueKind != JsonValueKind.Object)
                {
                    errors.Add(hubPath, "Must be a JSON object.");
                    continue;
                }
                var h = new Checker(hub.Value, errors, hubPath);
                h.String("model_id");
                if (requireRevision) h.String("model_revision");
                if (requireQuantizations) h.StringList("quantizations");
                // Split GGUF files name their parts with model_file_name_split_template; the plain template may then be empty.
                if (requireTemplate) h.String("model_file_name_template", allowEmpty: hub.Value.TryGetProperty("model_file_name_split_template", out _));
            }
        }
    }
}
