using System.Text.Json.Serialization;

namespace ModelsHub.Core.AccessTokens;

/// <summary>What a personal access token may be used for.</summary>
public enum TokenScope
{
    /// <summary>GET and HEAD on the API.</summary>
    Read,

    /// <summary>Every other method on the API (not managing tokens).</summary>
    Write,

    /// <summary>The OpenAI-compatible gateway (<c>/api/v1/chat/completions</c>, <c>/api/v1/embeddings</c>).</summary>
    Gateway,
}

/// <summary>
/// A personal access token at rest: the SHA-256 of the secret (never the secret), its owner, name,
/// scopes and lifetime. <see cref="Hash"/> is the document's key, so a request's token is one point read.
/// </summary>
public sealed class AccessToken
{
    /// <summary>The hex SHA-256 of the whole token text.</summary>
    public required string Hash { get; init; }

    /// <summary>The public id (<c>pat_</c> + 16 hex characters of the hash): shown, listed, revoked by.</summary>
    public required string Id { get; init; }

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
}

/// <summary>A token just created: the record and the secret, shown this once.</summary>
public sealed record CreatedAccessToken(AccessToken Token, string Secret);
