using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace ModelsHub.Cli;

/// <summary>The hub's JSON API with a bearer token; problem+json answers become readable errors.</summary>
public sealed class HubClient : IDisposable
{
    private readonly HttpClient _http;

    public HubClient(Uri hub, string? token)
    {
        _http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), MaxConnectionsPerServer = 64 })
        {
            BaseAddress = hub,
            Timeout = TimeSpan.FromMinutes(30),
        };
        if (!string.IsNullOrEmpty(token))
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
    }

    /// <summary>For block uploads: no bearer token (the target URL carries its own authorization, like a SAS).</summary>
    public static HttpClient CreateBlobClient() =>
        new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), MaxConnectionsPerServer = 64 }) { Timeout = TimeSpan.FromMinutes(10) };

    public HttpClient Http => _http;

    public async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(HttpMethod method, string path, object? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }
        using var response = await _http.SendAsync(request, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        var json = text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
        return (response.StatusCode, json);
    }

    public async Task<JsonElement> ExpectAsync(HttpMethod method, string path, object? body, CancellationToken cancellationToken, params HttpStatusCode[] ok)
    {
        var (status, json) = await SendAsync(method, path, body, cancellationToken);
        return ok.Contains(status) ? json : throw Problem(method, path, status, json);
    }

    public static HubRequestException Problem(HttpMethod method, string path, HttpStatusCode status, JsonElement body)
    {
        var detail = body.ValueKind == JsonValueKind.Object && body.TryGetProperty("detail", out var d) ? d.GetString() : null;
        return new HubRequestException($"{method} {path}: {(int)status} {status}{(detail is null ? "" : $" — {detail}")}");
    }

    public void Dispose() => _http.Dispose();
}
