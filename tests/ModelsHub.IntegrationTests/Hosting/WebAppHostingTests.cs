using System.Net;
using System.Text.Json;
using ModelsHub.Functions.WebApp;
using ModelsHub.IntegrationTests.Infrastructure;
using ModelsHub.Testing;

namespace ModelsHub.IntegrationTests.Hosting;

/// <summary>
/// The standalone hub serves the web app at <c>/</c> from its build output: index.html for the app's deep links
/// (never for /api or a missing file), fingerprinted assets compressed and cached for good, and the same
/// security headers as the Static Web App's configuration.
/// </summary>
public sealed class WebAppHostingTests : IAsyncLifetime
{
    private HubProcess _hub = null!;

    public async Task InitializeAsync() => _hub = await HubProcess.StartAsync();

    public async Task DisposeAsync() => await _hub.DisposeAsync();

    [Theory]
    [InlineData("/")]
    [InlineData("/models/qwen3")]
    [InlineData("/admin/users/ada?x=1")]
    public async Task TheAppsRoutesAnswerItsPageWithItsSecurityHeaders(string path)
    {
        var response = await _hub.Client.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("_framework/blazor.webassembly.js", await response.Content.ReadAsStringAsync());
        Assert.Equal("no-cache", response.Headers.CacheControl?.ToString());
        foreach (var (name, value) in WebAppHosting.SecurityHeaders)
        {
            Assert.Equal(value, response.Headers.GetValues(name).Single());
        }
    }

    [Theory]
    [InlineData("/api/nothing-here")]
    [InlineData("/api")]
    [InlineData("/css/missing.css")]
    public async Task ApiPathsAndMissingFilesStayNotFound(string path)
    {
        var response = await _hub.Client.GetAsync(path);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.NotEqual("text/html", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task AssetsComeCompressedTheRuntimesFingerprintedFilesCachedForGood()
    {
        var loader = await GetAsync("/_framework/dotnet.js");
        Assert.Equal(HttpStatusCode.OK, loader.StatusCode);
        Assert.Contains(loader.Content.Headers.ContentEncoding.Single(), new[] { "gzip", "br" });
        // Plainly named files are revalidated by ETag; the files they name carry a fingerprint and never change.
        Assert.NotNull(loader.Headers.ETag);
        var runtime = System.Text.RegularExpressions.Regex.Match(await _hub.Client.GetStringAsync("/_framework/dotnet.js"), "dotnet\\.native\\.[a-z0-9]+\\.wasm").Value;
        Assert.NotEmpty(runtime);

        var wasm = await GetAsync("/_framework/" + runtime);

        Assert.Equal(HttpStatusCode.OK, wasm.StatusCode);
        Assert.Contains(wasm.Content.Headers.ContentEncoding.Single(), new[] { "gzip", "br" });
        Assert.Contains("immutable", wasm.Headers.CacheControl?.ToString());
    }

    private async Task<HttpResponseMessage> GetAsync(string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.AcceptEncoding.ParseAdd("gzip, br");
        return await _hub.Client.SendAsync(request);
    }

    [Fact]
    public void TheStaticWebAppSendsTheSameSecurityHeaders()
    {
        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(UpstreamFixtures.RepositoryRoot, "src", "Web", "wwwroot", "staticwebapp.config.json")));
        var global = config.RootElement.GetProperty("globalHeaders");
        foreach (var (name, value) in WebAppHosting.SecurityHeaders)
        {
            Assert.Equal(value, global.GetProperty(name).GetString());
        }
        Assert.Equal("/index.html", config.RootElement.GetProperty("navigationFallback").GetProperty("rewrite").GetString());
        Assert.Contains("/api/*", config.RootElement.GetProperty("navigationFallback").GetProperty("exclude").EnumerateArray().Select(e => e.GetString()));
    }
}
