using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using ModelsHub.Core.Common;
using ModelsHub.Core.Identity;
using ModelsHub.Contracts.AccessTokens;
using ModelsHub.Contracts;

namespace ModelsHub.Core.AccessTokens;

/// <summary>
/// Personal access tokens (the user center): created with a name, scopes and an optional expiry,
/// the secret shown once and kept only as its SHA-256 (the secret has 256 random bits, so a fast
/// hash is as safe as a slow one and costs nothing per request); listed without secrets; revoked.
/// </summary>
public sealed partial class AccessTokenService(IAccessTokenStore store, TimeProvider clock, ILogger<AccessTokenService> logger)
{
    /// <summary>Every token starts with this, so the server (and secret scanners) can tell one from a sign-in token.</summary>
    public const string Prefix = "mhp_";
    public const int MaxNameLength = 100;
    public const int MaxTokensPerUser = 50;
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromDays(366);

    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private const int SecretLength = 43; // 43 base62 characters ≈ 256 bits

    public static bool LooksLikeToken(string? value) => value is not null && value.StartsWith(Prefix, StringComparison.Ordinal);

    public static string HashOf(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    public async Task<CreatedAccessToken> CreateAsync(Caller caller, string? name, IReadOnlyList<TokenScope>? scopes, DateTimeOffset? expiresAt, CancellationToken cancellationToken)
    {
        var user = RequireSignedIn(caller);
        ModelAccess(caller);
        var now = clock.GetUtcNow();
        var errors = new ValidationErrors();
        name = name?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > MaxNameLength || name.Any(char.IsControl))
        {
            errors.Add("name", $"Is required: 1 to {MaxNameLength} printable characters.");
        }
        if (scopes is null || scopes.Count == 0)
        {
            errors.Add("scopes", "Name at least one scope: " + EnumNames<TokenScope>.Expected + ".");
        }
        if (expiresAt is { } at && (at <= now || at - now > MaxLifetime))
        {
            errors.Add("expiresAt", $"Must be in the future and at most {MaxLifetime.TotalDays:0} days away.");
        }
        errors.ThrowIfAny();
        var existing = await store.ListByUserAsync(user, cancellationToken);
        if (existing.Count >= MaxTokensPerUser)
        {
            throw new ConflictException($"You have {existing.Count} access tokens, the most a user keeps; revoke some first.");
        }
        var secret = Prefix + RandomNumberGenerator.GetString(Alphabet, SecretLength);
        var hash = HashOf(secret);
        var token = new AccessToken
        {
            Hash = hash,
            TokenId = "pat_" + hash[..16],
            UserId = user,
            Name = name!,
            Scopes = scopes!.Distinct().Order().ToList(),
            Preview = secret[..(Prefix.Length + 4)],
            CreatedAt = now,
            ExpiresAt = expiresAt,
        };
        var stored = await store.CreateAsync(token, cancellationToken);
        LogCreated(logger, token.TokenId, user, string.Join(',', token.Scopes));
        return new CreatedAccessToken(stored, secret);
    }

    public async Task<IReadOnlyList<AccessToken>> ListAsync(Caller caller, CancellationToken cancellationToken) =>
        await store.ListByUserAsync(RequireSignedIn(caller), cancellationToken);

    /// <summary>Revokes one of the caller's tokens; returns its hash (for caches to forget), or throws 404.</summary>
    public async Task<AccessToken> RevokeAsync(Caller caller, string id, CancellationToken cancellationToken)
    {
        var user = RequireSignedIn(caller);
        var token = (await store.ListByUserAsync(user, cancellationToken)).FirstOrDefault(t => string.Equals(t.TokenId, id, StringComparison.Ordinal))
            ?? throw new NotFoundException("Access token", id);
        await store.DeleteAsync(token.Hash, cancellationToken);
        LogRevoked(logger, token.TokenId, user);
        return token;
    }

    /// <summary>The live token for a presented secret, or null (unknown, malformed or expired).</summary>
    public async Task<AccessToken?> ValidateAsync(string presented, CancellationToken cancellationToken)
    {
        if (!LooksLikeToken(presented) || presented.Length != Prefix.Length + SecretLength)
        {
            return null;
        }
        var token = await store.FindByHashAsync(HashOf(presented), cancellationToken);
        return token is null || token.IsExpired(clock.GetUtcNow()) ? null : token;
    }

    private static string RequireSignedIn(Caller caller)
    {
        if (caller.AccessTokenId is not null)
        {
            // A token must not mint tokens: a read-only token could otherwise make itself a write token.
            throw new ForbiddenException("Access tokens are managed after signing in, not with an access token.");
        }
        return caller.UserId ?? throw new AuthenticationRequiredException();
    }

    private static void ModelAccess(Caller caller) =>
        Catalog.ModelAccess.Demand(caller, caller.Has(Permissions.ManageTokens) ? null : Permissions.ManageTokens, "create access tokens");

    [LoggerMessage(Level = LogLevel.Information, Message = "Access token {TokenId} created by {User} with scopes {Scopes}")]
    private static partial void LogCreated(ILogger logger, string tokenId, string user, string scopes);

    [LoggerMessage(Level = LogLevel.Information, Message = "Access token {TokenId} of {User} revoked")]
    private static partial void LogRevoked(ILogger logger, string tokenId, string user);
}
