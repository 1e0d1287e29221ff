using System.Globalization;
using Microsoft.Extensions.Options;

namespace ModelsHub.Core.Training;

/// <summary>
/// Checks <c>Training</c> at start (a wrong setting stops the hub with its path): the defaults name a
/// trainer and a compute that exist, each trainer says how to start it and what it accepts, and each
/// hyperparameter's type, bounds and default agree.
/// </summary>
public sealed class TrainingOptionsValidator(IEnumerable<string> computes) : IValidateOptions<TrainingOptions>
{
    private readonly IReadOnlyList<string> _computes = [.. computes];

    public ValidateOptionsResult Validate(string? name, TrainingOptions options)
    {
        var errors = new List<string>();
        var s = TrainingOptions.Section;
        if (!options.Trainers.ContainsKey(options.DefaultTrainer))
        {
            errors.Add($"{s}:DefaultTrainer is '{options.DefaultTrainer}', but {s}:Trainers has no such trainer ({string.Join(", ", options.Trainers.Keys)}).");
        }
        if (!_computes.Contains(options.DefaultCompute, StringComparer.Ordinal))
        {
            errors.Add($"{s}:DefaultCompute is '{options.DefaultCompute}'; expected one of: {string.Join(", ", _computes)}.");
        }
        if (options.Timeout <= TimeSpan.Zero)
        {
            errors.Add($"{s}:Timeout must be positive (a time span such as 06:00:00).");
        }
        if (options.MonitorInterval <= TimeSpan.Zero || options.MonitorInterval > TimeSpan.FromMinutes(10))
        {
            errors.Add($"{s}:MonitorInterval must be between 0 and 00:10:00.");
        }
        if (options.InputLinkLifetime < TimeSpan.FromMinutes(1))
        {
            errors.Add($"{s}:InputLinkLifetime must be at least 00:01:00.");
        }
        if (options.HubUrl is { Length: > 0 } hub && (!Uri.TryCreate(hub, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
        {
            errors.Add($"{s}:HubUrl must be an absolute http(s) URL (it is '{hub}').");
        }
        foreach (var (trainerName, trainer) in options.Trainers)
        {
            var path = $"{s}:Trainers:{trainerName}";
            if (!IsName(trainerName))
            {
                errors.Add($"{path}: a trainer's name uses lowercase letters, digits and '-' (at most 40).");
            }
            if (trainer.Local is null && trainer.Container is null && !trainer.IsBuiltIn)
            {
                errors.Add($"{path} needs Local:Command (a process on the hub's machine) or Container:Image (a Kubernetes pod), or both.");
            }
            if (trainer.Local is { } local && string.IsNullOrWhiteSpace(local.Command))
            {
                errors.Add($"{path}:Local:Command is empty.");
            }
            if (trainer.Container is { } container && string.IsNullOrWhiteSpace(container.Image))
            {
                errors.Add($"{path}:Container:Image is empty.");
            }
            if (trainer.Container?.Gpus is < 0)
            {
                errors.Add($"{path}:Container:Gpus must not be negative.");
            }
            if (trainer.DatasetFormats.Count == 0)
            {
                errors.Add($"{path}:DatasetFormats lists no format.");
            }
            if (trainer.Methods.Count == 0 || trainer.Methods.Any(m => !IsName(m)))
            {
                errors.Add($"{path}:Methods must list at least one method (lowercase words such as full, lora).");
            }
            foreach (var (parameter, spec) in trainer.Hyperparameters)
            {
                var at = $"{path}:Hyperparameters:{parameter}";
                if (!HyperparameterSpec.Types.Contains(spec.Type, StringComparer.Ordinal))
                {
                    errors.Add($"{at}:Type is '{spec.Type}'; expected one of: {string.Join(", ", HyperparameterSpec.Types)}.");
                    continue;
                }
                if (spec.Min is { } min && spec.Max is { } max && min > max)
                {
                    errors.Add($"{at}: Min ({min.ToString(CultureInfo.InvariantCulture)}) is above Max ({max.ToString(CultureInfo.InvariantCulture)}).");
                }
                if (spec.Default is { } text)
                {
                    var value = HyperparameterSpec.ParseDefault(spec.Type, text);
                    var definition = new HyperparameterSpec(parameter, spec.Type, value, spec.Min, spec.Max, spec.Values, null);
                    if (value is null || definition.Check(value.Value) is not null)
                    {
                        errors.Add($"{at}:Default '{text}' is not a valid {spec.Type}{(value is { } v && definition.Check(v) is { } why ? " (" + why.TrimEnd('.') + ")" : "")}.");
                    }
                }
            }
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static bool IsName(string value) =>
        value.Length is > 0 and <= 40 && value.All(c => c is >= 'a' and <= 'z' or >= '0' and <= '9' or '-') && char.IsAsciiLetterOrDigit(value[0]);
}
