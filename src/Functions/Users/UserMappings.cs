using ModelsHub.Contracts.Users;
using ModelsHub.Core.Identity;

namespace ModelsHub.Functions.Users;

public static class UserMappings
{
    public static MeDto ToMeDto(this HubUser user, Caller caller) => new(
        user.Id, user.DisplayName, user.Email, user.AvatarUrl, user.LastSeenRoles,
        caller.Granted.Order(StringComparer.Ordinal).ToList(), user.CreatedAt, user.UpdatedAt);

    public static UserDto ToDto(this HubUser user) => new(
        user.Id, user.DisplayName, user.Email, user.AvatarUrl, user.LastSeenRoles, user.GrantedPermissions, user.RevokedPermissions,
        Caller.ResolvePermissions(user.LastSeenRoles, user).Order(StringComparer.Ordinal).ToList(), user.CreatedAt, user.UpdatedAt);

    public static UserTokenDto ToDto(this SavedTokenSummary token) => new(token.LastFour, token.Login, token.Scopes, token.ValidatedAt);
}
