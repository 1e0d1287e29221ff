namespace ModelsHub.Core.Identity;

/// <summary>Who is asking: resolved once per request from the token and the user's grants.</summary>
public sealed class Caller
{
    private readonly HashSet<string> _permissions;

    public Caller(string? userId, IEnumerable<string> permissions, string? displayName = null)
    {
        UserId = string.IsNullOrEmpty(userId) ? null : userId;
        DisplayName = displayName;
        _permissions = UserId is null ? [] : new HashSet<string>(permissions, StringComparer.Ordinal);
    }

    public static Caller Anonymous { get; } = new(null, []);

    public string? UserId { get; }

    public string? DisplayName { get; }

    /// <summary>The personal access token the request came with (its public id); null for a sign-in token.</summary>
    public string? AccessTokenId { get; init; }

    public bool IsAuthenticated => UserId is not null;

    public bool IsAdmin => Has(ModelsHub.Core.Identity.Permissions.AdministerUsers);

    public IReadOnlyCollection<string> Granted => _permissions;

    public bool Has(string permission) => _permissions.Contains(permission);

    public bool IsUser(string? userId) => UserId is not null && string.Equals(UserId, userId, StringComparison.Ordinal);

    /// <summary>The permissions a caller holds: role bundles plus grants, minus revocations.</summary>
    public static IReadOnlySet<string> ResolvePermissions(IEnumerable<string> roles, HubUser? user)
    {
        var result = new HashSet<string>(Roles.Bundles[Roles.User], StringComparer.Ordinal);
        foreach (var role in roles)
        {
            if (Roles.Bundles.TryGetValue(role, out var bundle))
            {
                result.UnionWith(bundle);
            }
        }
        if (user is not null)
        {
            result.UnionWith(user.GrantedPermissions);
            result.ExceptWith(user.RevokedPermissions);
        }
        return result;
    }
}
