using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;
using ModelsHub.Core.Common;

namespace ModelsHub.Core.Training;

/// <summary>A hyperparameter a trainer declares, parsed from configuration.</summary>
public sealed record HyperparameterSpec(string Name, string Type, JsonElement? Default, double? Min, double? Max, IReadOnlyList<string> Values, string? Description)
{
    public const string Integer = "integer";
    public const string Number = "number";
    public const string Boolean = "boolean";
    public const string Text = "string";

    public static IReadOnlyList<string> Types { get; } = [Integer, Number, Boolean, Text];

    /// <summary>Why <paramref name="value"/> does not fit, or null when it does.</summary>
    public string? Check(JsonElement value)
    {
        switch (Type)
        {
            case Integer:
                if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out var whole))
                {
                    return "Must be a whole number.";
                }
                return Bounds(whole);
            case Number:
                return value.ValueKind != JsonValueKind.Number ? "Must be a number." : Bounds(value.GetDouble());
            case Boolean:
                return value.ValueKind is JsonValueKind.True or JsonValueKind.False ? null : "Must be true or false.";
            default:
                if (value.ValueKind != JsonValueKind.String)
                {
                    return "Must be a string.";
                }
                return Values.Count > 0 && !Values.Contains(value.GetString()!, StringComparer.Ordinal) ? $"Must be one of: {string.Join(", ", Values)}." : null;
        }
    }

    private string? Bounds(double number) =>
        (Min, Max) switch
        {
            ({ } min, { } max) when number < min || number > max => $"Must be between {Format(min)} and {Format(max)}.",
            ({ } min, null) when number < min => $"Must be at least {Format(min)}.",
            (null, { } max) when number > max => $"Must be at most {Format(max)}.",
            _ => null,
        };

    private static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>A configured default (text) as the JSON value of <paramref name="type"/>, or null when it does not parse.</summary>
    public static JsonElement? ParseDefault(string type, string text)
    {
        var json = type switch
        {
            Integer => long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) ? l.ToString(CultureInfo.InvariantCulture) : null,
            Number => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d) ? d.ToString("R", CultureInfo.InvariantCulture) : null,
            Boolean => bool.TryParse(text, out var b) ? (b ? "true" : "false") : null,
            _ => JsonSerializer.Serialize(text),
        };
        return json is null ? null : JsonDocument.Parse(json).RootElement.Clone();
    }
}

/// <summary>A trainer as jobs use it: how each compute starts it and what it accepts.</summary>
public sealed record TrainerDefinition(
    string Name,
    string? Description,
    LocalTrainerOptions? Local,
    ContainerTrainerOptions? Container,
    IReadOnlyList<string> DatasetFormats,
    IReadOnlyList<string> Methods,
    IReadOnlyDictionary<string, HyperparameterSpec> Hyperparameters);

/// <summary>What a job's request resolves to against its trainer: every hyperparameter with its value.</summary>
public sealed record TrainerChoice(TrainerDefinition Trainer, string Method, Dictionary<string, JsonElement> Hyperparameters);

/// <summary>
/// The trainers jobs may use (<c>Training:Trainers</c>, validated at start), and the checks a job's
/// request must pass against its trainer before anything is created: the dataset's format, the
/// method, and each hyperparameter (known, of its type, within its bounds), each refusal naming its field.
/// </summary>
public sealed class TrainerCatalog
{
    private readonly Dictionary<string, TrainerDefinition> _trainers;

    public TrainerCatalog(IOptions<TrainingOptions> options)
    {
        Options = options.Value;
        _trainers = Options.Trainers.ToDictionary(t => t.Key, t => Define(t.Key, t.Value), StringComparer.OrdinalIgnoreCase);
    }

    public TrainingOptions Options { get; }

    public IReadOnlyList<TrainerDefinition> All => [.. _trainers.Values.OrderBy(t => t.Name, StringComparer.Ordinal)];

    public TrainerDefinition? Find(string name) => _trainers.GetValueOrDefault(name);

    /// <summary>
    /// Resolves the trainer (default when null), the method (the trainer's first when null) and the
    /// hyperparameters (defaults filled in) and checks the dataset format; every problem is added to <paramref name="errors"/>.
    /// </summary>
    public TrainerChoice? Choose(string? trainerName, string? method, IReadOnlyDictionary<string, JsonElement>? hyperparameters, string? datasetFormat,
        ValidationErrors errors)
    {
        var name = trainerName ?? Options.DefaultTrainer;
        if (Find(name) is not { } trainer)
        {
            errors.Add("trainer", $"There is no trainer '{name}'; the hub has: {string.Join(", ", _trainers.Keys.Order(StringComparer.Ordinal))}.");
            return null;
        }
        var chosenMethod = method ?? trainer.Methods[0];
        if (!trainer.Methods.Contains(chosenMethod, StringComparer.Ordinal))
        {
            errors.Add("method", $"The trainer '{trainer.Name}' offers {string.Join(", ", trainer.Methods)}, not '{chosenMethod}'.");
        }
        if (datasetFormat is not null && !trainer.DatasetFormats.Contains(datasetFormat, StringComparer.Ordinal))
        {
            errors.Add("dataset", $"The trainer '{trainer.Name}' reads {string.Join(", ", trainer.DatasetFormats)} datasets; this dataset version is {datasetFormat}.");
        }
        var values = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var (key, value) in hyperparameters ?? new Dictionary<string, JsonElement>())
        {
            if (!trainer.Hyperparameters.TryGetValue(key, out var spec))
            {
                errors.Add($"hyperparameters.{key}",
                    $"The trainer '{trainer.Name}' does not take '{key}'; it takes {(trainer.Hyperparameters.Count == 0 ? "none" : string.Join(", ", trainer.Hyperparameters.Keys))}.");
                continue;
            }
            if (spec.Check(value) is { } problem)
            {
                errors.Add($"hyperparameters.{key}", problem);
                continue;
            }
            values[key] = value.Clone();
        }
        foreach (var spec in trainer.Hyperparameters.Values)
        {
            if (values.ContainsKey(spec.Name) || errors.ToDictionary().ContainsKey($"hyperparameters.{spec.Name}"))
            {
                continue;
            }
            if (spec.Default is { } fallback)
            {
                values[spec.Name] = fallback;
            }
            else
            {
                errors.Add($"hyperparameters.{spec.Name}", $"Is required by the trainer '{trainer.Name}' (it has no default).");
            }
        }
        return new TrainerChoice(trainer, chosenMethod, values);
    }

    private static TrainerDefinition Define(string name, TrainerOptions options) => new(
        name,
        options.Description,
        options.Local,
        options.Container,
        options.DatasetFormats,
        options.Methods,
        options.Hyperparameters.ToDictionary(h => h.Key,
            h => new HyperparameterSpec(h.Key, h.Value.Type, h.Value.Default is { } d ? HyperparameterSpec.ParseDefault(h.Value.Type, d) : null,
                h.Value.Min, h.Value.Max, h.Value.Values, h.Value.Description), StringComparer.Ordinal));
}
