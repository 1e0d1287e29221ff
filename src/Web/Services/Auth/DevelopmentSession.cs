using System.Net.Http.Json;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Components.Authorization;
using ModelsHub.Web.Services.Api;

namespace ModelsHub.Web.Services.Auth;

/// <summary>
/// The embedded profile's sign-in: a token the hub mints for a named user and roles (<c>POST /api/dev/token</c>),
/// kept in this browser so a reload or a new tab stays signed in until it expires.
/// </summary>
public sealed class DevelopmentSession(HttpClient anonymous, BrowserStorage storage, TimeProvider clock) : AuthenticationStateProvider, ITokenSource
{
    private const string StorageKey = "devToken";
    private static readonly AuthenticationState Anonymous = new(new ClaimsPrincipal(new ClaimsIdentity()));

    private string? _token;
    private bool _loaded;

    public async ValueTask<string?> GetTokenAsync(CancellationToken cancellationToken = default)
    {
        await LoadAsync();
        if (_token is not null && IsExpired(_token))
        {
            _token = null;
            await storage.SetAsync(StorageKey, null);
            NotifyAuthenticationStateChanged(Task.FromResult(Anonymous));
        }
        return _token;
    }

    public override async Task<AuthenticationState> GetAuthenticationStateAsync()
    {
        var token = await GetTokenAsync();
        return token is null ? Anonymous : new AuthenticationState(Principal(token));
    }

    /// <summary>Signs in as <paramref name="user"/> with <paramref name="roles"/>; the hub's field errors come back as an <see cref="ApiException"/>.</summary>
    public async Task SignInAsync(string user, IReadOnlyList<string> roles, string? displayName, CancellationToken cancellationToken = default)
    {
        using var response = await anonymous.PostAsJsonAsync("api/dev/token",
            new DevTokenRequest(user, roles, string.IsNullOrWhiteSpace(displayName) ? null : displayName, null),
            (System.Text.Json.Serialization.Metadata.JsonTypeInfo<DevTokenRequest>)HubJson.RequestOptions.GetTypeInfo(typeof(DevTokenRequest)), cancellationToken);
        await ApiClient.EnsureSuccessAsync(response, cancellationToken);
        var minted = (await response.Content.ReadFromJsonAsync(HubJsonContext.Default.DevTokenResponse, cancellationToken))!;
        _token = minted.AccessToken;
        _loaded = true;
        await storage.SetAsync(StorageKey, _token);
        NotifyAuthenticationStateChanged(Task.FromResult(new AuthenticationState(Principal(_token))));
    }

    public async Task SignOutAsync()
    {
        _token = null;
        _loaded = true;
        await storage.SetAsync(StorageKey, null);
        NotifyAuthenticationStateChanged(Task.FromResult(Anonymous));
    }

    private async ValueTask LoadAsync()
    {
        if (!_loaded)
        {
            _token = await storage.GetAsync(StorageKey);
            _loaded = true;
        }
    }

    private bool IsExpired(string token) =>
        !Payload(token).TryGetProperty("exp", out var exp) || !exp.TryGetInt64(out var seconds)
        || DateTimeOffset.FromUnixTimeSeconds(seconds) <= clock.GetUtcNow().AddSeconds(30);

    internal static ClaimsPrincipal Principal(string token)
    {
        var payload = Payload(token);
        var claims = new List<Claim>();
        foreach (var property in payload.EnumerateObject())
        {
            if (property.Value.ValueKind == JsonValueKind.Array)
            {
                claims.AddRange(property.Value.EnumerateArray().Select(v => new Claim(property.Name, v.ToString())));
            }
            else
            {
                claims.Add(new Claim(property.Name, property.Value.ToString()));
            }
        }
        return new ClaimsPrincipal(new ClaimsIdentity(claims, "development", "name", "roles"));
    }

    private static JsonElement Payload(string token)
    {
        var parts = token.Split('.');
        if (parts.Length < 2)
        {
            return default;
        }
        var base64 = parts[1].Replace('-', '+').Replace('_', '/');
        base64 = base64.PadRight(base64.Length + (4 - base64.Length % 4) % 4, '=');
        try
        {
            using var document = JsonDocument.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(base64)));
            return document.RootElement.Clone();
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            return default;
        }
    }
}
