using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using ModelsHub.Contracts;
using ModelsHub.Contracts.Problems;

namespace ModelsHub.Cli;

/// <summary>An answer of the hub: its status, and the body as <typeparamref name="T"/> (success) or as a problem (failure).</summary>
public sealed record HubAnswer<T>(HttpStatusCode Status, T? Value, ProblemResponse? Problem) where T : class
{
    public bool IsSuccess => (int)Status is >= 200 and < 300;
}

/// <summary>
/// The hub's JSON API with a bearer token: requests and answers are the API's records
/// (<c>ModelsHub.Contracts</c>) in its JSON shape (<see cref="ContractJson"/>: requests leave out
/// what they do not set); problem+json answers become readable errors.
/// </summary>
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

    public async Task<HubAnswer<T>> SendAsync<T>(HttpMethod method, string path, object? body, CancellationToken cancellationToken) where T : class
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body, body.GetType(), options: ContractJson.RequestOptions);
        }
        using var response = await _http.SendAsync(request, cancellationToken);
        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        if (response.IsSuccessStatusCode)
        {
            return new(response.StatusCode, bytes.Length == 0 ? null : Read<T>(method, path, bytes), null);
        }
        return new(response.StatusCode, null, ReadProblem(bytes));
    }

    public async Task<T> ExpectAsync<T>(HttpMethod method, string path, object? body, CancellationToken cancellationToken, params HttpStatusCode[] ok) where T : class
    {
        var answer = await SendAsync<T>(method, path, body, cancellationToken);
        return ok.Contains(answer.Status) && answer.Value is { } value ? value : throw Problem(method, path, answer);
    }

    public static HubRequestException Problem<T>(HttpMethod method, string path, HubAnswer<T> answer) where T : class
    {
        var detail = answer.Problem?.Detail;
        // A validation problem names each bad field: those say what to do (a gated repository, a glob that matches nothing).
        var fields = answer.Problem?.Errors is { Count: > 0 } errors
            ? string.Concat(errors.SelectMany(e => e.Value.Select(message => $"\n  {e.Key}: {message}")))
            : "";
        return new HubRequestException($"{method} {path}: {(int)answer.Status} {answer.Status}{(detail is null ? "" : $" — {detail}")}{fields}");
    }

    private static T Read<T>(HttpMethod method, string path, byte[] bytes)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(bytes, ContractJson.Options) ?? throw new JsonException("The answer is null.");
        }
        catch (JsonException ex)
        {
            throw new HubRequestException($"{method} {path}: the hub's answer is not a {typeof(T).Name}: {ex.Message}");
        }
    }

    /// <summary>A problem+json body, if the answer has one (a proxy's HTML error page has none).</summary>
    private static ProblemResponse? ReadProblem(byte[] bytes)
    {
        try
        {
            return bytes.Length == 0 ? null : JsonSerializer.Deserialize<ProblemResponse>(bytes, ContractJson.Options);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public void Dispose() => _http.Dispose();
}
