using System.Text.RegularExpressions;
using ModelsHub.Core.Common;

namespace ModelsHub.Core.Identity;

/// <summary>Profile fields a caller may change about themselves.</summary>
public sealed record ProfileChanges(Optional<string> DisplayName, Optional<string?> Email, Optional<string?> AvatarUrl);

/// <summary>What the token says about a person, used when their profile is first created.</summary>
public sealed record TokenProfile(string? DisplayName, string? Email, IReadOnlyList<string> Roles);

/// <summary>The user center and the admin's grant/revoke operations.</summary>
public sealed partial class UserDirectory(IUserStore users, TimeProvider clock)
{
    public const int MaxDisplayNameLength = 100;
    public const int MaxEmailLength = 254;
    public const int MaxUrlLength = 2048;

    public async Task<HubUser> GetOrCreateAsync(Caller caller, TokenProfile token, CancellationToken cancellationToken)
    {
        var id = RequireSignedIn(caller);
        var existing = await users.FindAsync(id, cancellationToken);
        if (existing is not null)
        {
            return await RecordSeenAsync(existing, caller, token, cancellationToken);
        }

        var now = clock.GetUtcNow();
        var user = new HubUser
        {
            Id = id,
            LastSeenRoles = [.. token.Roles],
            CreatedAt = now,
            UpdatedAt = now,
        };
        FillProfile(user, caller, token);
        try
        {
            return await users.CreateAsync(user, cancellationToken);
        }
        catch (ConflictException)
        {
            // Two first calls raced; the other one created the profile.
            return await users.FindAsync(id, cancellationToken) ?? throw new NotFoundException("User", id);
        }
    }

    /// <summary>
    /// What a request's token says about a stored user: the roles it carries (so an administrator's grant
    /// knows what the roles give) and, for a user an administrator created before they signed in, their
    /// profile. Writes only when something changed.
    /// </summary>
    public async Task<HubUser> RecordSeenAsync(HubUser stored, Caller caller, TokenProfile token, CancellationToken cancellationToken)
    {
        if (stored.LastSeenRoles.SequenceEqual(token.Roles, StringComparer.Ordinal) && !stored.NeverSignedIn)
        {
            return stored;
        }
        return await MutateAsync(stored.Id, u =>
        {
            u.LastSeenRoles = [.. token.Roles];
            if (u.NeverSignedIn)
            {
                FillProfile(u, caller, token);
                u.NeverSignedIn = false;
            }
        }, cancellationToken);
    }

    private static void FillProfile(HubUser user, Caller caller, TokenProfile token)
    {
        user.DisplayName = Truncate(token.DisplayName ?? caller.DisplayName ?? user.Id, MaxDisplayNameLength);
        user.Email = token.Email is { Length: <= MaxEmailLength } email && IsEmail(email) ? email : null;
    }

    public async Task<HubUser> UpdateProfileAsync(Caller caller, TokenProfile token, ProfileChanges changes, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        if (changes.DisplayName.HasValue)
        {
            var name = changes.DisplayName.Value?.Trim();
            if (string.IsNullOrEmpty(name))
            {
                errors.Add("displayName", "Must not be empty.");
            }
            else if (name.Length > MaxDisplayNameLength || name.Any(char.IsControl))
            {
                errors.Add("displayName", $"Must be at most {MaxDisplayNameLength} printable characters.");
            }
        }
        if (changes.Email is { HasValue: true, Value: { } email } && (email.Length > MaxEmailLength || !IsEmail(email)))
        {
            errors.Add("email", "Must be an email address such as name@example.com.");
        }
        if (changes.AvatarUrl is { HasValue: true, Value: { } url } && !IsHttpUrl(url))
        {
            errors.Add("avatarUrl", $"Must be an absolute http(s) URL of at most {MaxUrlLength} characters.");
        }
        errors.ThrowIfAny();

        await GetOrCreateAsync(caller, token, cancellationToken);
        return await MutateAsync(caller.UserId!, u =>
        {
            if (changes.DisplayName.HasValue) u.DisplayName = changes.DisplayName.Value!.Trim();
            if (changes.Email.HasValue) u.Email = changes.Email.Value;
            if (changes.AvatarUrl.HasValue) u.AvatarUrl = changes.AvatarUrl.Value;
        }, cancellationToken);
    }

    public async Task<HubUser> GetAsync(Caller caller, string userId, CancellationToken cancellationToken)
    {
        RequireAdmin(caller);
        return await users.FindAsync(userId, cancellationToken) ?? throw new NotFoundException("User", userId);
    }

    public Task<Page<HubUser>> ListAsync(Caller caller, int? pageSize, string? continuationToken, CancellationToken cancellationToken)
    {
        RequireAdmin(caller);
        return users.ListAsync(Paging.Validate(pageSize), continuationToken, cancellationToken);
    }

    /// <summary>
    /// Gives the user the permission: a revocation of it is cleared, and an explicit grant is kept only
    /// when the user's roles (as last seen) do not give it, so revoking and granting again returns to
    /// "from the role".
    /// </summary>
    public Task<HubUser> GrantAsync(Caller caller, string userId, string permission, CancellationToken cancellationToken) =>
        ChangeOverrideAsync(caller, userId, permission, OverrideChange.Grant, cancellationToken);

    /// <summary>Takes the permission away, even one a role gives (a revocation wins over roles and grants).</summary>
    public Task<HubUser> RevokeAsync(Caller caller, string userId, string permission, CancellationToken cancellationToken) =>
        ChangeOverrideAsync(caller, userId, permission, OverrideChange.Revoke, cancellationToken);

    /// <summary>Drops the administrator's grant or revocation of the permission: the user's roles decide again.</summary>
    public Task<HubUser> ClearOverrideAsync(Caller caller, string userId, string permission, CancellationToken cancellationToken) =>
        ChangeOverrideAsync(caller, userId, permission, OverrideChange.Clear, cancellationToken);

    private enum OverrideChange { Grant, Revoke, Clear }

    /// <summary>
    /// Overrides are stored for any user id, signed in or not (a user who only calls the API never opens
    /// the user center); they take effect on the user's next request.
    /// </summary>
    private async Task<HubUser> ChangeOverrideAsync(Caller caller, string userId, string permission, OverrideChange change, CancellationToken cancellationToken)
    {
        RequireAdmin(caller);
        var errors = new ValidationErrors();
        if (ProblemWithUserId(userId) is { } problem)
        {
            errors.Add("id", problem);
        }
        if (!Permissions.IsKnown(permission))
        {
            errors.Add("permission", "Unknown permission; expected one of: " + string.Join(", ", Permissions.All));
        }
        errors.ThrowIfAny();
        if (change != OverrideChange.Grant && caller.IsUser(userId) && permission == Permissions.AdministerUsers)
        {
            throw new ConflictException("Admins cannot revoke their own administration permission.", "permission");
        }
        await EnsureExistsAsync(userId, cancellationToken);
        return await MutateAsync(userId, u =>
        {
            u.GrantedPermissions.Remove(permission);
            u.RevokedPermissions.Remove(permission);
            var fromRoles = Caller.ResolvePermissions(u.LastSeenRoles, null).Contains(permission);
            var list = change switch
            {
                OverrideChange.Revoke => u.RevokedPermissions,
                OverrideChange.Grant when !fromRoles => u.GrantedPermissions,
                _ => null,
            };
            if (list is not null)
            {
                list.Add(permission);
                list.Sort(StringComparer.Ordinal);
            }
        }, cancellationToken);
    }

    /// <summary>A user document to hold overrides for someone the hub has not seen yet.</summary>
    private async Task EnsureExistsAsync(string userId, CancellationToken cancellationToken)
    {
        if (await users.FindAsync(userId, cancellationToken) is not null)
        {
            return;
        }
        var now = clock.GetUtcNow();
        try
        {
            await users.CreateAsync(new HubUser { Id = userId, DisplayName = Truncate(userId, MaxDisplayNameLength), NeverSignedIn = true, CreatedAt = now, UpdatedAt = now },
                cancellationToken);
        }
        catch (ConflictException)
        {
            // They signed in (or another admin wrote) meanwhile: their document is there now.
        }
    }

    public const int MaxUserIdLength = 128;

    /// <summary>Null when <paramref name="id"/> can be a user id (an Entra object id, a development user name), else why not.</summary>
    public static string? ProblemWithUserId(string id) =>
        id.Length is 0 or > MaxUserIdLength ? $"Must be 1 to {MaxUserIdLength} characters."
        : id.Any(c => char.IsControl(c) || char.IsWhiteSpace(c) || c is '/' or '\\' or '?' or '#') ? "Must not contain spaces, control characters, '/', '\\', '?' or '#'."
        : null;

    /// <summary>Read-modify-write with the document's ETag, retried when someone else wrote in between.</summary>
    public async Task<HubUser> MutateAsync(string userId, Action<HubUser> change, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var current = await users.FindAsync(userId, cancellationToken) ?? throw new NotFoundException("User", userId);
            var next = current.Clone();
            change(next);
            next.UpdatedAt = clock.GetUtcNow();
            try
            {
                return await users.ReplaceAsync(next, current.ETag!, cancellationToken);
            }
            catch (PreconditionFailedException) when (attempt < 5)
            {
            }
        }
    }

    private static string RequireSignedIn(Caller caller) =>
        caller.UserId ?? throw new AuthenticationRequiredException();

    private static void RequireAdmin(Caller caller)
    {
        RequireSignedIn(caller);
        if (!caller.IsAdmin)
        {
            throw new ForbiddenException($"This needs the '{Permissions.AdministerUsers}' permission.");
        }
    }

    private static string Truncate(string value, int max) => value.Length <= max ? value : value[..max];

    public static bool IsEmail(string value) => EmailPattern().IsMatch(value);

    public static bool IsHttpUrl(string value) =>
        value.Length <= MaxUrlLength
        && Uri.TryCreate(value, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp);

    [GeneratedRegex(@"^[^@\s\p{C}]+@[^@\s\p{C}]+\.[^@\s\p{C}]+$")]
    private static partial Regex EmailPattern();
}
