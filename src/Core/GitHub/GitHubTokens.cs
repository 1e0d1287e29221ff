using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModelsHub.Core.Common;
using ModelsHub.Core.Identity;

namespace ModelsHub.Core.GitHub;

/// <summary>What the API shows of a saved token: never the token itself.</summary>
public sealed record GitHubTokenSummary(string LastFour, string Login, IReadOnlyList<string> Scopes, DateTimeOffset ValidatedAt);

/// <summary>The user center's GitHub token: validated against GitHub, kept encrypted, used for the user's pull requests.</summary>
public sealed partial class GitHubTokens(IUserStore users, UserDirectory directory, IModelRepository repository, ISecretProtector protector,
    IOptions<GitHubOptions> options, TimeProvider clock, ILogger<GitHubTokens> logger)
{
    public const int MaxTokenLength = 1024;

    public async Task<GitHubTokenSummary?> GetAsync(Caller caller, CancellationToken cancellationToken)
    {
        var id = caller.UserId ?? throw new AuthenticationRequiredException();
        var saved = (await users.FindAsync(id, cancellationToken))?.GitHubToken;
        return saved is null ? null : Summarize(saved);
    }

    /// <summary>Validates the token with GitHub and saves it; a token GitHub rejects is a <see cref="ValidationException"/> and nothing is stored.</summary>
    public async Task<GitHubTokenSummary> SetAsync(Caller caller, TokenProfile profile, string? token, CancellationToken cancellationToken)
    {
        var id = caller.UserId ?? throw new AuthenticationRequiredException();
        token = token?.Trim();
        if (string.IsNullOrEmpty(token) || token.Length > MaxTokenLength || token.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            throw new ValidationException("token", $"Must be a GitHub token: 1 to {MaxTokenLength} characters without spaces.");
        }
        GitHubIdentity identity;
        try
        {
            identity = await repository.ValidateTokenAsync(token, cancellationToken);
        }
        catch (RepositoryAccessException ex) when (ex.TokenRejected)
        {
            throw new ValidationException("token", "GitHub rejected this token (401 Bad credentials); create a new one and try again.");
        }
        var saved = new SavedGitHubToken(protector.Protect(token), token[^Math.Min(4, token.Length)..], identity.Login, identity.Scopes, clock.GetUtcNow());
        await directory.GetOrCreateAsync(caller, profile, cancellationToken);
        await MutateAsync(id, u => u.GitHubToken = saved, cancellationToken);
        LogSaved(logger, id, identity.Login);
        return Summarize(saved);
    }

    public async Task ForgetAsync(Caller caller, CancellationToken cancellationToken)
    {
        var id = caller.UserId ?? throw new AuthenticationRequiredException();
        if ((await users.FindAsync(id, cancellationToken))?.GitHubToken is not null)
        {
            await MutateAsync(id, u => u.GitHubToken = null, cancellationToken);
        }
    }

    /// <summary>The token to act for <paramref name="userId"/>: theirs when saved (and still decryptable), else the hub's default, else null.</summary>
    public async Task<(string Token, string Source)?> ResolveAsync(string? userId, CancellationToken cancellationToken)
    {
        if (userId is not null && (await users.FindAsync(userId, cancellationToken))?.GitHubToken is { } saved)
        {
            if (protector.Unprotect(saved.Protected) is { } token)
            {
                return (token, "user:" + userId);
            }
            LogUndecryptable(logger, userId);
        }
        return string.IsNullOrEmpty(options.Value.DefaultToken) ? null : (options.Value.DefaultToken, "default");
    }

    private static GitHubTokenSummary Summarize(SavedGitHubToken saved) => new(saved.LastFour, saved.Login, saved.Scopes, saved.ValidatedAt);

    private async Task MutateAsync(string userId, Action<HubUser> change, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var current = await users.FindAsync(userId, cancellationToken) ?? throw new NotFoundException("User", userId);
            var next = current.Clone();
            change(next);
            next.UpdatedAt = clock.GetUtcNow();
            try
            {
                await users.ReplaceAsync(next, current.ETag!, cancellationToken);
                return;
            }
            catch (PreconditionFailedException) when (attempt < 5)
            {
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "User {User} saved a GitHub token of {Login}")]
    private static partial void LogSaved(ILogger logger, string user, string login);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The saved GitHub token of {User} cannot be decrypted (key ring changed); using the default token")]
    private static partial void LogUndecryptable(ILogger logger, string user);
}
