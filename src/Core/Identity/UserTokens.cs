using Microsoft.Extensions.Logging;
using ModelsHub.Core.Common;
using ModelsHub.Core.GitHub;

namespace ModelsHub.Core.Identity;

/// <summary>A user's token for an outside service at rest: the ciphertext (<see cref="ISecretProtector"/>) and what may be shown about it.</summary>
public sealed record SavedToken(string Protected, string LastFour, string Login, IReadOnlyList<string> Scopes, DateTimeOffset ValidatedAt);

/// <summary>What the API shows of a saved token: never the token itself.</summary>
public sealed record SavedTokenSummary(string LastFour, string Login, IReadOnlyList<string> Scopes, DateTimeOffset ValidatedAt);

/// <summary>Who a token belongs to, as its service says: the account name and what the token may do.</summary>
public sealed record TokenIdentity(string Login, IReadOnlyList<string> Scopes);

/// <summary>
/// One kind of token users keep in the user center (GitHub for pull requests, Hugging Face for
/// gated and private repositories): where it lives on the user, and how its service validates it.
/// </summary>
public interface IUserTokenKind
{
    /// <summary>The service's name, for messages ("GitHub").</summary>
    string Service { get; }

    SavedToken? Read(HubUser user);

    void Write(HubUser user, SavedToken? token);

    /// <summary>Asks the service who the token belongs to; a token it refuses is a <see cref="ValidationException"/> on <c>token</c>.</summary>
    Task<TokenIdentity> ValidateAsync(string token, CancellationToken cancellationToken);
}

/// <summary>
/// Saving, showing, forgetting and using users' tokens for outside services, whatever the service:
/// validated with the service before they are kept, encrypted at rest with the same
/// <see cref="ISecretProtector"/>, shown only as their last four characters, account and scopes.
/// </summary>
public sealed partial class UserTokens(IUserStore users, UserDirectory directory, ISecretProtector protector, TimeProvider clock, ILogger<UserTokens> logger)
{
    public const int MaxTokenLength = 1024;

    public async Task<SavedTokenSummary?> GetAsync(Caller caller, IUserTokenKind kind, CancellationToken cancellationToken)
    {
        var id = caller.UserId ?? throw new AuthenticationRequiredException();
        var user = await users.FindAsync(id, cancellationToken);
        return user is not null && kind.Read(user) is { } saved ? Summarize(saved) : null;
    }

    /// <summary>Validates the token with its service and saves it; a token the service rejects is a <see cref="ValidationException"/> and nothing is stored.</summary>
    public async Task<SavedTokenSummary> SetAsync(Caller caller, TokenProfile profile, IUserTokenKind kind, string? token, CancellationToken cancellationToken)
    {
        var id = caller.UserId ?? throw new AuthenticationRequiredException();
        token = token?.Trim();
        if (string.IsNullOrEmpty(token) || token.Length > MaxTokenLength || token.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            throw new ValidationException("token", $"Must be a {kind.Service} token: 1 to {MaxTokenLength} characters without spaces.");
        }
        var identity = await kind.ValidateAsync(token, cancellationToken);
        var saved = new SavedToken(protector.Protect(token), token[^Math.Min(4, token.Length)..], identity.Login, identity.Scopes, clock.GetUtcNow());
        await directory.GetOrCreateAsync(caller, profile, cancellationToken);
        await directory.MutateAsync(id, u => kind.Write(u, saved), cancellationToken);
        LogSaved(logger, id, kind.Service, identity.Login);
        return Summarize(saved);
    }

    public async Task ForgetAsync(Caller caller, IUserTokenKind kind, CancellationToken cancellationToken)
    {
        var id = caller.UserId ?? throw new AuthenticationRequiredException();
        if (await users.FindAsync(id, cancellationToken) is { } user && kind.Read(user) is not null)
        {
            await directory.MutateAsync(id, u => kind.Write(u, null), cancellationToken);
        }
    }

    /// <summary>The user's token in clear, to act for them; null when none is saved or it can no longer be decrypted (key ring lost).</summary>
    public async Task<string?> RevealAsync(string userId, IUserTokenKind kind, CancellationToken cancellationToken)
    {
        if (await users.FindAsync(userId, cancellationToken) is not { } user || kind.Read(user) is not { } saved)
        {
            return null;
        }
        if (protector.Unprotect(saved.Protected) is { } token)
        {
            return token;
        }
        LogUndecryptable(logger, userId, kind.Service);
        return null;
    }

    private static SavedTokenSummary Summarize(SavedToken saved) => new(saved.LastFour, saved.Login, saved.Scopes, saved.ValidatedAt);

    [LoggerMessage(Level = LogLevel.Information, Message = "User {User} saved a {Service} token of {Login}")]
    private static partial void LogSaved(ILogger logger, string user, string service, string login);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The saved {Service} token of {User} cannot be decrypted (key ring changed); acting without it")]
    private static partial void LogUndecryptable(ILogger logger, string user, string service);
}
