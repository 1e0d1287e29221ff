using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using ModelsHub.Core.AccessTokens;
using ModelsHub.Core.Common;
using ModelsHub.Core.Identity;
using ModelsHub.Functions.Auth;
using ModelsHub.Contracts.AccessTokens;
using ModelsHub.Contracts;

namespace ModelsHub.Functions.AccessTokens;

/// <summary>
/// Personal access tokens as bearer tokens, beside sign-in tokens: a bearer value starting with
/// <see cref="AccessTokenService.Prefix"/> is looked up by its hash (cached briefly; a revocation on
/// this instance forgets it at once), and signs the request in as the token's owner with the roles
/// their latest sign-in carried. Its scopes are enforced per endpoint by <see cref="AccessTokenScopes"/>.
/// </summary>
public sealed class AccessTokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    AccessTokenValidator validator) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "AccessToken";
    public const string TokenIdClaim = "hub_pat";
    public const string ScopeClaim = "hub_pat_scope";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (AccessTokenAuthentication.BearerValue(Request) is not { } presented || !AccessTokenService.LooksLikeToken(presented))
        {
            return AuthenticateResult.NoResult();
        }
        var validated = await validator.ValidateAsync(presented, Context.RequestAborted);
        if (validated is null)
        {
            return AuthenticateResult.Fail("The access token is unknown, revoked or expired.");
        }
        var (token, roles) = validated.Value;
        var claims = new List<Claim> { new("sub", token.UserId), new(TokenIdClaim, token.TokenId) };
        claims.AddRange(roles.Select(r => new Claim("roles", r)));
        claims.AddRange(token.Scopes.Select(s => new Claim(ScopeClaim, EnumNames<TokenScope>.NameOf(s))));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName, "sub", "roles"));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }
}

/// <summary>Validates presented tokens, remembering each answer for a few seconds (the token and its owner's roles).</summary>
public sealed class AccessTokenValidator(AccessTokenService tokens, IUserStore users, IMemoryCache cache, TimeProvider clock)
{
    private static readonly TimeSpan CacheTime = TimeSpan.FromSeconds(10);

    public async ValueTask<(AccessToken Token, IReadOnlyList<string> Roles)?> ValidateAsync(string presented, CancellationToken cancellationToken)
    {
        var key = CacheKey(AccessTokenService.HashOf(presented));
        if (!cache.TryGetValue(key, out Entry? entry))
        {
            var token = await tokens.ValidateAsync(presented, cancellationToken);
            var user = token is null ? null : await users.FindAsync(token.UserId, cancellationToken);
            entry = new Entry(token, user?.LastSeenRoles ?? []);
            cache.Set(key, entry, CacheTime);
        }
        return entry!.Token is { } t && !t.IsExpired(clock.GetUtcNow()) ? (t, entry.Roles) : null;
    }

    /// <summary>Forgets a token at once (it was revoked on this instance).</summary>
    public void Forget(string hash) => cache.Remove(CacheKey(hash));

    private static string CacheKey(string hash) => "access-token:" + hash;

    private sealed record Entry(AccessToken? Token, IReadOnlyList<string> Roles);
}

/// <summary>Which scope an endpoint needs from an access token; without it, GET/HEAD need read and the rest write.</summary>
public sealed record AccessTokenScopeMetadata(TokenScope? Scope)
{
    /// <summary>The endpoint refuses access tokens altogether (managing tokens).</summary>
    public bool SignInOnly => Scope is null;
}

public static class AccessTokenScopes
{
    public static TBuilder RequireTokenScope<TBuilder>(this TBuilder builder, TokenScope scope) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new AccessTokenScopeMetadata(scope));

    public static TBuilder RefuseAccessTokens<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new AccessTokenScopeMetadata(null));

    /// <summary>A request signed in with an access token may reach only what its scopes cover (403 otherwise).</summary>
    public static IApplicationBuilder UseAccessTokenScopes(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            if (context.User.FindFirst(AccessTokenAuthenticationHandler.TokenIdClaim) is not null)
            {
                var metadata = context.GetEndpoint()?.Metadata.GetMetadata<AccessTokenScopeMetadata>();
                if (metadata is { SignInOnly: true })
                {
                    throw new ForbiddenException("This needs a sign-in token; access tokens cannot manage access tokens.");
                }
                var needed = metadata?.Scope ?? (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method)
                    ? TokenScope.Read : TokenScope.Write);
                var name = EnumNames<TokenScope>.NameOf(needed);
                if (!context.User.HasClaim(AccessTokenAuthenticationHandler.ScopeClaim, name))
                {
                    throw new ForbiddenException($"This access token lacks the '{name}' scope this needs.");
                }
            }
            await next(context);
        });
}

public static class AccessTokenAuthentication
{
    /// <summary>The scheme every request is authenticated with: access tokens to their handler, everything else to the sign-in scheme.</summary>
    public const string Scheme = "Hub";

    public static AuthenticationBuilder AddHubAccessTokens(this AuthenticationBuilder builder, string signInScheme)
    {
        builder.Services.AddSingleton<AccessTokenValidator>();
        builder.AddScheme<AuthenticationSchemeOptions, AccessTokenAuthenticationHandler>(AccessTokenAuthenticationHandler.SchemeName, null);
        builder.AddPolicyScheme(Scheme, "Sign-in token or personal access token", o => o.ForwardDefaultSelector = context =>
            AccessTokenService.LooksLikeToken(BearerValue(context.Request)) ? AccessTokenAuthenticationHandler.SchemeName : signInScheme);
        return builder;
    }

    public static string? BearerValue(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim() : null;
    }
}
