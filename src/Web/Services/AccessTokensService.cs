using ModelsHub.Contracts.AccessTokens;
using ModelsHub.Web.Services.Api;

namespace ModelsHub.Web.Services;

/// <summary>The signed-in user's personal access tokens (for apps, scripts, the CLI and the gateway): list, create, revoke.</summary>
public sealed class AccessTokensService(ApiClient api)
{
    private const string Path = "api/me/tokens";

    public async Task<IReadOnlyList<AccessTokenDto>> ListAsync(CancellationToken cancellationToken = default) =>
        (await api.GetAsync<AccessTokenListResponse>(Path, cancellationToken)).Items;

    /// <summary>Creates a token; the answer carries its secret, which the hub never shows again.</summary>
    public async Task<CreatedAccessTokenDto> CreateAsync(AccessTokenRequest request, CancellationToken cancellationToken = default) =>
        (await api.SendAsync<CreatedAccessTokenDto>(HttpMethod.Post, Path, request, cancellationToken: cancellationToken)).Value!;

    public Task RevokeAsync(string id, CancellationToken cancellationToken = default) =>
        api.SendAsync(HttpMethod.Delete, $"{Path}/{Query.Segment(id)}", cancellationToken: cancellationToken);
}
