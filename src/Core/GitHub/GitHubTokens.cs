using Microsoft.Extensions.Options;
using ModelsHub.Core.Common;
using ModelsHub.Core.Identity;

namespace ModelsHub.Core.GitHub;

/// <summary>The user center's GitHub token (one <see cref="IUserTokenKind"/> of <see cref="UserTokens"/>): validated against GitHub, used for the user's pull requests.</summary>
public sealed class GitHubTokens(UserTokens tokens, IModelRepository repository, IOptions<GitHubOptions> options) : IUserTokenKind
{
    public string Service => "GitHub";

    public SavedToken? Read(HubUser user) => user.GitHubToken;

    public void Write(HubUser user, SavedToken? token) => user.GitHubToken = token;

    public async Task<TokenIdentity> ValidateAsync(string token, CancellationToken cancellationToken)
    {
        try
        {
            var identity = await repository.ValidateTokenAsync(token, cancellationToken);
            return new TokenIdentity(identity.Login, identity.Scopes);
        }
        catch (RepositoryAccessException ex) when (ex.TokenRejected)
        {
            throw new ValidationException("token", "GitHub rejected this token (401 Bad credentials); create a new one and try again.");
        }
    }

    public Task<SavedTokenSummary?> GetAsync(Caller caller, CancellationToken cancellationToken) => tokens.GetAsync(caller, this, cancellationToken);

    public Task<SavedTokenSummary> SetAsync(Caller caller, TokenProfile profile, string? token, CancellationToken cancellationToken) =>
        tokens.SetAsync(caller, profile, this, token, cancellationToken);

    public Task ForgetAsync(Caller caller, CancellationToken cancellationToken) => tokens.ForgetAsync(caller, this, cancellationToken);

    /// <summary>The token to act for <paramref name="userId"/>: theirs when saved (and still decryptable), else the hub's default, else null.</summary>
    public async Task<(string Token, string Source)?> ResolveAsync(string? userId, CancellationToken cancellationToken)
    {
        if (userId is not null && await tokens.RevealAsync(userId, this, cancellationToken) is { } token)
        {
            return (token, "user:" + userId);
        }
        return string.IsNullOrEmpty(options.Value.DefaultToken) ? null : (options.Value.DefaultToken, "default");
    }
}
