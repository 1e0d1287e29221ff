namespace ModelsHub.Core.GitHub;

/// <summary>
/// Encrypts secrets kept at rest (users' tokens for GitHub and Hugging Face, <see cref="Identity.UserTokens"/>).
/// The embedded profile uses ASP.NET Core Data Protection with its key ring in the data folder;
/// Azure wraps the key ring with Key Vault.
/// </summary>
public interface ISecretProtector
{
    string Protect(string secret);

    /// <summary>The secret, or null when it can no longer be decrypted (key ring lost or rotated away).</summary>
    string? Unprotect(string protectedSecret);
}
