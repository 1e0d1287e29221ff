using Microsoft.AspNetCore.Components.WebAssembly.Authentication;

namespace ModelsHub.Web.Services.Auth;

/// <summary>Entra ID sign-in: the access token for the hub's API scope when someone is signed in, else none (anonymous browsing).</summary>
public sealed class OidcTokenSource(IAccessTokenProvider provider) : ITokenSource
{
    public async ValueTask<string?> GetTokenAsync(CancellationToken cancellationToken = default)
    {
        var result = await provider.RequestAccessToken();
        return result.TryGetToken(out var token) ? token.Value : null;
    }
}
