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

/// <summary>A token for an outside service to save in the user center (<c>PUT /api/me/github-token</c>, <c>PUT /api/me/huggingface-token</c>).</summary>
public sealed record UserTokenRequest(string Token);

/// <summary>What the API shows of a saved token (GitHub, Hugging Face): never the token itself; the account it belongs to and its scopes or role.</summary>
public sealed record UserTokenDto(string LastFour, string Login, IReadOnlyList<string> Scopes, DateTimeOffset ValidatedAt);
