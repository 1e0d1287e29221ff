using System.Text.Json.Serialization;
using ModelsHub.Contracts.AccessTokens;
using ModelsHub.Core.Common;

namespace ModelsHub.Core.AccessTokens;

/// <summary>
/// A personal access token at rest: the SHA-256 of the secret (never the secret), its owner, name,
/// scopes and lifetime. <see cref="Hash"/> is the document's key, so a request's token is one point read.
/// </summary>
public sealed class AccessToken : IStoredDocument<AccessToken>
{
    /// <summary>The hex SHA-256 of the whole token text: the document's key (<c>id</c>).</summary>
    [JsonPropertyName("id")]
    public required string Hash { get; init; }

    /// <summary>The public id (<c>pat_</c> + 16 hex characters of the hash): shown, listed, revoked by.</summary>
    public required string TokenId { get; init; }

    public required string UserId { get; init; }

    public required string Name { get; init; }

    public required IReadOnlyList<TokenScope> Scopes { get; init; }

    /// <summary>The first characters of the token (its prefix and four more), so a person can tell tokens apart.</summary>
    public required string Preview { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? ExpiresAt { get; init; }

    [JsonIgnore]
    public string? ETag { get; set; }

    public bool IsExpired(DateTimeOffset now) => ExpiresAt is { } at && at <= now;

    public bool Allows(TokenScope scope) => Scopes.Contains(scope);

    public AccessToken Clone() => new()
    {
        Hash = Hash,
        TokenId = TokenId,
        UserId = UserId,
        Name = Name,
        Scopes = [.. Scopes],
        Preview = Preview,
        CreatedAt = CreatedAt,
        ExpiresAt = ExpiresAt,
        ETag = ETag,
    };
}

/// <summary>A token just created: the record and the secret, shown this once.</summary>
public sealed record CreatedAccessToken(AccessToken Token, string Secret);
