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
/// their latest sign-in carried, as long as they still hold the <c>tokens</c> permission (an
/// administrator who revokes it suspends every token of theirs from the next request on). Its scopes
/// are enforced per endpoint by <see cref="AccessTokenScopes"/>.
/// </summary>
public sealed class AccessTokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    AccessTokenValidator validator, CallerResolver callers) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
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
        if (await validator.ValidateAsync(presented, Context.RequestAborted) is not { } entry)
        {
            return AuthenticateResult.Fail("The access token is unknown, revoked or expired.");
        }
        // The owner as they stand now (the grants cache that permission changes and sign-ins refresh), not as when the token was cached.
        var owner = await callers.FindUserAsync(entry.Token.UserId, Context.RequestAborted);
        var signIn = entry.SignInAs(owner);
        if (signIn.Caller is not { } caller)
        {
            return AuthenticateResult.Fail($"The owner of this access token no longer holds the '{Permissions.ManageTokens}' permission.");
        }
        // The caller is resolved here, once: caller resolution keeps it instead of working out the owner's permissions again.
        Context.Features.Set(caller);
        return AuthenticateResult.Success(new AuthenticationTicket(signIn.Principal!, SchemeName));
    }

    /// <summary>
    /// What a token signs in as for its owner as they stand: the principal (owner id, the roles of their latest sign-in,
    /// the token's scopes) and the <see cref="Caller"/>, or no caller when the owner lacks the <c>tokens</c> permission.
    /// </summary>
    internal static AccessTokenSignIn SignIn(AccessToken token, HubUser? owner)
    {
        IReadOnlyList<string> roles = owner?.LastSeenRoles ?? [];
        var permissions = Caller.ResolvePermissions(roles, owner);
        if (!permissions.Contains(Permissions.ManageTokens))
        {
            return new AccessTokenSignIn(owner, null, null);
        }
        var claims = new List<Claim> { new("sub", token.UserId), new(TokenIdClaim, token.TokenId) };
        claims.AddRange(roles.Select(r => new Claim("roles", r)));
        claims.AddRange(token.Scopes.Select(s => new Claim(ScopeClaim, EnumNames<TokenScope>.NameOf(s))));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName, "sub", "roles"));
        return new AccessTokenSignIn(owner, principal, new Caller(token.UserId, permissions, owner?.DisplayName) { AccessTokenId = token.TokenId });
    }
}

/// <summary>A token's sign-in for one state of its owner (<see cref="Owner"/>, the instance the grants cache handed out).</summary>
internal sealed record AccessTokenSignIn(HubUser? Owner, ClaimsPrincipal? Principal, Caller? Caller);

/// <summary>
/// Validates presented tokens, remembering each answer for a few seconds (a revocation on this instance forgets it at
/// once). The owner's permissions are looked at per request; what they sign the token in as is kept with the answer
/// while the grants cache hands out the same owner (a change to the owner, a sign-in with other roles or the cache's
/// expiry gives another instance, and the sign-in is worked out again).
/// </summary>
public sealed class AccessTokenValidator(AccessTokenService tokens, IMemoryCache cache, TimeProvider clock)
{
    private static readonly TimeSpan CacheTime = TimeSpan.FromSeconds(10);

    public async ValueTask<ValidatedToken?> ValidateAsync(string presented, CancellationToken cancellationToken)
    {
        var key = CacheKey(AccessTokenService.HashOf(presented));
        if (!cache.TryGetValue(key, out ValidatedToken? entry))
        {
            entry = await tokens.ValidateAsync(presented, cancellationToken) is { } found ? new ValidatedToken(found) : ValidatedToken.None;
            cache.Set(key, entry, CacheTime);
        }
        return entry!.Found && !entry.Token.IsExpired(clock.GetUtcNow()) ? entry : null;
    }

    /// <summary>Forgets a token at once (it was revoked on this instance).</summary>
    public void Forget(string hash) => cache.Remove(CacheKey(hash));

    private static string CacheKey(string hash) => "access-token:" + hash;
}

/// <summary>A presented token's lookup (<see cref="Token"/> null: unknown), with its latest sign-in.</summary>
public sealed class ValidatedToken
{
    internal static readonly ValidatedToken None = new(null);

    private readonly AccessToken? _token;
    private AccessTokenSignIn? _signIn;

    internal ValidatedToken(AccessToken? token) => _token = token;

    /// <summary>The live token (a <see cref="AccessTokenValidator"/> hands out only found ones).</summary>
    public AccessToken Token => _token ?? throw new InvalidOperationException("An unknown token has no details.");

    internal bool Found => _token is not null;

    internal AccessTokenSignIn SignInAs(HubUser? owner)
    {
        var kept = Volatile.Read(ref _signIn);
        if (kept is not null && ReferenceEquals(kept.Owner, owner))
        {
            return kept;
        }
        var signIn = AccessTokenAuthenticationHandler.SignIn(Token, owner);
        Volatile.Write(ref _signIn, signIn);
        return signIn;
    }
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
