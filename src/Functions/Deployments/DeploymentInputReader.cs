using System.Text.Json;
using ModelsHub.Core.Common;
using ModelsHub.Core.Deployments;
using ModelsHub.Functions.Json;

namespace ModelsHub.Functions.Deployments;

/// <summary>Reads a deployment request into a <see cref="DeploymentInput"/>, naming every bad field.</summary>
public static class DeploymentInputReader
{
    private static readonly string[] Fields =
        ["model", "version", "server", "engine", "format", "sizeInBillions", "quantization", "replicas", "gpus", "parameters", "env", "inputFormat", "outputFormat"];

    public static DeploymentInput Read(JsonElement body)
    {
        var errors = new ValidationErrors();
        var f = new JsonFields(body, Fields, errors);
        var input = new DeploymentInput
        {
            Model = f.String("model", 200),
            Version = Nullable(f.String("version", 200, nullable: true)),
            Server = f.String("server", 200),
            Engine = Nullable(f.String("engine", 400, nullable: true)),
            Format = Nullable(f.String("format", 400, nullable: true)),
            SizeInBillions = f.Raw("sizeInBillions"),
            Quantization = Nullable(f.String("quantization", 400, nullable: true)),
            Replicas = Integer(body, "replicas", errors),
            Gpus = f.Raw("gpus"),
            Parameters = f.Raw("parameters"),
            Env = Env(body, errors),
            InputFormat = Nullable(f.String("inputFormat", 400, nullable: true)),
            OutputFormat = Nullable(f.String("outputFormat", 400, nullable: true)),
        };
        errors.ThrowIfAny();
        return input;
    }

    private static Optional<string?> Nullable(Optional<string> value) => value.HasValue ? new Optional<string?>(true, value.Value) : default;

    private static Optional<int> Integer(JsonElement body, string name, ValidationErrors errors)
    {
        if (!body.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return default;
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var n)) return n;
        errors.Add(name, $"Must be a whole number, not {(value.ValueKind == JsonValueKind.Number ? "a fraction" : JsonBody.Describe(value.ValueKind))}.");
        return default;
    }

    private static Optional<IReadOnlyDictionary<string, string>> Env(JsonElement body, ValidationErrors errors)
    {
        if (!body.TryGetProperty("env", out var value) || value.ValueKind == JsonValueKind.Null) return default;
        if (value.ValueKind != JsonValueKind.Object)
        {
            errors.Add("env", $"Must be an object of variable names to text values, not {JsonBody.Describe(value.ValueKind)}.");
            return default;
        }
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in value.EnumerateObject())
        {
            if (!LaunchRules.IsEnvName(property.Name))
            {
                errors.Add($"env.{property.Name}", "Variable names are letters, digits and '_', not starting with a digit.");
                continue;
            }
            if (property.Value.ValueKind != JsonValueKind.String)
            {
                errors.Add($"env.{property.Name}", $"Must be text, not {JsonBody.Describe(property.Value.ValueKind)}.");
                continue;
            }
            env[property.Name] = property.Value.GetString()!;
        }
        return env;
    }
}
