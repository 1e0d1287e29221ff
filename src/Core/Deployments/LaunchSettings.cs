using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using ModelsHub.Contracts.Models;
using ModelsHub.Core.Common;

namespace ModelsHub.Core.Deployments;

/// <summary>What a deployment launches: checked against the model's Xinference entries, with the gaps filled from them.</summary>
public sealed record LaunchSettings(string? Engine, string? Format, JsonElement? SizeInBillions, string? Quantization, int Replicas, JsonElement? Gpus,
    JsonElement Parameters, Dictionary<string, string> Env);

/// <summary>
/// The launch rules: a format, size and quantization (llm, embedding, rerank) must be one the model's
/// entries offer (the first spec's when not given); an LLM needs an engine (Xinference refuses a
/// launch without one), which follows from the format when not given; parameters may not override
/// what the hub sets itself.
/// </summary>
public static partial class LaunchRules
{
    public const int MaxReplicas = 64;
    public const int MaxGpus = 64;
    public const int MaxParameters = 50;
    public const int MaxEnv = 100;
    public const int MaxText = 200;

    /// <summary>Launch arguments the hub sends itself: a deployment's parameters may not set them.</summary>
    public static readonly IReadOnlySet<string> Reserved = new HashSet<string>(StringComparer.Ordinal)
    {
        "model_uid", "model_name", "model_type", "model_engine", "model_format", "model_size_in_billions", "quantization", "replica",
        "n_gpu", "envs", "wait_ready", "worker_ip", "gpu_idx", "replica_config", "model_path", "peft_model_config", "request_limits", "n_worker",
    };

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex EnvName();

    /// <summary>A name an environment variable may have: letters, digits and '_', not starting with a digit (at most 100).</summary>
    public static bool IsEnvName(string name) => name.Length <= 100 && EnvName().IsMatch(name);

    /// <summary>The engine Xinference needs for an LLM of this format when none is named.</summary>
    public static string DefaultEngine(string? format) => format switch
    {
        "ggufv2" => "llama.cpp",
        "mlx" => "MLX",
        _ => "Transformers",
    };

    public static LaunchSettings Resolve(ModelType type, JsonElement entry, DeploymentInput input, ValidationErrors errors)
    {
        var engine = Text(input.Engine, "engine", errors);
        var format = Text(input.Format, "format", errors);
        var quantization = Text(input.Quantization, "quantization", errors);
        JsonElement? size = input.SizeInBillions.HasValue ? input.SizeInBillions.Value : null;
        if (size is { } s && s.ValueKind is not (JsonValueKind.Number or JsonValueKind.String))
        {
            errors.Add("sizeInBillions", "Must be a number (7, 0.5) or Xinference's text form (\"1_8\").");
            size = null;
        }

        if (type is ModelType.Llm or ModelType.Embedding or ModelType.Rerank)
        {
            ChooseSpec(type, entry, ref format, ref size, ref quantization, errors);
        }
        else
        {
            foreach (var (field, given) in new[] { ("format", format is not null), ("sizeInBillions", size is not null), ("quantization", quantization is not null) })
            {
                if (given) errors.Add(field, "Applies to llm, embedding and rerank models only.");
            }
            if (type == ModelType.Audio && engine is null)
            {
                engine = entry.TryGetProperty("engine", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;
            }
        }
        if (type == ModelType.Llm && engine is null)
        {
            engine = DefaultEngine(format);
        }

        var replicas = input.Replicas.HasValue ? input.Replicas.Value : 1;
        if (replicas is < 1 or > MaxReplicas)
        {
            errors.Add("replicas", $"Must be between 1 and {MaxReplicas}.");
        }
        JsonElement? gpus = input.Gpus.HasValue ? input.Gpus.Value : JsonSerializer.SerializeToElement("auto");
        if (gpus is { } g && !(g.ValueKind == JsonValueKind.String && g.GetString() == "auto")
            && !(g.ValueKind == JsonValueKind.Number && g.TryGetInt32(out var n) && n is >= 1 and <= MaxGpus))
        {
            errors.Add("gpus", $"Must be a number of GPUs (1 to {MaxGpus}), \"auto\", or null for CPU only.");
        }

        var parameters = Deployment.EmptyObject;
        if (input.Parameters is { HasValue: true, Value: { } p })
        {
            if (p.ValueKind != JsonValueKind.Object)
            {
                errors.Add("parameters", "Must be an object of launch arguments, such as {\"max_model_len\": 8192}.");
            }
            else
            {
                var count = 0;
                foreach (var property in p.EnumerateObject())
                {
                    count++;
                    if (Reserved.Contains(property.Name))
                    {
                        errors.Add($"parameters.{property.Name}", "Is set by the hub from the deployment's own fields; use those instead.");
                    }
                    else if (property.Name.Length is 0 or > 100)
                    {
                        errors.Add("parameters", "Argument names must be 1 to 100 characters.");
                    }
                }
                if (count > MaxParameters) errors.Add("parameters", $"At most {MaxParameters} arguments.");
                parameters = p.Clone();
            }
        }
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        if (input.Env.HasValue)
        {
            if (input.Env.Value.Count > MaxEnv) errors.Add("env", $"At most {MaxEnv} variables.");
            foreach (var (key, value) in input.Env.Value)
            {
                if (!IsEnvName(key))
                {
                    errors.Add($"env.{key}", "Variable names are letters, digits and '_', not starting with a digit.");
                }
                else if (value.Length > 4096)
                {
                    errors.Add($"env.{key}", "Must be at most 4096 characters.");
                }
                else
                {
                    env[key] = value;
                }
            }
        }
        return new LaunchSettings(engine, format, size, quantization, replicas, gpus, parameters, env);
    }

    /// <summary>Finds the spec the deployment names (or the first), and fills format, size and quantization from it.</summary>
    private static void ChooseSpec(ModelType type, JsonElement entry, ref string? format, ref JsonElement? size, ref string? quantization, ValidationErrors errors)
    {
        if (!entry.TryGetProperty("model_specs", out var specs) || specs.ValueKind != JsonValueKind.Array)
        {
            return;
        }
        var candidates = specs.EnumerateArray().Where(s => s.ValueKind == JsonValueKind.Object).ToList();
        var wantedFormat = format;
        var wantedSize = size is { } w ? SizeText(w) : null;
        var byFormat = candidates.Where(s => wantedFormat is null || Str(s, "model_format") == wantedFormat).ToList();
        if (byFormat.Count == 0)
        {
            errors.Add("format", $"'{format}' is not a format of this model; it offers: {string.Join(", ", candidates.Select(s => Str(s, "model_format")).Distinct())}.");
            return;
        }
        var bySize = type == ModelType.Llm
            ? byFormat.Where(s => wantedSize is null || (s.TryGetProperty("model_size_in_billions", out var v) && SizeText(v) == wantedSize)).ToList()
            : byFormat;
        if (bySize.Count == 0)
        {
            errors.Add("sizeInBillions", $"'{wantedSize}' is not a size of this model in {byFormat.Select(s => Str(s, "model_format")).First()}; it offers: "
                + string.Join(", ", byFormat.Select(s => s.TryGetProperty("model_size_in_billions", out var v) ? SizeText(v) : "?").Distinct()) + ".");
            return;
        }
        if (type != ModelType.Llm && size is not null)
        {
            errors.Add("sizeInBillions", "Applies to llm models only.");
        }
        var wantedQuantization = quantization;
        var chosen = bySize.FirstOrDefault(s => wantedQuantization is null || Quantizations(s).Contains(wantedQuantization));
        if (chosen.ValueKind == JsonValueKind.Undefined)
        {
            errors.Add("quantization", $"'{quantization}' is not a quantization of this spec; it offers: {string.Join(", ", bySize.SelectMany(Quantizations).Distinct())}.");
            return;
        }
        format ??= Str(chosen, "model_format");
        if (type == ModelType.Llm && size is null && chosen.TryGetProperty("model_size_in_billions", out var chosenSize))
        {
            size = chosenSize.Clone();
        }
        quantization ??= Quantizations(chosen).FirstOrDefault();
    }

    private static IEnumerable<string> Quantizations(JsonElement spec) =>
        spec.TryGetProperty("model_src", out var src) && src.ValueKind == JsonValueKind.Object
            ? src.EnumerateObject().Where(h => h.Value.ValueKind == JsonValueKind.Object && h.Value.TryGetProperty("quantizations", out var q) && q.ValueKind == JsonValueKind.Array)
                .SelectMany(h => h.Value.GetProperty("quantizations").EnumerateArray()).Where(q => q.ValueKind == JsonValueKind.String).Select(q => q.GetString()!)
            : [];

    private static string? Str(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    /// <summary>Sizes compare as Xinference's text of them: 7 and "7" agree, 0.5 and "0_5" do not.</summary>
    public static string SizeText(JsonElement size) => size.ValueKind == JsonValueKind.String
        ? size.GetString()!
        : size.TryGetDecimal(out var d) ? d.ToString(CultureInfo.InvariantCulture) : size.GetRawText();

    private static string? Text(Optional<string?> value, string field, ValidationErrors errors)
    {
        if (!value.HasValue || string.IsNullOrWhiteSpace(value.Value)) return null;
        if (value.Value.Length > MaxText)
        {
            errors.Add(field, $"Must be at most {MaxText} characters.");
            return null;
        }
        return value.Value.Trim();
    }
}
