using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using ModelsHub.Contracts.Auth;

namespace ModelsHub.Functions.Auth;

/// <summary>
/// <c>GET /api/client-config</c>: the web app reads its sign-in settings from the hub it talks to, so one
/// build of it serves every deployment (the hub, or the Static Web App linked to a Function App).
/// </summary>
public static class ClientConfigApi
{
    public static RouteGroupBuilder MapClientConfigApi(this RouteGroupBuilder api)
    {
        api.MapGet("/client-config", GetClientConfig).WithName("GetClientConfig")
            .WithSummary("How the web app signs people in: development sign-in, or Entra ID with the SPA registration's public settings.")
            .WithTags("Web app")
            .AllowAnonymous();
        return api;
    }

    public static Ok<ClientConfigResponse> GetClientConfig(HttpContext context, IOptions<AuthOptions> auth, IOptions<WebAppSignInOptions> web, IConfiguration configuration)
    {
        // The answer changes only with the deployment's settings; a short public cache spares the app's start a round trip.
        context.Response.Headers.CacheControl = "public, max-age=300";
        if (auth.Value.Mode == AuthMode.Development)
        {
            return TypedResults.Ok(new ClientConfigResponse("development", null));
        }
        var options = web.Value;
        if (string.IsNullOrWhiteSpace(options.ClientId))
        {
            return TypedResults.Ok(new ClientConfigResponse("entra", null));
        }
        var instance = (configuration["AzureAd:Instance"] ?? "https://login.microsoftonline.com/").TrimEnd('/');
        var authority = string.IsNullOrWhiteSpace(options.Authority) ? $"{instance}/{configuration["AzureAd:TenantId"]}/v2.0" : options.Authority;
        var audience = configuration["AzureAd:Audience"];
        if (string.IsNullOrWhiteSpace(audience))
        {
            audience = $"api://{configuration["AzureAd:ClientId"]}";
        }
        var configured = options.ConfiguredScopes;
        IReadOnlyList<string> scopes = configured.Count > 0 ? configured : [$"{audience.TrimEnd('/')}/access_as_user"];
        return TypedResults.Ok(new ClientConfigResponse("entra", new EntraClientConfig(authority, options.ClientId, scopes)));
    }
}
