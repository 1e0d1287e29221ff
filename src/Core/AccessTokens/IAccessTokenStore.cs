namespace ModelsHub.Core.AccessTokens;

/// <summary>Where personal access tokens live, keyed by the hash of their secret.</summary>
public interface IAccessTokenStore
{
    /// <summary>Stores a new token; <see cref="Common.ConflictException"/> when the hash exists.</summary>
    Task<AccessToken> CreateAsync(AccessToken token, CancellationToken cancellationToken);

    /// <summary>The token whose secret hashes to <paramref name="hash"/>, or null.</summary>
    Task<AccessToken?> FindByHashAsync(string hash, CancellationToken cancellationToken);

    /// <summary>The user's tokens, newest first.</summary>
    Task<IReadOnlyList<AccessToken>> ListByUserAsync(string userId, CancellationToken cancellationToken);

    /// <summary>Deletes the token; deleting a missing one is not an error.</summary>
    Task DeleteAsync(string hash, CancellationToken cancellationToken);
}
