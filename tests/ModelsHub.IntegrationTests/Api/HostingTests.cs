using Microsoft.AspNetCore.Hosting;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using ModelsHub.Contracts.Health;
using ModelsHub.Functions.Health;
using ModelsHub.IntegrationTests.Infrastructure;

namespace ModelsHub.IntegrationTests.Api;

public sealed class HostingTests : IDisposable
{
    private readonly HubApplication _app = new();

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task LivenessAndReadinessAnswer()
    {
        var client = _app.ClientFor(null);
        Assert.Equal("healthy", (await client.GetFromJsonAsync<HealthResponse>("/api/health", HubApplication.Json))!.Status);
        var ready = await client.GetFromJsonAsync<ReadinessResponse>("/api/health/ready", HubApplication.Json);
        Assert.Equal("ready", ready!.Status);
        Assert.Equal(["blobs", "sqlite"], ready.Checks.Select(c => c.Name).Order());
        Assert.True(File.Exists(Path.Combine(_app.DataDirectory, "modelshub.db")));
    }

    [Fact]
    public async Task TheOpenApiDocumentDescribesTheApi()
    {
        var document = await (await _app.ClientFor(null).GetAsync("/api/openapi.json").ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        var paths = document.GetProperty("paths");
        foreach (var path in new[] { "/api/models", "/api/models/{name}", "/api/models/stats", "/api/me", "/api/users/{id}/permissions/{permission}", "/api/health" })
        {
            Assert.True(paths.TryGetProperty(path, out _), path);
        }
        Assert.Equal("ListModels", paths.GetProperty("/api/models").GetProperty("get").GetProperty("operationId").GetString());
    }

    [Fact]
    public async Task TheInteractiveApiPageIsServedInDevelopmentOnly()
    {
        using var development = _app.WithWebHostBuilder(b => b.UseEnvironment("Development"));
        using var page = await development.CreateClient().GetAsync("/api/docs").ExpectAsync(HttpStatusCode.OK);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<title>ModelsHub API</title>", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        await _app.ClientFor(null).GetAsync("/api/docs").ExpectAsync(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("Storage:Profile", "Floppy", "Storage:Profile")]
    [InlineData("Api:MaxRequestBodyBytes", "5", "Api:MaxRequestBodyBytes")]
    [InlineData("Auth:Development:SigningKey", "c2hvcnQ=", "Auth:Development:SigningKey")]
    [InlineData("Auth:Mode", "Entra", "AzureAd:ClientId")]
    [InlineData("Cors:AllowedOrigins:0", "*", "Cors:AllowedOrigins:0")]
    [InlineData("Cors:AllowedOrigins:0", "https://frontend.example.test/app", "Cors:AllowedOrigins:0")]
    [InlineData("Cors:AllowedOrigins:0", "https://*.example.test", "Cors:AllowedOrigins:0")]
    [InlineData("Cors:AllowedOrigins:0", "ftp://frontend.example.test", "Cors:AllowedOrigins:0")]
    [InlineData("Cors:AllowedOrigins:0", "frontend.example.test", "Cors:AllowedOrigins:0")]
    public void AWrongSettingFailsAtStartNamingIt(string key, string value, string named)
    {
        using var app = new HubApplication().With(key, value);
        var error = Assert.ThrowsAny<Exception>(() => app.CreateClient());
        Assert.Contains(named, Flatten(error));
    }

    [Theory]
    [InlineData("AzureAd:Instance", "http://login.microsoftonline.com/")]
    [InlineData("AzureAd:Instance", "login.microsoftonline.com")]
    [InlineData("AzureAd:Instance", "https://login.microsoftonline.com/?x=1")]
    [InlineData("AzureAd:TenantId", "not a tenant/")]
    [InlineData("AzureAd:ClientId", "has spaces in it")]
    [InlineData("AzureAd:Audience", "not a uri")]
    public void EntraSettingsThatCanNeverWorkFailAtStartNamingThem(string key, string value)
    {
        using var app = new HubApplication()
            .With("Auth:Mode", "Entra")
            .With("AzureAd:Instance", "https://login.microsoftonline.com/")
            .With("AzureAd:TenantId", "11111111-2222-3333-4444-555555555555")
            .With("AzureAd:ClientId", "66666666-7777-8888-9999-000000000000")
            .With("AzureAd:Audience", "api://modelshub")
            .With(key, value);
        var error = Assert.ThrowsAny<Exception>(() => app.CreateClient());
        Assert.Contains(key, Flatten(error));
    }

    [Fact]
    public void ADataFolderThatIsAFileFailsAtStartNamingTheSetting()
    {
        var file = Path.GetTempFileName();
        try
        {
            using var app = new HubApplication().With("Storage:Embedded:DataDirectory", file);
            var error = Assert.ThrowsAny<Exception>(() => app.CreateClient());
            Assert.Contains("Storage:Embedded:DataDirectory", Flatten(error));
        }
        finally
        {
            File.Delete(file);
        }
    }

    internal static string Flatten(Exception error) =>
        error is AggregateException a ? string.Join("\n", a.InnerExceptions.Select(Flatten)) : error + (error.InnerException is null ? "" : "\n" + Flatten(error.InnerException));
}

/// <summary>The README's first command: the built server with no configuration serves the embedded profile on localhost:7071.</summary>
[Collection(nameof(DefaultPortCollection))]
public sealed class StandaloneServerTests
{
    [Fact]
    public async Task WithNoConfigurationTheServerListensOn7071WithDataInALocalFolder()
    {
        var workDir = Path.Combine(Path.GetTempPath(), "modelshub-standalone", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(workDir);
        var serverDll = Path.Combine(AppContext.BaseDirectory, "ModelsHub.Functions.dll");
        var start = new ProcessStartInfo("dotnet", [serverDll])
        {
            WorkingDirectory = workDir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("ASPNETCORE_", StringComparison.Ordinal) || k.StartsWith("DOTNET_URLS", StringComparison.Ordinal) || k.StartsWith("FUNCTIONS_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(key);
        }
        start.Environment["ASPNETCORE_CONTENTROOT"] = workDir;
        var server = StartedServer.Start(start);
        try
        {
            await server.AssertAnswersAsync(new Uri("http://localhost:7071"), TimeSpan.FromSeconds(30));
            Assert.True(File.Exists(Path.Combine(workDir, ".data", "modelshub.db")), "no database under .data");
            Assert.Contains("Development sign-in is ON", server.Output);
        }
        finally
        {
            await server.DisposeAsync();
            Directory.Delete(workDir, recursive: true);
        }
    }
}

/// <summary><c>dotnet run</c> as a newcomer uses it: the launch profile must not override the address they ask for.</summary>
[Collection(nameof(DefaultPortCollection))]
public sealed class DotnetRunTests
{
    [Fact]
    public async Task DotnetRunListensWhereAspNetCoreUrlsSays()
    {
        int port;
        using (var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        var data = Path.Combine(Path.GetTempPath(), "modelshub-tests", "run-" + Guid.NewGuid().ToString("N"));
        // The configuration the tests were built with (the server next to them was built the same way).
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
        var start = new ProcessStartInfo("dotnet", ["run", "--no-build", "-c", configuration, "--project", Path.Combine(ModelsHub.Testing.UpstreamFixtures.RepositoryRoot, "src", "Functions")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase) || k.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)
            || k.StartsWith("ASPNETCORE_", StringComparison.Ordinal) || k.StartsWith("FUNCTIONS_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(key);
        }
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        start.Environment["Storage__Embedded__DataDirectory"] = data;
        start.Environment["Auth__Development__SigningKey"] = HubApplication.SigningKey;
        start.Environment["Sync__Schedule"] = HubApplication.NeverDuringTests;
        var server = StartedServer.Start(start);
        try
        {
            await server.AssertAnswersAsync(new Uri($"http://127.0.0.1:{port}"), TimeSpan.FromSeconds(60));
        }
        finally
        {
            await server.DisposeAsync();
            try { Directory.Delete(data, recursive: true); } catch (IOException) { }
        }
    }
}

/// <summary>A server process a test started: its output, a wait for its first 200 on /api/health, and its end.</summary>
internal sealed class StartedServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly System.Text.StringBuilder _output = new();

    private StartedServer(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => { lock (_output) _output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (_output) _output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public static StartedServer Start(ProcessStartInfo start) => new(Process.Start(start)!);

    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    public async Task AssertAnswersAsync(Uri address, TimeSpan within)
    {
        using var client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(2) };
        HttpResponseMessage? health = null;
        var deadline = DateTime.UtcNow + within;
        while (DateTime.UtcNow < deadline && !_process.HasExited)
        {
            try
            {
                health = await client.GetAsync("/api/health");
                break;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                await Task.Delay(100);
            }
        }
        Assert.True(health?.StatusCode == HttpStatusCode.OK, $"no 200 from {address}api/health; the server said:\n{Output}");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }
        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}

[CollectionDefinition(nameof(DefaultPortCollection), DisableParallelization = true)]
public sealed class DefaultPortCollection;
