namespace ModelsHub.Web.Services.Auth;

/// <summary>The signed-in person's bearer token for the hub, or null (anonymous browsing).</summary>
public interface ITokenSource
{
    ValueTask<string?> GetTokenAsync(CancellationToken cancellationToken = default);
}

/// <summary>Adds the bearer token to every request to the hub when someone is signed in; anonymous otherwise.</summary>
public sealed class BearerTokenHandler(ITokenSource tokens) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Headers.Authorization is null && await tokens.GetTokenAsync(cancellationToken) is { } token)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        }
        return await base.SendAsync(request, cancellationToken);
    }
}
