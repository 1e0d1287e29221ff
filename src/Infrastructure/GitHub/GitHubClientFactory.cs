using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using ModelsHub.Core.GitHub;
using Octokit;

namespace ModelsHub.Infrastructure.GitHub;

/// <summary>
/// One Octokit client per token (and one anonymous), kept for the process's life: a client holds
/// its HTTP connection pool, so creating one per call would exhaust sockets under load.
/// </summary>
public sealed class GitHubClientFactory(IOptions<GitHubOptions> options)
{
    private static readonly ProductHeaderValue Product = new("ModelsHub");
    private readonly ConcurrentDictionary<string, GitHubClient> _clients = new(StringComparer.Ordinal);

    public IGitHubClient For(string? token) => _clients.GetOrAdd(token ?? "", Create);

    /// <summary>A client of its own, for calls whose response headers are read afterwards (no other call may interleave).</summary>
    public GitHubClient Fresh(string token) => Create(token);

    private GitHubClient Create(string token)
    {
        // Octokit appends api/v3/ to any address but api.github.com: GitHub Enterprise works as configured.
        var client = new GitHubClient(Product, new Uri(options.Value.ApiUrl));
        if (token.Length > 0)
        {
            client.Credentials = new Credentials(token);
        }
        return client;
    }
}
