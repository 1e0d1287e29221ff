using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using ModelsHub.Infrastructure.AzureProfile;

namespace ModelsHub.Infrastructure.BlobStorage;

/// <summary>Settings of the Blob Storage adapter (section <c>Storage:Azure:Blobs</c>).</summary>
public sealed class BlobStorageOptions
{
    public const string Section = "Storage:Azure:Blobs";

    /// <summary><c>https://&lt;account&gt;.blob.core.windows.net</c>; the managed identity signs in.</summary>
    public string? ServiceUri { get; set; }

    /// <summary>Emulators only: <c>UseDevelopmentStorage=true</c> or Azurite's full connection string.</summary>
    public string? ConnectionString { get; set; }

    public string ContainerName { get; set; } = "models";
}

internal sealed partial class BlobStorageOptionsValidator : IValidateOptions<BlobStorageOptions>
{
    // Container names: 3-63 lowercase letters, digits and single hyphens, starting with a letter or digit.
    [GeneratedRegex("^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$")]
    private static partial Regex ContainerNamePattern();

    public ValidateOptionsResult Validate(string? name, BlobStorageOptions options)
    {
        var problems = new List<string>();
        if (AzureEndpoints.Validate(BlobStorageOptions.Section, nameof(BlobStorageOptions.ServiceUri), options.ServiceUri, options.ConnectionString, "BlobEndpoint") is { } endpoint)
        {
            problems.Add(endpoint);
        }
        if (options.ContainerName is null || !ContainerNamePattern().IsMatch(options.ContainerName))
        {
            problems.Add($"{BlobStorageOptions.Section}:ContainerName is '{options.ContainerName}'; expected 3 to 63 lowercase letters, digits and single hyphens.");
        }
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
