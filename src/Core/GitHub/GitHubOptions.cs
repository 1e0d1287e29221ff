namespace ModelsHub.Core.GitHub;

/// <summary>The model repository and the hub's default token (section <c>GitHub</c>).</summary>
public sealed class GitHubOptions
{
    public const string Section = "GitHub";

    /// <summary>The REST API root: <c>https://api.github.com/</c>, or a GitHub Enterprise server's address.</summary>
    public string ApiUrl { get; set; } = "https://api.github.com/";

    /// <summary>Where pull requests go, <c>owner/name</c>.</summary>
    public string Repository { get; set; } = "xorbitsai/inference";

    public string BaseBranch { get; set; } = "main";

    /// <summary>Used for pull requests when the submitter saved no token of their own (a Key Vault reference in production).</summary>
    public string? DefaultToken { get; set; }

    /// <summary>
    /// The secret of the model repository's webhook (<c>pull_request</c> events to <c>/api/github/webhook</c>):
    /// GitHub signs each delivery with it (<c>X-Hub-Signature-256</c>). Unset: the route refuses every delivery
    /// and merged pull requests are found by the sync's polling alone. A Key Vault reference in production.
    /// </summary>
    public string? WebhookSecret { get; set; }

    public const int MinWebhookSecretLength = 16;

    public RepositoryName Target => RepositoryName.TryParse(Repository, out var name) ? name : throw new InvalidOperationException($"{Section}:Repository is not owner/name.");
}

/// <summary>Where the hub is reachable (section <c>Hub</c>), for links in pull request bodies.</summary>
public sealed class HubOptions
{
    public const string Section = "Hub";

    public string PublicBaseUrl { get; set; } = "http://localhost:7071";
}
