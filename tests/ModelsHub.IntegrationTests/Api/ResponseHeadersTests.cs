using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using ModelsHub.IntegrationTests.Infrastructure;

namespace ModelsHub.IntegrationTests.Api;

/// <summary>What every API answer says about caching and about itself: cache rules per caller, Vary, and the security headers.</summary>
public sealed class ResponseHeadersTests : IDisposable
{
    private const string Frontend = "https://frontend.example.test";

    private readonly HubApplication _app = new HubApplication().With("Cors:AllowedOrigins:0", Frontend);

    public void Dispose() => _app.Dispose();

    private static string Values(HttpResponseMessage response, string header) =>
        string.Join(", ", response.Headers.TryGetValues(header, out var values) ? values : response.Content.Headers.TryGetValues(header, out var content) ? content : []);

    [Fact]
    public async Task ACallersOwnDataIsNeverStoredByACache()
    {
        var owner = _app.ClientFor("vera", "user");
        await Uploads.CreateModelAsync(owner, "vera-private");
        foreach (var url in new[] { "/api/me", "/api/me/github-token", "/api/models/vera-private", "/api/models?mine=true", "/api/models/vera-private/versions" })
        {
            var response = await owner.GetAsync(url);
            Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.NotFound, $"{url}: {response.StatusCode}");
            Assert.Contains("no-store", Values(response, "Cache-Control"));
        }
    }

    [Fact]
    public async Task AnswersThatDependOnTheCallerVaryByAuthorization()
    {
        await _app.ClientFor("ada", "admin").PostAsJsonAsync("/api/models", Samples.Model("vary-public", "public"), HubApplication.Json).ExpectAsync(HttpStatusCode.Created);
        foreach (var url in new[] { "/api/models/stats", "/api/models", "/api/models/vary-public", "/api/models/download?model_type=llm" })
        {
            var anonymous = await _app.ClientFor(null).GetAsync(url).ExpectAsync(HttpStatusCode.OK);
            Assert.Contains("Authorization", Values(anonymous, "Vary"));
        }
    }

    [Fact]
    public async Task WithCorsEveryApiAnswerVariesByOriginAndTheDownloadListStaysCacheable()
    {
        var plain = await _app.ClientFor(null).GetAsync("/api/models/download?model_type=llm").ExpectAsync(HttpStatusCode.OK);
        Assert.Contains("Origin", Values(plain, "Vary"));
        Assert.StartsWith("public", Values(plain, "Cache-Control"));

        var request = new HttpRequestMessage(HttpMethod.Get, "/api/models/download?model_type=llm");
        request.Headers.TryAddWithoutValidation("Origin", Frontend);
        var cors = await _app.ClientFor(null).SendAsync(request).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(Frontend, Values(cors, "Access-Control-Allow-Origin"));
        Assert.Contains("Origin", Values(cors, "Vary"));
        Assert.Contains("Origin", Values(await _app.ClientFor(null).GetAsync("/api/models/stats"), "Vary"));
    }

    [Fact]
    public async Task EveryAnswerCarriesTheSecurityHeaders()
    {
        foreach (var url in new[] { "/api/health", "/api/models", "/api/models/missing", "/not-an-api-route" })
        {
            var response = await _app.ClientFor(null).GetAsync(url);
            Assert.Equal("nosniff", Values(response, "X-Content-Type-Options"));
            Assert.Equal("no-referrer", Values(response, "Referrer-Policy"));
            // HSTS outside Development (these tests run as "Testing").
            Assert.StartsWith("max-age=", Values(response, "Strict-Transport-Security"));
        }
        var api = await _app.ClientFor(null).GetAsync("/api/models");
        Assert.Equal("DENY", Values(api, "X-Frame-Options"));
        Assert.Contains("frame-ancestors 'none'", Values(api, "Content-Security-Policy"));

        using var development = _app.WithWebHostBuilder(b => b.UseEnvironment("Development"));
        var local = await development.CreateClient().GetAsync("/api/health").ExpectAsync(HttpStatusCode.OK);
        Assert.False(local.Headers.Contains("Strict-Transport-Security"));
        Assert.Equal("nosniff", Values(local, "X-Content-Type-Options"));
        // The interactive API page (Development only) runs its own scripts: no API content policy on it.
        var docs = await development.CreateClient().GetAsync("/api/docs").ExpectAsync(HttpStatusCode.OK);
        Assert.False(docs.Headers.Contains("Content-Security-Policy"));
    }
}
