using System.Text.Json;
using ModelsHub.Core.Common;
using ModelsHub.Core.Training;
using ModelsHub.Functions.Json;

namespace ModelsHub.Functions.Training;

/// <summary>Reads a new job's body, naming every bad field.</summary>
public static class TrainingInputReader
{
    private static readonly string[] Fields = ["name", "model", "version", "dataset", "datasetVersion", "trainer", "method", "hyperparameters", "compute", "output"];
    private static readonly string[] OutputFields = ["model", "label"];

    public static TrainingJobInput Read(JsonElement body)
    {
        var errors = new ValidationErrors();
        var f = new JsonFields(body, Fields, errors);
        string Required(string name)
        {
            var value = f.String(name, 200);
            if (value.HasValue && !string.IsNullOrWhiteSpace(value.Value))
            {
                return value.Value;
            }
            if (!errors.ToDictionary().ContainsKey(name))
            {
                errors.Add(name, "Is required.");
            }
            return "";
        }
        string? Optional(string name, int max = 200) => f.String(name, max, nullable: true).GetValueOrDefault(null!);
        var input = new TrainingJobInput(
            Name: Optional("name", TrainingJobs.MaxNameLength * 2),
            Model: Required("model"),
            Version: Required("version"),
            Dataset: Required("dataset"),
            DatasetVersion: Required("datasetVersion"),
            Trainer: Optional("trainer"),
            Method: Optional("method"),
            Hyperparameters: ReadHyperparameters(body, errors),
            Compute: Optional("compute"),
            OutputModel: null,
            OutputLabel: null);
        if (body.TryGetProperty("output", out var output) && output.ValueKind != JsonValueKind.Null)
        {
            if (output.ValueKind != JsonValueKind.Object)
            {
                errors.Add("output", $"Must be an object {{model?, label?}}, not {JsonBody.Describe(output.ValueKind)}.");
            }
            else
            {
                var o = new JsonFields(output, OutputFields, errors, "output");
                input = input with
                {
                    OutputModel = o.String("model", 200, nullable: true).GetValueOrDefault(null!),
                    OutputLabel = o.String("label", 200, nullable: true).GetValueOrDefault(null!),
                };
            }
        }
        errors.ThrowIfAny();
        return input;
    }

    private static IReadOnlyDictionary<string, JsonElement>? ReadHyperparameters(JsonElement body, ValidationErrors errors)
    {
        if (!body.TryGetProperty("hyperparameters", out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (value.ValueKind != JsonValueKind.Object)
        {
            errors.Add("hyperparameters", $"Must be an object of names and values such as {{\"epochs\": 3}}, not {JsonBody.Describe(value.ValueKind)}.");
            return null;
        }
        var result = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var property in value.EnumerateObject())
        {
            if (property.Value.ValueKind is JsonValueKind.Object or JsonValueKind.Array or JsonValueKind.Null)
            {
                errors.Add($"hyperparameters.{property.Name}", $"Must be a number, true/false or a string, not {JsonBody.Describe(property.Value.ValueKind)}.");
                continue;
            }
            result[property.Name] = property.Value.Clone();
        }
        return result;
    }
}
