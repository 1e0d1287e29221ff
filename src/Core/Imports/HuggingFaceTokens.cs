using ModelsHub.Core.Common;
using ModelsHub.Core.Identity;

namespace ModelsHub.Core.Imports;

/// <summary>
/// The user center's Hugging Face token (one <see cref="IUserTokenKind"/> of <see cref="UserTokens"/>,
/// kept exactly like the GitHub token): validated with the Hub's <c>whoami-v2</c>, used to read the
/// gated and private repositories its user may read.
/// </summary>
public sealed class HuggingFaceTokens(UserTokens tokens, IHuggingFaceHub hub) : IUserTokenKind
{
    public string Service => "Hugging Face";

    public SavedToken? Read(HubUser user) => user.HuggingFaceToken;

    public void Write(HubUser user, SavedToken? token) => user.HuggingFaceToken = token;

    public async Task<TokenIdentity> ValidateAsync(string token, CancellationToken cancellationToken)
    {
        try
        {
            var account = await hub.WhoAmIAsync(token, cancellationToken);
            return new TokenIdentity(account.Name, account.Role is { Length: > 0 } role ? [role] : []);
        }
        catch (HuggingFaceException ex) when (ex.Error == HuggingFaceError.TokenRejected)
        {
            throw new ValidationException("token", "The Hugging Face Hub rejected this token (401 Invalid credentials); create an access token (read is enough) in your Hub settings and try again.");
        }
    }

    /// <summary>The user's token in clear to read the Hub for them, or null (anonymous).</summary>
    public Task<string?> RevealAsync(string userId, CancellationToken cancellationToken) => tokens.RevealAsync(userId, this, cancellationToken);
}
