using Microsoft.Extensions.Options;
using ModelsHub.Infrastructure.AzureProfile;

namespace ModelsHub.Infrastructure.Cosmos;

/// <summary>Settings of the Cosmos DB (NoSQL API) adapters (section <c>Storage:Azure:Cosmos</c>).</summary>
public sealed class CosmosOptions
{
    public const string Section = "Storage:Azure:Cosmos";

    /// <summary><c>https://&lt;account&gt;.documents.azure.com:443/</c>; the managed identity signs in.</summary>
    public string? AccountEndpoint { get; set; }

    /// <summary>Emulators only: <c>AccountEndpoint=http://127.0.0.1:8082/;AccountKey=&lt;the emulator's published key&gt;</c>.</summary>
    public string? ConnectionString { get; set; }

    public string DatabaseName { get; set; } = "modelshub";

    /// <summary>
    /// How long the SDK keeps retrying throttled (429) requests before the hub answers 503 with
    /// Retry-After. Short, because a caller waiting on an HTTP request is behind it.
    /// </summary>
    public TimeSpan MaxRetryWaitOnThrottling { get; set; } = TimeSpan.FromSeconds(5);

    internal bool IsEmulator => !string.IsNullOrWhiteSpace(ConnectionString);
}

internal sealed class CosmosOptionsValidator : IValidateOptions<CosmosOptions>
{
    public ValidateOptionsResult Validate(string? name, CosmosOptions options)
    {
        var problems = new List<string>();
        if (AzureEndpoints.Validate(CosmosOptions.Section, nameof(CosmosOptions.AccountEndpoint), options.AccountEndpoint, options.ConnectionString, "AccountEndpoint") is { } endpoint)
        {
            problems.Add(endpoint);
        }
        // Cosmos database ids may not contain these, nor end with a space.
        if (string.IsNullOrWhiteSpace(options.DatabaseName) || options.DatabaseName.Length > 255
            || options.DatabaseName.IndexOfAny(['/', '\\', '?', '#']) >= 0 || options.DatabaseName.EndsWith(' '))
        {
            problems.Add($"{CosmosOptions.Section}:DatabaseName is '{options.DatabaseName}'; expected 1 to 255 characters without / \\ ? #.");
        }
        if (options.MaxRetryWaitOnThrottling < TimeSpan.Zero || options.MaxRetryWaitOnThrottling > TimeSpan.FromMinutes(1))
        {
            problems.Add($"{CosmosOptions.Section}:MaxRetryWaitOnThrottling must be between 00:00:00 and 00:01:00.");
        }
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
