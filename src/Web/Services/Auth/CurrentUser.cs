using Microsoft.AspNetCore.Components.Authorization;
using ModelsHub.Contracts;
using ModelsHub.Web.Services.Api;

namespace ModelsHub.Web.Services.Auth;

/// <summary>
/// Who is signed in and what they may do, from the hub's own answer (<c>GET /api/me</c>: roles plus an
/// administrator's grants and revocations), so menus and buttons match what the API will allow.
/// </summary>
public sealed class CurrentUser : IDisposable
{
    private readonly AuthenticationStateProvider _auth;
    private readonly ApiClient _api;
    private Task<MeDto?>? _loading;

    public CurrentUser(AuthenticationStateProvider auth, ApiClient api)
    {
        _auth = auth;
        _api = api;
        _auth.AuthenticationStateChanged += OnAuthenticationStateChanged;
    }

    public MeDto? Me { get; private set; }

    public bool IsSignedIn => Me is not null;

    public event Action? Changed;

    public bool Has(string permission) => Me?.Permissions.Contains(permission) == true;

    public bool IsAdmin => Has(Permissions.AdministerUsers);

    public Task<MeDto?> LoadAsync() => _loading ??= FetchAsync();

    /// <summary>Reads the profile again (after it was edited, or a permission changed).</summary>
    public async Task RefreshAsync()
    {
        _loading = FetchAsync();
        await _loading;
    }

    private async Task<MeDto?> FetchAsync()
    {
        var state = await _auth.GetAuthenticationStateAsync();
        MeDto? me = null;
        if (state.User.Identity?.IsAuthenticated == true)
        {
            try
            {
                me = await _api.GetAsync<MeDto>("api/me");
            }
            catch (ApiException e) when (e.StatusCode == System.Net.HttpStatusCode.Unauthorized)
            {
                me = null;
            }
        }
        // Listeners reload what they show only when the person or their permissions changed, not on every read.
        var changed = !Same(Me, me);
        Me = me;
        if (changed)
        {
            Changed?.Invoke();
        }
        return me;
    }

    private static bool Same(MeDto? a, MeDto? b) =>
        a is null || b is null ? a is null && b is null
        : a.Id == b.Id && a.DisplayName == b.DisplayName && a.Permissions.SequenceEqual(b.Permissions) && a.Roles.SequenceEqual(b.Roles);

    private void OnAuthenticationStateChanged(Task<AuthenticationState> state) => _ = RefreshAsync();

    public void Dispose() => _auth.AuthenticationStateChanged -= OnAuthenticationStateChanged;
}
