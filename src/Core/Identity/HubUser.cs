using System.Text.Json.Serialization;
using ModelsHub.Core.Common;

namespace ModelsHub.Core.Identity;

/// <summary>A signed-in person's profile and the permissions an admin granted or revoked.</summary>
public sealed class HubUser : IStoredDocument<HubUser>
{
    public required string Id { get; init; }

    public string DisplayName { get; set; } = "";

    public string? Email { get; set; }

    public string? AvatarUrl { get; set; }

    public List<string> GrantedPermissions { get; set; } = [];

    public List<string> RevokedPermissions { get; set; } = [];

    /// <summary>Roles seen on the user's latest token, kept so admins see what a user holds.</summary>
    public List<string> LastSeenRoles { get; set; } = [];

    /// <summary>
    /// Created by an administrator's grant or revocation before the user was ever seen: the profile
    /// (name, email, roles) is filled in from their token on their next request.
    /// </summary>
    public bool NeverSignedIn { get; set; }

    /// <summary>The GitHub token the user saved for their pull requests (encrypted), or null.</summary>
    public SavedToken? GitHubToken { get; set; }

    /// <summary>The Hugging Face token the user saved for gated and private repositories (encrypted), or null.</summary>
    public SavedToken? HuggingFaceToken { get; set; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; set; }

    [JsonIgnore]
    public string? ETag { get; set; }

    public HubUser Clone() => new()
    {
        Id = Id,
        DisplayName = DisplayName,
        Email = Email,
        AvatarUrl = AvatarUrl,
        GrantedPermissions = [.. GrantedPermissions],
        RevokedPermissions = [.. RevokedPermissions],
        LastSeenRoles = [.. LastSeenRoles],
        NeverSignedIn = NeverSignedIn,
        GitHubToken = GitHubToken,
        HuggingFaceToken = HuggingFaceToken,
        CreatedAt = CreatedAt,
        UpdatedAt = UpdatedAt,
        ETag = ETag,
    };
}
