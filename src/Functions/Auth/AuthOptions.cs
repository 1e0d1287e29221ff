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

internal sealed class AuthOptionsValidator(IConfiguration configuration) : IValidateOptions<AuthOptions>
{
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
        }
        return failures.Count > 0 ? ValidateOptionsResult.Fail(failures) : ValidateOptionsResult.Success;
    }

    private static bool IsKey(string value)
    {
        var buffer = new byte[value.Length];
        return Convert.TryFromBase64String(value, buffer, out var written) && written >= 32;
    }
}
