namespace ModelsHub.Contracts.Auth;

/// <summary>
/// <c>GET /api/client-config</c>: what the web app needs to know before it starts, namely how people sign in
/// (<c>development</c> or <c>entra</c>). No secret is ever in it.
/// </summary>
public sealed record ClientConfigResponse(string AuthMode, EntraClientConfig? Entra);

/// <summary>The public OpenID Connect settings of the web app's own (SPA) registration.</summary>
public sealed record EntraClientConfig(string Authority, string ClientId, IReadOnlyList<string> Scopes);
