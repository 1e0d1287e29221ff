using Microsoft.Extensions.Options;

namespace ModelsHub.Infrastructure.AiProviders;

/// <summary>How the hub calls API providers (section <c>AiProviders</c>).</summary>
public sealed class AiProviderOptions
{
    public const string Section = "AiProviders";

    /// <summary>
    /// How long a call may wait for the provider: a whole non-streamed call, and for a stream each wait
    /// for its next update (a stream that keeps producing may run longer). Past it the call fails as
    /// <c>timeout</c>.
    /// </summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(100);

    /// <summary>Anthropic requires <c>max_tokens</c>; this is sent when the caller gives none.</summary>
    public int AnthropicDefaultMaxTokens { get; set; } = 1024;

    /// <summary>At most this many provider clients (one per model, endpoint and key) are kept for reuse.</summary>
    public int MaxCachedClients { get; set; } = 1_000;
}

internal sealed class AiProviderOptionsValidator : IValidateOptions<AiProviderOptions>
{
    public ValidateOptionsResult Validate(string? name, AiProviderOptions options)
    {
        var failures = new List<string>();
        if (options.Timeout <= TimeSpan.Zero || options.Timeout > TimeSpan.FromMinutes(30))
        {
            failures.Add($"{AiProviderOptions.Section}:Timeout must be more than 0 and at most 00:30:00.");
        }
        if (options.AnthropicDefaultMaxTokens is < 1 or > 1_000_000)
        {
            failures.Add($"{AiProviderOptions.Section}:AnthropicDefaultMaxTokens must be between 1 and 1000000.");
        }
        if (options.MaxCachedClients is < 1 or > 100_000)
        {
            failures.Add($"{AiProviderOptions.Section}:MaxCachedClients must be between 1 and 100000.");
        }
        return failures.Count > 0 ? ValidateOptionsResult.Fail(failures) : ValidateOptionsResult.Success;
    }
}
