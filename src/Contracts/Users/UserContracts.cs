namespace ModelsHub.Contracts.Users;

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

/// <summary>Every permission the hub knows, the permissions each role bundles, and what each permission allows.</summary>
public sealed record PermissionCatalog(
    IReadOnlyList<string> Permissions,
    IReadOnlyDictionary<string, IReadOnlyList<string>> Roles,
    IReadOnlyDictionary<string, string>? Descriptions = null);

public sealed record GitHubTokenRequest(string Token);

/// <summary>What the API shows of a saved GitHub token: never the token itself.</summary>
public sealed record GitHubTokenDto(string LastFour, string Login, IReadOnlyList<string> Scopes, DateTimeOffset ValidatedAt);
