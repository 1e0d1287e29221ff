using ModelsHub.Core.Identity;

namespace ModelsHub.Functions.Users;

/// <summary>The user center's view of the signed-in person.</summary>
public sealed record MeDto(
    string Id,
    string DisplayName,
    string? Email,
    string? AvatarUrl,
    IReadOnlyList<string> Roles,
    IReadOnlyList<string> Permissions,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>A user as an admin sees them, with where each permission comes from.</summary>
public sealed record UserDto(
    string Id,
    string DisplayName,
    string? Email,
    string? AvatarUrl,
    IReadOnlyList<string> Roles,
    IReadOnlyList<string> GrantedPermissions,
    IReadOnlyList<string> RevokedPermissions,
    IReadOnlyList<string> EffectivePermissions,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

public sealed record UserListResponse(IReadOnlyList<UserDto> Items, string? ContinuationToken);

public sealed record ProfileRequest(string? DisplayName, string? Email, string? AvatarUrl);

public static class UserMappings
{
    public static MeDto ToMeDto(this HubUser user, Caller caller) => new(
        user.Id, user.DisplayName, user.Email, user.AvatarUrl, user.LastSeenRoles,
        caller.Granted.Order(StringComparer.Ordinal).ToList(), user.CreatedAt, user.UpdatedAt);

    public static UserDto ToDto(this HubUser user) => new(
        user.Id, user.DisplayName, user.Email, user.AvatarUrl, user.LastSeenRoles, user.GrantedPermissions, user.RevokedPermissions,
        Caller.ResolvePermissions(user.LastSeenRoles, user).Order(StringComparer.Ordinal).ToList(), user.CreatedAt, user.UpdatedAt);
}
