using Microsoft.Extensions.Options;

namespace ModelsHub.Functions.Hosting;

/// <summary>Request limits of the HTTP API (section <c>Api</c>).</summary>
public sealed class ApiOptions
{
    public const string Section = "Api";

    /// <summary>Largest JSON body most endpoints accept (413 above it).</summary>
    public long MaxRequestBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>Largest body of the upstream import (the llm file alone is ~1.4 MB).</summary>
    public long MaxImportBodyBytes { get; set; } = 64 * 1024 * 1024;
}

internal sealed class ApiOptionsValidator : IValidateOptions<ApiOptions>
{
    public ValidateOptionsResult Validate(string? name, ApiOptions options)
    {
        var failures = new List<string>();
        if (options.MaxRequestBodyBytes is < 1024 or > 1L << 30)
        {
            failures.Add($"{ApiOptions.Section}:MaxRequestBodyBytes must be between 1024 and 1073741824 (it is {options.MaxRequestBodyBytes}).");
        }
        if (options.MaxImportBodyBytes < options.MaxRequestBodyBytes)
        {
            failures.Add($"{ApiOptions.Section}:MaxImportBodyBytes must be at least {ApiOptions.Section}:MaxRequestBodyBytes.");
        }
        return failures.Count > 0 ? ValidateOptionsResult.Fail(failures) : ValidateOptionsResult.Success;
    }
}
