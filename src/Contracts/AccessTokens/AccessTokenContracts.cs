namespace ModelsHub.Contracts.AccessTokens;

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

/// <summary>A personal access token as listed: never its secret (<c>preview</c> is its first characters).</summary>
public sealed record AccessTokenDto(string Id, string Name, IReadOnlyList<TokenScope> Scopes, string Preview, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt);

/// <summary>A token just created: the secret is in <c>token</c>, shown this once.</summary>
public sealed record CreatedAccessTokenDto(string Id, string Name, IReadOnlyList<TokenScope> Scopes, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, string Token);

public sealed record AccessTokenListResponse(IReadOnlyList<AccessTokenDto> Items);

/// <summary><c>POST /api/me/tokens</c>.</summary>
public sealed record AccessTokenRequest(string Name, IReadOnlyList<TokenScope> Scopes, DateTimeOffset? ExpiresAt);
