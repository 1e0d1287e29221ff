using System.Net;
using ModelsHub.IntegrationTests.Infrastructure;

namespace ModelsHub.IntegrationTests.Api;

/// <summary>The API's CORS policy: the configured frontend origins get CORS headers, nobody else does.</summary>
public sealed class CorsTests : IDisposable
{
    private const string Frontend = "https://frontend.example.test";
    private const string Elsewhere = "https://elsewhere.example.test";

    private readonly HubApplication _app = new HubApplication()
        .With("Cors:AllowedOrigins:0", Frontend)
        .With("Cors:AllowedOrigins:1", "http://localhost:5173");

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task APreflightFromTheFrontendIsAnsweredForItsOriginMethodAndHeaders()
    {
        var response = await _app.CreateClient().SendAsync(Preflight("/api/models/some-model", Frontend, "PATCH", "authorization, content-type, if-match"));

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(Frontend, Single(response, "Access-Control-Allow-Origin"));
        Assert.Contains("PATCH", Values(response, "Access-Control-Allow-Methods"));
        Assert.Subset(Values(response, "Access-Control-Allow-Headers").Select(h => h.ToLowerInvariant()).ToHashSet(), new HashSet<string> { "authorization", "content-type", "if-match" });
        Assert.Equal("3600", Single(response, "Access-Control-Max-Age"));
        Assert.False(response.Headers.Contains("Access-Control-Allow-Credentials"), "bearer tokens need no credentialed CORS");
    }

    [Fact]
    public async Task APreflightForAChunkUploadAllowsTheBlobHeaders()
    {
        var response = await _app.CreateClient().SendAsync(Preflight("/api/blobs/uploads/u1/model.bin?comp=block&blockid=AAAA", Frontend, "PUT",
            "content-md5, x-ms-blob-type, x-ms-version, x-ms-client-request-id"));

        Assert.Equal(Frontend, Single(response, "Access-Control-Allow-Origin"));
        Assert.Subset(Values(response, "Access-Control-Allow-Headers").Select(h => h.ToLowerInvariant()).ToHashSet(),
            new HashSet<string> { "content-md5", "x-ms-blob-type", "x-ms-version", "x-ms-client-request-id" });
    }

    [Fact]
    public async Task APreflightAskingForAHeaderOffTheListDoesNotGetItAllowed()
    {
        var response = await _app.CreateClient().SendAsync(Preflight("/api/models", Frontend, "POST", "authorization, x-something-else"));

        // The answer lists what is allowed; the browser then refuses to send the request.
        var allowed = Values(response, "Access-Control-Allow-Headers").Select(h => h.ToLowerInvariant()).ToList();
        Assert.Contains("authorization", allowed);
        Assert.DoesNotContain("x-something-else", allowed);
        Assert.DoesNotContain("*", allowed);
    }

    [Fact]
    public async Task ARequestFromTheFrontendGetsItsOriginAndTheExposedHeaders()
    {
        var client = _app.CreateClient();
        client.DefaultRequestHeaders.Add("Origin", Frontend);

        var list = await client.GetAsync("/api/models");
        var missing = await client.GetAsync("/api/models/no-such-model");

        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        Assert.Equal(Frontend, Single(list, "Access-Control-Allow-Origin"));
        Assert.Equal(
            new[] { "content-md5", "content-range", "etag", "location", "repr-digest", "retry-after", "x-content-sha256" },
            Values(list, "Access-Control-Expose-Headers").Select(h => h.ToLowerInvariant()).Order());
        // A browser can only read a problem response that carries the header too.
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal(Frontend, Single(missing, "Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task AnotherOriginGetsNoCorsHeaders()
    {
        var client = _app.CreateClient();
        var preflight = await client.SendAsync(Preflight("/api/models", Elsewhere, "POST", "authorization"));
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/models");
        request.Headers.Add("Origin", Elsewhere);
        var response = await client.SendAsync(request);

        Assert.False(preflight.Headers.Contains("Access-Control-Allow-Origin"));
        Assert.False(preflight.Headers.Contains("Access-Control-Allow-Methods"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task WithoutConfiguredOriginsNoResponseCarriesCorsHeaders()
    {
        using var app = new HubApplication();
        var client = app.CreateClient();
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/models");
        request.Headers.Add("Origin", Frontend);

        var preflight = await client.SendAsync(Preflight("/api/models", Frontend, "GET", "authorization"));
        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain(response.Headers, h => h.Key.StartsWith("Access-Control-", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(preflight.Headers, h => h.Key.StartsWith("Access-Control-", StringComparison.OrdinalIgnoreCase));
    }

    private static HttpRequestMessage Preflight(string url, string origin, string method, string headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Options, url);
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", method);
        request.Headers.Add("Access-Control-Request-Headers", headers);
        return request;
    }

    private static string Single(HttpResponseMessage response, string header) =>
        Assert.Single(response.Headers.TryGetValues(header, out var values) ? values : []);

    private static List<string> Values(HttpResponseMessage response, string header) =>
        (response.Headers.TryGetValues(header, out var values) ? values : [])
            .SelectMany(v => v.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            .ToList();
}
