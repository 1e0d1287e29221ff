using Microsoft.Extensions.Options;

namespace ModelsHub.Functions.Auth;

public enum AuthMode { Development, Entra }

/// <summary>Sign-in settings (section <c>Auth</c>); Entra settings live in <c>AzureAd</c> as Microsoft.Identity.Web expects.</summary>
public sealed class AuthOptions
{
    public const string Section = "Auth";

    public AuthMode Mode { get; set; } = AuthMode.Development;

    public DevelopmentAuthOptions Development { get; set; } = new();
}

public sealed class DevelopmentAuthOptions
{
    /// <summary>Base64 HMAC key (at least 32 bytes). When empty a key is generated and kept in <see cref="SigningKeyFile"/>.</summary>
    public string? SigningKey { get; set; }

    public string SigningKeyFile { get; set; } = ".data/dev-signing-key";

    public string Issuer { get; set; } = "https://modelshub.local/dev";

    public string Audience { get; set; } = "modelshub-api";

    public int TokenLifetimeMinutes { get; set; } = 480;
}

internal sealed partial class AuthOptionsValidator(IConfiguration configuration) : IValidateOptions<AuthOptions>
{
    [System.Text.RegularExpressions.GeneratedRegex(@"^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}|common|organizations|consumers)$")]
    private static partial System.Text.RegularExpressions.Regex TenantPattern();

    public ValidateOptionsResult Validate(string? name, AuthOptions options)
    {
        var failures = new List<string>();
        if (!Enum.IsDefined(options.Mode))
        {
            failures.Add($"{AuthOptions.Section}:Mode must be Development or Entra.");
        }
        if (options.Mode == AuthMode.Development)
        {
            var dev = options.Development;
            if (!string.IsNullOrEmpty(dev.SigningKey) && !IsKey(dev.SigningKey))
            {
                failures.Add($"{AuthOptions.Section}:Development:SigningKey must be base64 of at least 32 bytes.");
            }
            if (dev.TokenLifetimeMinutes is < 1 or > 7 * 24 * 60)
            {
                failures.Add($"{AuthOptions.Section}:Development:TokenLifetimeMinutes must be between 1 and 10080.");
            }
            if (string.IsNullOrWhiteSpace(dev.Issuer) || string.IsNullOrWhiteSpace(dev.Audience))
            {
                failures.Add($"{AuthOptions.Section}:Development:Issuer and Audience must be set.");
            }
        }
        else
        {
            foreach (var key in new[] { "AzureAd:Instance", "AzureAd:TenantId", "AzureAd:ClientId" })
            {
                if (string.IsNullOrWhiteSpace(configuration[key]))
                {
                    failures.Add($"{key} is required when {AuthOptions.Section}:Mode is Entra.");
                }
            }
            // Settings that pass the check above but can never work: every request would fail (500) instead of the start.
            if (configuration["AzureAd:Instance"] is { Length: > 0 } instance
                && !(Uri.TryCreate(instance, UriKind.Absolute, out var authority) && authority.Scheme == Uri.UriSchemeHttps
                     && string.IsNullOrEmpty(authority.Query) && string.IsNullOrEmpty(authority.Fragment) && string.IsNullOrEmpty(authority.UserInfo)))
            {
                failures.Add($"AzureAd:Instance must be the sign-in authority's https address, such as https://login.microsoftonline.com/ (it is '{instance}'); the tokens' signing keys are only fetched over https.");
            }
            if (configuration["AzureAd:TenantId"] is { Length: > 0 } tenant && !TenantPattern().IsMatch(tenant))
            {
                failures.Add($"AzureAd:TenantId must be the directory (tenant) id, a GUID, or its domain such as contoso.onmicrosoft.com (it is '{tenant}').");
            }
            if (configuration["AzureAd:ClientId"] is { Length: > 0 } clientId && clientId.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
            {
                failures.Add($"AzureAd:ClientId must be the API's application (client) id, without spaces (it is '{clientId}').");
            }
            if (configuration["AzureAd:Audience"] is { Length: > 0 } audience && !Guid.TryParse(audience, out _)
                && !(Uri.TryCreate(audience, UriKind.Absolute, out var audienceUri) && !audience.Any(char.IsWhiteSpace) && audienceUri.Scheme is "api" or "https"))
            {
                failures.Add($"AzureAd:Audience must be the API's Application ID URI (api://… or https://…) or its client id (it is '{audience}').");
            }
        }
        return failures.Count > 0 ? ValidateOptionsResult.Fail(failures) : ValidateOptionsResult.Success;
    }

    private static bool IsKey(string value)
    {
        var buffer = new byte[value.Length];
        return Convert.TryFromBase64String(value, buffer, out var written) && written >= 32;
    }
}
