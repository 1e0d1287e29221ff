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

    private static string Flatten(Exception error) =>
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
        var server = Path.Combine(AppContext.BaseDirectory, "ModelsHub.Functions.dll");
        var start = new ProcessStartInfo("dotnet", [server])
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
        using var process = Process.Start(start)!;
        var output = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri("http://localhost:7071"), Timeout = TimeSpan.FromSeconds(2) };
            HttpResponseMessage? health = null;
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (DateTime.UtcNow < deadline && !process.HasExited)
            {
                try
                {
                    health = await client.GetAsync("/api/health");
                    break;
                }
                catch (HttpRequestException)
                {
                    await Task.Delay(100);
                }
            }
            Assert.True(health?.StatusCode == HttpStatusCode.OK, "no 200 from localhost:7071/api/health; server said:\n" + output);
            Assert.True(File.Exists(Path.Combine(workDir, ".data", "modelshub.db")), "no database under .data");
            lock (output) Assert.Contains("Development sign-in is ON", output.ToString());
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            Directory.Delete(workDir, recursive: true);
        }
    }
}

[CollectionDefinition(nameof(DefaultPortCollection), DisableParallelization = true)]
public sealed class DefaultPortCollection;
