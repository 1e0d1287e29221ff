using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ModelsHub.Core.GitHub;

/// <summary>
/// In Azure, <c>GitHub:DefaultToken</c> is a Key Vault reference (<c>@Microsoft.KeyVault(SecretUri=…)</c>) that
/// App Service swaps for the secret. When it cannot (the secret was never set, or the identity may not read it)
/// the app receives the reference text itself; sent as a token, every GitHub call would fail with 401. Such a
/// value means "no default token", the documented path (anonymous reads, pull requests only with the
/// submitter's own token), with one warning that says what to fix.
/// </summary>
public sealed partial class UnresolvedKeyVaultReference(ILogger<UnresolvedKeyVaultReference> logger) : IPostConfigureOptions<GitHubOptions>
{
    private const string Prefix = "@Microsoft.KeyVault(";

    private int _warned;

    /// <summary>Whether <paramref name="value"/> is a Key Vault reference App Service did not resolve.</summary>
    public static bool Matches(string? value) =>
        value is not null && value.TrimStart().StartsWith(Prefix, StringComparison.OrdinalIgnoreCase);

    private int _warnedWebhook;

    public void PostConfigure(string? name, GitHubOptions options)
    {
        if (Matches(options.DefaultToken))
        {
            options.DefaultToken = null;
            // IOptions and IOptionsMonitor each build their own instance: say it once per process.
            if (Interlocked.Exchange(ref _warned, 1) == 0)
            {
                LogUnresolved(logger, GitHubOptions.Section + ":DefaultToken");
            }
        }
        if (Matches(options.WebhookSecret))
        {
            // Without the secret no delivery can be verified: the receiver refuses them all, the sync still polls.
            options.WebhookSecret = null;
            if (Interlocked.Exchange(ref _warnedWebhook, 1) == 0)
            {
                LogUnresolved(logger, GitHubOptions.Section + ":WebhookSecret");
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "{Setting} is a Key Vault reference the platform did not resolve (the secret does not exist or the app's identity cannot read it); running without it")]
    private static partial void LogUnresolved(ILogger logger, string setting);
}
