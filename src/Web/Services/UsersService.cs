using ModelsHub.Contracts;
using ModelsHub.Web.Services.Api;

namespace ModelsHub.Web.Services;

/// <summary>The user center (profile, GitHub token) and the administration of users and permissions.</summary>
public sealed class UsersService(ApiClient api)
{
    public Task<MeDto> MeAsync(CancellationToken cancellationToken = default) => api.GetAsync<MeDto>("api/me", cancellationToken);

    public async Task<MeDto> UpdateProfileAsync(ProfileRequest profile, CancellationToken cancellationToken = default) =>
        (await api.SendAsync<MeDto>(HttpMethod.Patch, "api/me", profile, cancellationToken: cancellationToken)).Value!;

    public Task<UserTokenDto?> GitHubTokenAsync(CancellationToken cancellationToken = default) =>
        api.FindAsync<UserTokenDto>("api/me/github-token", cancellationToken);

    public async Task<UserTokenDto> SaveGitHubTokenAsync(string token, CancellationToken cancellationToken = default) =>
        (await api.SendAsync<UserTokenDto>(HttpMethod.Put, "api/me/github-token", new UserTokenRequest(token.Trim()), cancellationToken: cancellationToken)).Value!;

    public Task ForgetGitHubTokenAsync(CancellationToken cancellationToken = default) =>
        api.SendAsync(HttpMethod.Delete, "api/me/github-token", cancellationToken: cancellationToken);

    public Task<PermissionCatalog> PermissionCatalogAsync(CancellationToken cancellationToken = default) =>
        api.GetAsync<PermissionCatalog>("api/permissions", cancellationToken);

    public Task<UserListResponse> ListAsync(string? continuationToken, CancellationToken cancellationToken = default) =>
        api.GetAsync<UserListResponse>(new Query("api/users").Add("pageSize", 100).Add("continuationToken", continuationToken), cancellationToken);

    public Task<UserDto> GetAsync(string id, CancellationToken cancellationToken = default) =>
        api.GetAsync<UserDto>($"api/users/{Query.Segment(id)}", cancellationToken);

    public async Task<UserDto> SetPermissionAsync(string id, string permission, bool granted, CancellationToken cancellationToken = default) =>
        (await api.SendAsync<UserDto>(granted ? HttpMethod.Put : HttpMethod.Delete,
            $"api/users/{Query.Segment(id)}/permissions/{Query.Segment(permission)}", cancellationToken: cancellationToken)).Value!;
}

/// <summary>Operations: upstream sync runs and failed workflows.</summary>
public sealed class OperationsService(ApiClient api)
{
    public async Task<IReadOnlyList<SyncRunDto>> SyncRunsAsync(CancellationToken cancellationToken = default) =>
        (await api.GetAsync<SyncRunListResponse>("api/sync?pageSize=50", cancellationToken)).Items;

    public async Task<SyncStartResponse> StartSyncAsync(CancellationToken cancellationToken = default) =>
        (await api.SendAsync<SyncStartResponse>(HttpMethod.Post, "api/sync", new System.Text.Json.Nodes.JsonObject(), cancellationToken: cancellationToken)).Value!;

    public Task<WorkflowListResponse> WorkflowsAsync(WorkflowStatus status, string? continuationToken, CancellationToken cancellationToken = default) =>
        api.GetAsync<WorkflowListResponse>(new Query("api/workflows").Add("status", (WorkflowStatus?)status).Add("pageSize", 50).Add("continuationToken", continuationToken),
            cancellationToken);

    public Task<WorkflowDto> WorkflowAsync(string id, CancellationToken cancellationToken = default) =>
        api.GetAsync<WorkflowDto>($"api/workflows/{Query.Segment(id)}", cancellationToken);

    public async Task<WorkflowDto> RetryAsync(string id, CancellationToken cancellationToken = default) =>
        (await api.SendAsync<WorkflowDto>(HttpMethod.Post, $"api/workflows/{Query.Segment(id)}/retry", cancellationToken: cancellationToken)).Value!;
}
