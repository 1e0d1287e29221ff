using Microsoft.Extensions.Options;

namespace ModelsHub.Functions.Hosting;

/// <summary>
/// Browser origins allowed to call the API (section <c>Cors</c>): the static web frontend's address and its
/// custom domains. None configured (the default) means no CORS: only same-origin browsers and non-browser
/// clients, which CORS never concerns.
/// </summary>
public sealed class HubCorsOptions
{
    public const string Section = "Cors";

    /// <summary>Origins, <c>scheme://host[:port]</c>, exactly as browsers send them in <c>Origin</c>.</summary>
    public List<string> AllowedOrigins { get; set; } = [];

    /// <summary>How long a browser may reuse a preflight answer.</summary>
    public TimeSpan PreflightMaxAge { get; set; } = TimeSpan.FromHours(1);
}

internal sealed class HubCorsOptionsValidator : IValidateOptions<HubCorsOptions>
{
    public ValidateOptionsResult Validate(string? name, HubCorsOptions options)
    {
        var failures = new List<string>();
        for (var i = 0; i < options.AllowedOrigins.Count; i++)
        {
            if (!IsOrigin(options.AllowedOrigins[i]))
            {
                failures.Add($"{HubCorsOptions.Section}:AllowedOrigins:{i} must be an origin: http(s)://host[:port], without path, '*' or wildcard (it is '{options.AllowedOrigins[i]}').");
            }
        }
        if (options.PreflightMaxAge < TimeSpan.Zero || options.PreflightMaxAge > TimeSpan.FromDays(1))
        {
            failures.Add($"{HubCorsOptions.Section}:PreflightMaxAge must be between 00:00:00 and 1.00:00:00 (it is {options.PreflightMaxAge}).");
        }
        return failures.Count > 0 ? ValidateOptionsResult.Fail(failures) : ValidateOptionsResult.Success;
    }

    /// <summary>What a browser puts in <c>Origin</c>: scheme and authority only, so the comparison is exact.</summary>
    private static bool IsOrigin(string? value) =>
        !string.IsNullOrWhiteSpace(value)
        && !value.Contains('*', StringComparison.Ordinal)
        && Uri.TryCreate(value, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
        && string.IsNullOrEmpty(uri.UserInfo)
        && string.Equals(value, uri.GetLeftPart(UriPartial.Authority), StringComparison.OrdinalIgnoreCase);
}
