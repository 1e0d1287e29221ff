using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Components.WebAssembly.Http;

namespace ModelsHub.Web.Services.Api;

/// <summary>The answer to a write: the body, the status (201, 202…), and the resource's new ETag.</summary>
public sealed record ApiResult<T>(HttpStatusCode Status, T? Value, string? ETag);

/// <summary>
/// The one place that talks HTTP to the hub: JSON in and out with the API's conventions, conditional
/// requests, and every non-success answer turned into an <see cref="ApiException"/> carrying its problem.
/// </summary>
public sealed class ApiClient(HttpClient http)
{
    public Uri BaseAddress => http.BaseAddress!;

    public async Task<T> GetAsync<T>(string path, CancellationToken cancellationToken = default)
    {
        using var response = await http.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
        return (await response.Content.ReadFromJsonAsync(TypeInfo<T>(), cancellationToken))!;
    }

    /// <summary>GET that answers null for a 404 instead of throwing.</summary>
    public async Task<T?> FindAsync<T>(string path, CancellationToken cancellationToken = default) where T : class
    {
        try
        {
            return await GetAsync<T>(path, cancellationToken);
        }
        catch (ApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public async Task<ApiResult<T>> SendAsync<T>(HttpMethod method, string path, object? body = null, string? ifMatch = null,
        CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body, HubJson.RequestOptions.GetTypeInfo(body.GetType()));
        }
        if (ifMatch is not null)
        {
            request.Headers.IfMatch.Add(EntityTagHeaderValue.Parse(ifMatch.StartsWith('"') ? ifMatch : $"\"{ifMatch}\""));
        }
        using var response = await http.SendAsync(request, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
        var etag = response.Headers.ETag?.Tag;
        if (response.StatusCode == HttpStatusCode.NoContent || response.Content.Headers.ContentLength == 0 || typeof(T) == typeof(NoBody))
        {
            return new ApiResult<T>(response.StatusCode, default, etag);
        }
        var value = await response.Content.ReadFromJsonAsync(TypeInfo<T>(), cancellationToken);
        return new ApiResult<T>(response.StatusCode, value, etag);
    }

    public Task<ApiResult<NoBody>> SendAsync(HttpMethod method, string path, object? body = null, string? ifMatch = null,
        CancellationToken cancellationToken = default) => SendAsync<NoBody>(method, path, body, ifMatch, cancellationToken);

    /// <summary>
    /// A server-sent event stream, read as it arrives (the browser's fetch streams the body instead of buffering
    /// it); from <paramref name="lastEventId"/> on when resuming. Ends when the hub ends the stream.
    /// </summary>
    public async IAsyncEnumerable<SseItem<string>> StreamAsync(string path, string? lastEventId = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }
        if (OperatingSystem.IsBrowser())
        {
            request.SetBrowserResponseStreamingEnabled(true);
        }
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        await foreach (var item in SseParser.Create(stream).EnumerateAsync(cancellationToken))
        {
            yield return item;
        }
    }

    /// <summary>An answer's JSON read with the app's generated serializers.</summary>
    public static T Read<T>(string json) => JsonSerializer.Deserialize(json, TypeInfo<T>())!;

    private static JsonSerializerOptions Options => HubJson.Options;

    private static JsonTypeInfo<T> TypeInfo<T>() => (JsonTypeInfo<T>)Options.GetTypeInfo(typeof(T));

    internal static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }
        ProblemResponse? problem = null;
        var mediaType = response.Content.Headers.ContentType?.MediaType;
        if (mediaType is "application/problem+json" or "application/json")
        {
            try
            {
                var body = await response.Content.ReadFromJsonAsync(HubJsonContext.Default.JsonElement, cancellationToken);
                problem = body.ValueKind == JsonValueKind.Object ? ProblemReader.Read(body) : null;
            }
            catch (JsonException)
            {
            }
        }
        problem ??= new ProblemResponse { Title = response.ReasonPhrase };
        throw new ApiException(problem with { Status = (int)response.StatusCode });
    }
}

/// <summary>The body of an answer that has none worth reading.</summary>
public sealed record NoBody;
