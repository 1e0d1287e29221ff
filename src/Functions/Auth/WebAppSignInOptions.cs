using Microsoft.Extensions.Options;

namespace ModelsHub.Functions.Auth;

/// <summary>
/// How the web app signs people in with Entra ID (section <c>WebApp</c>): the public settings of its own
/// single-page-application registration, served to the browser by <c>GET /api/client-config</c>. The API's
/// own registration stays in <c>AzureAd</c>. Nothing here is a secret (an SPA has none).
/// </summary>
public sealed class WebAppSignInOptions
{
    public const string Section = "WebApp";

    /// <summary>The SPA registration's application (client) id. Without it the web app offers no sign-in under <c>Auth:Mode=Entra</c>.</summary>
    public string? ClientId { get; set; }

    /// <summary>The OpenID Connect authority; default <c>{AzureAd:Instance}{AzureAd:TenantId}/v2.0</c>.</summary>
    public string? Authority { get; set; }

    /// <summary>The scopes the app asks for to call the API; default <c>{AzureAd:Audience or api://{AzureAd:ClientId}}/access_as_user</c>.</summary>
    public List<string> Scopes { get; set; } = [];

    /// <summary>The configured scopes without blank entries.</summary>
    public IReadOnlyList<string> ConfiguredScopes => Scopes.Where(s => !string.IsNullOrWhiteSpace(s)).Select(s => s.Trim()).ToList();
}

internal sealed class WebAppSignInOptionsValidator : IValidateOptions<WebAppSignInOptions>
{
    public ValidateOptionsResult Validate(string? name, WebAppSignInOptions options)
    {
        var failures = new List<string>();
        if (!string.IsNullOrWhiteSpace(options.ClientId) && !Guid.TryParse(options.ClientId, out _))
        {
            failures.Add($"{WebAppSignInOptions.Section}:ClientId must be an application (client) id, a GUID (it is '{options.ClientId}').");
        }
        if (!string.IsNullOrWhiteSpace(options.Authority)
            && !(Uri.TryCreate(options.Authority, UriKind.Absolute, out var authority) && authority.Scheme == Uri.UriSchemeHttps))
        {
            failures.Add($"{WebAppSignInOptions.Section}:Authority must be an https URL (it is '{options.Authority}').");
        }
        for (var i = 0; i < options.Scopes.Count; i++)
        {
            // A blank entry is an unset one (the settings sample lists the key empty).
            if (!string.IsNullOrWhiteSpace(options.Scopes[i]) && options.Scopes[i].Trim().Any(char.IsWhiteSpace))
            {
                failures.Add($"{WebAppSignInOptions.Section}:Scopes:{i} must be one scope without spaces (it is '{options.Scopes[i]}').");
            }
        }
        return failures.Count > 0 ? ValidateOptionsResult.Fail(failures) : ValidateOptionsResult.Success;
    }
}
