using Microsoft.Extensions.Options;

namespace ModelsHub.Infrastructure.AzureProfile;

/// <summary>Settings shared by the Azure profile's adapters (section <c>Storage:Azure</c>).</summary>
public sealed class AzureStorageOptions
{
    public const string Section = "Storage:Azure";

    /// <summary>Client id of the app's user-assigned managed identity; empty for a system-assigned identity or a developer sign-in.</summary>
    public string? ManagedIdentityClientId { get; set; }

    /// <summary>
    /// Create the Cosmos database and containers, the blob container and the queues at start when
    /// they are missing. Only for emulators: in Azure, Bicep creates them and the app's identity
    /// holds data-plane roles only.
    /// </summary>
    public bool CreateIfMissing { get; set; }
}

internal sealed class AzureStorageOptionsValidator : IValidateOptions<AzureStorageOptions>
{
    public ValidateOptionsResult Validate(string? name, AzureStorageOptions options) =>
        options.ManagedIdentityClientId is { Length: > 0 } id && !Guid.TryParse(id, out _)
            ? ValidateOptionsResult.Fail($"{AzureStorageOptions.Section}:ManagedIdentityClientId is '{id}'; expected the identity's client id (a GUID).")
            : ValidateOptionsResult.Success;
}
