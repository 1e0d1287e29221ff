using System.Security.Claims;
using Microsoft.Extensions.Caching.Memory;
using ModelsHub.Core.Identity;

namespace ModelsHub.Functions.Auth;

/// <summary>
/// Turns a validated token into a <see cref="Caller"/>: the roles it carries mapped to
/// permissions, plus the grants and revocations an admin stored for the user (cached briefly).
/// A stored user whose roles changed (or whom an admin created before they signed in) is brought
/// up to date from the token, so an admin's grant knows what the user's roles give.
/// </summary>
public sealed class CallerResolver(IUserStore users, UserDirectory directory, IMemoryCache cache)
{
    private static readonly TimeSpan GrantsCacheTime = TimeSpan.FromSeconds(10);

    // Entra puts the stable object id in "oid" (mapped to this long name when inbound claims are mapped).
    private static readonly string[] UserIdClaims = ["oid", "http://schemas.microsoft.com/identity/claims/objectidentifier", "sub", ClaimTypes.NameIdentifier];
    private static readonly string[] RoleClaims = ["roles", ClaimTypes.Role];

    public async ValueTask<Caller> ResolveAsync(ClaimsPrincipal principal, CancellationToken cancellationToken)
    {
        if (principal.Identity?.IsAuthenticated != true || UserId(principal) is not { } id)
        {
            return Caller.Anonymous;
        }
        var user = await FindUserAsync(id, cancellationToken);
        var roles = Roles(principal);
        var caller = new Caller(id, Caller.ResolvePermissions(roles, user), principal.FindFirst("name")?.Value ?? user?.DisplayName)
        {
            AccessTokenId = principal.FindFirst(AccessTokens.AccessTokenAuthenticationHandler.TokenIdClaim)?.Value,
        };
        // What a sign-in token says about the user (an access token carries the roles last seen, so it tells nothing new).
        if (user is not null && caller.AccessTokenId is null && (user.NeverSignedIn || !user.LastSeenRoles.SequenceEqual(roles, StringComparer.Ordinal)))
        {
            cache.Set(CacheKey(id), await directory.RecordSeenAsync(user, caller, Profile(principal), cancellationToken), GrantsCacheTime);
        }
        return caller;
    }

    /// <summary>
    /// The stored user (grants, revocations, the roles last seen), remembered for a few seconds; a change
    /// made through this instance (<see cref="Forget"/>, a sign-in with other roles) is seen at once.
    /// </summary>
    public async ValueTask<HubUser?> FindUserAsync(string id, CancellationToken cancellationToken) =>
        await cache.GetOrCreateAsync(CacheKey(id), entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = GrantsCacheTime;
            return users.FindAsync(id, cancellationToken);
        });

    /// <summary>Drops the cached grants so the next request sees a change at once.</summary>
    public void Forget(string userId) => cache.Remove(CacheKey(userId));

    public static string? UserId(ClaimsPrincipal principal) =>
        UserIdClaims.Select(t => principal.FindFirst(t)?.Value).FirstOrDefault(v => !string.IsNullOrEmpty(v));

    public static IReadOnlyList<string> Roles(ClaimsPrincipal principal) =>
        RoleClaims.SelectMany(t => principal.FindAll(t)).Select(c => c.Value).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();

    public static TokenProfile Profile(ClaimsPrincipal principal) => new(
        principal.FindFirst("name")?.Value,
        principal.FindFirst("email")?.Value ?? principal.FindFirst("preferred_username")?.Value ?? principal.FindFirst(ClaimTypes.Email)?.Value,
        Roles(principal));

    private static string CacheKey(string id) => "caller-grants:" + id;
}

public static class CallerHttpContextExtensions
{
    /// <summary>The caller the middleware resolved for this request.</summary>
    public static Caller GetCaller(this HttpContext context) => context.Features.Get<Caller>() ?? Caller.Anonymous;

    public static IApplicationBuilder UseCallerResolution(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            // An access token's handler resolved its caller already (it had to, to check the owner's permissions).
            if (context.User.Identity?.IsAuthenticated == true && context.Features.Get<Caller>() is null)
            {
                var resolver = context.RequestServices.GetRequiredService<CallerResolver>();
                context.Features.Set(await resolver.ResolveAsync(context.User, context.RequestAborted));
            }
            await next(context);
        });
}
