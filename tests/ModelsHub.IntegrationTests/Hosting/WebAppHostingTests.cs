using System.Net;
using System.Text.Json;
using ModelsHub.Functions.WebApp;
using ModelsHub.IntegrationTests.Infrastructure;
using ModelsHub.Testing;

namespace ModelsHub.IntegrationTests.Hosting;

/// <summary>
/// The standalone hub serves the web app at <c>/</c> from its build output: index.html for the app's deep links
/// (never for /api or a missing file), assets compressed, and the same security headers as the Static Web App's
/// configuration. Routing under /api stays the API's own: an unknown path its problem+json 404, another method
/// on a route its 405.
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
        var head = await _hub.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, path));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
    }

    [Theory]
    [InlineData("POST", "/api/nothing-here")]
    [InlineData("PUT", "/api")]
    [InlineData("DELETE", "/api/models/x/nothing-here")]
    public async Task OtherMethodsOnUnknownApiPathsAreTheApisNotFound(string method, string path)
    {
        var response = await _hub.Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task AnotherMethodOnAnApiRouteStaysItsMethodNotAllowed()
    {
        var response = await _hub.Client.DeleteAsync("/api/health");

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("/api/nothing-here")]
    [InlineData("/api")]
    [InlineData("/API/Nothing")]
    public async Task UnknownApiPathsAreTheApisNotFound(string path)
    {
        var response = await _hub.Client.GetAsync(path);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("/css/missing.css")]
    [InlineData("/models/qwen3/missing.js")]
    public async Task MissingFilesStayNotFound(string path)
    {
        var response = await _hub.Client.GetAsync(path);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.NotEqual("text/html", response.Content.Headers.ContentType?.MediaType);
    }

    /// <summary>
    /// The build output (<c>dotnet run</c>, these tests' hub) carries a build manifest, so MapStaticAssets runs its
    /// development handler whatever the environment: every file revalidated (<c>no-cache</c> and an ETag) so a rebuild
    /// shows without a restart. The published app's fingerprinted files are immutable: <see cref="PublishedPackageTests"/>.
    /// </summary>
    [Fact]
    public async Task TheBuildOutputsAssetsComeCompressedAndRevalidated()
    {
        var loader = await GetAsync(_hub.Client, "/_framework/dotnet.js");
        Assert.Equal(HttpStatusCode.OK, loader.StatusCode);
        Assert.Contains(loader.Content.Headers.ContentEncoding.Single(), new[] { "gzip", "br" });
        Assert.NotNull(loader.Headers.ETag);

        var wasm = await GetAsync(_hub.Client, "/_framework/" + await FingerprintedAssemblyAsync(_hub.Client));

        Assert.Equal(HttpStatusCode.OK, wasm.StatusCode);
        Assert.Contains(wasm.Content.Headers.ContentEncoding.Single(), new[] { "gzip", "br" });
        Assert.Equal("no-cache", wasm.Headers.CacheControl?.ToString());
        Assert.NotNull(wasm.Headers.ETag);
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

    /// <summary>A file of the app the runtime loads by its fingerprinted name (ModelsHub.Contracts.&lt;hash&gt;.wasm), as dotnet.js names it.</summary>
    internal static async Task<string> FingerprintedAssemblyAsync(HttpClient client)
    {
        var name = System.Text.RegularExpressions.Regex.Match(await client.GetStringAsync("/_framework/dotnet.js"), "ModelsHub\\.Contracts\\.[a-z0-9]+\\.wasm").Value;
        Assert.NotEmpty(name);
        return name;
    }

    internal static async Task<HttpResponseMessage> GetAsync(HttpClient client, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.AcceptEncoding.ParseAdd("gzip, br");
        return await client.SendAsync(request);
    }
}
