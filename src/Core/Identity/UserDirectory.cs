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
            if (!existing.LastSeenRoles.SequenceEqual(token.Roles, StringComparer.Ordinal))
            {
                return await MutateAsync(id, u => u.LastSeenRoles = [.. token.Roles], cancellationToken);
            }
            return existing;
        }

        var now = clock.GetUtcNow();
        var user = new HubUser
        {
            Id = id,
            DisplayName = Truncate(token.DisplayName ?? caller.DisplayName ?? id, MaxDisplayNameLength),
            Email = token.Email is { Length: <= MaxEmailLength } email && IsEmail(email) ? email : null,
            LastSeenRoles = [.. token.Roles],
            CreatedAt = now,
            UpdatedAt = now,
        };
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

    public Task<HubUser> GrantAsync(Caller caller, string userId, string permission, CancellationToken cancellationToken) =>
        ChangePermissionAsync(caller, userId, permission, grant: true, cancellationToken);

    public Task<HubUser> RevokeAsync(Caller caller, string userId, string permission, CancellationToken cancellationToken) =>
        ChangePermissionAsync(caller, userId, permission, grant: false, cancellationToken);

    private async Task<HubUser> ChangePermissionAsync(Caller caller, string userId, string permission, bool grant, CancellationToken cancellationToken)
    {
        RequireAdmin(caller);
        if (!Permissions.IsKnown(permission))
        {
            throw new ValidationException("permission", "Unknown permission; expected one of: " + string.Join(", ", Permissions.All));
        }
        if (!grant && caller.IsUser(userId) && permission == Permissions.AdministerUsers)
        {
            throw new ConflictException("Admins cannot revoke their own administration permission.", "permission");
        }
        return await MutateAsync(userId, u =>
        {
            var (add, remove) = grant ? (u.GrantedPermissions, u.RevokedPermissions) : (u.RevokedPermissions, u.GrantedPermissions);
            remove.Remove(permission);
            if (!add.Contains(permission))
            {
                add.Add(permission);
                add.Sort(StringComparer.Ordinal);
            }
        }, cancellationToken);
    }

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
