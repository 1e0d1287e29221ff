using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ModelsHub.Core.GitHub;

namespace ModelsHub.Infrastructure.GitHub;

/// <summary>The GitHub adapter: the same for both storage profiles (github.com or GitHub Enterprise by <c>GitHub:ApiUrl</c>).</summary>
public static class GitHubServiceExtensions
{
    public static IServiceCollection AddHubGitHub(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<GitHubOptions>().Bind(configuration.GetSection(GitHubOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<GitHubOptions>, GitHubOptionsValidator>();
        services.AddSingleton<IPostConfigureOptions<GitHubOptions>, UnresolvedKeyVaultReference>();
        services.AddOptions<HubOptions>().Bind(configuration.GetSection(HubOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<HubOptions>, HubOptionsValidator>();
        services.AddSingleton<GitHubClientFactory>();
        services.AddSingleton<IModelRepository, OctokitModelRepository>();
        return services;
    }
}

internal sealed class GitHubOptionsValidator : IValidateOptions<GitHubOptions>
{
    public ValidateOptionsResult Validate(string? name, GitHubOptions options)
    {
        var failures = new List<string>();
        if (!Uri.TryCreate(options.ApiUrl, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            failures.Add($"{GitHubOptions.Section}:ApiUrl must be an absolute http(s) address such as https://api.github.com/ (it is '{options.ApiUrl}').");
        }
        if (!RepositoryName.TryParse(options.Repository, out _))
        {
            failures.Add($"{GitHubOptions.Section}:Repository must be owner/name, such as xorbitsai/inference (it is '{options.Repository}').");
        }
        if (string.IsNullOrWhiteSpace(options.BaseBranch) || options.BaseBranch.Any(char.IsWhiteSpace))
        {
            failures.Add($"{GitHubOptions.Section}:BaseBranch must name a branch, such as main.");
        }
        if (!string.IsNullOrEmpty(options.WebhookSecret) && (options.WebhookSecret.Trim().Length < GitHubOptions.MinWebhookSecretLength || options.WebhookSecret.Trim() != options.WebhookSecret))
        {
            failures.Add($"{GitHubOptions.Section}:WebhookSecret must be at least {GitHubOptions.MinWebhookSecretLength} characters without surrounding spaces (the secret set on the repository's webhook), or empty.");
        }
        return failures.Count > 0 ? ValidateOptionsResult.Fail(failures) : ValidateOptionsResult.Success;
    }
}

internal sealed class HubOptionsValidator : IValidateOptions<HubOptions>
{
    public ValidateOptionsResult Validate(string? name, HubOptions options) =>
        Uri.TryCreate(options.PublicBaseUrl, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"{HubOptions.Section}:PublicBaseUrl must be the hub's absolute http(s) address (it is '{options.PublicBaseUrl}').");
}
