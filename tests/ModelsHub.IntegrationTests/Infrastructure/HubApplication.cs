using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using ModelsHub.Contracts;
using ModelsHub.Core.Common;
using ModelsHub.Functions.Auth;
using ModelsHub.Functions.Triggers;

namespace ModelsHub.IntegrationTests.Infrastructure;

/// <summary>
/// The hub on the embedded profile in memory, with its own data folder (deleted on dispose) and
/// a development signing key, minting tokens for whichever user and roles a test needs.
/// </summary>
public class HubApplication : WebApplicationFactory<Program>
{
    public const string SigningKey = "bW9kZWxzaHViLXRlc3RzLXNpZ25pbmcta2V5LTMyLWJ5dGVzISE=";

    private readonly Dictionary<string, string?> _settings = new(StringComparer.OrdinalIgnoreCase);

    public HubApplication(string? dataDirectory = null)
    {
        DataDirectory = dataDirectory ?? Path.Combine(Path.GetTempPath(), "modelshub-tests", Guid.NewGuid().ToString("N"));
        OwnsDataDirectory = dataDirectory is null;
        Directory.CreateDirectory(DataDirectory);
        _settings["Storage:Embedded:DataDirectory"] = DataDirectory;
        _settings["Auth:Mode"] = "Development";
        _settings["Auth:Development:SigningKey"] = SigningKey;
        // Tests start syncs on demand; the hourly timer must not sync in the middle of one.
        _settings["Sync:Schedule"] = NeverDuringTests;
        // Suites send thousands of requests as one user from one address; the limiter runs, but only RateLimitTests meet its limits.
        foreach (var (key, value) in UnlimitedRates)
        {
            _settings[key] = value;
        }
    }

    /// <summary>Limits no test reaches unless it sets its own (the limiter still runs on every request).</summary>
    public static IReadOnlyDictionary<string, string> UnlimitedRates { get; } = new Dictionary<string, string>
    {
        ["RateLimits:Writes:PermitLimit"] = "1000000",
        ["RateLimits:Anonymous:PermitLimit"] = "1000000",
        ["RateLimits:Gateway:PermitLimit"] = "1000000",
    };

    /// <summary>A six-field schedule that fires once a year (New Year, midnight UTC), for timers tests drive themselves.</summary>
    public const string NeverDuringTests = "0 0 0 1 1 *";

    public string DataDirectory { get; }

    private bool OwnsDataDirectory { get; }

    /// <summary>
    /// The client address requests arrive from (the in-memory server has no connection, so it would be null):
    /// loopback, as from a client on the same machine, unless a test says otherwise.
    /// </summary>
    public IPAddress? RemoteAddress { get; set; } = IPAddress.Loopback;

    public static JsonSerializerOptions Json => ContractJson.Options;

    /// <summary>Sets a configuration value before the app starts.</summary>
    public HubApplication With(string key, string? value)
    {
        _settings[key] = value;
        return this;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
        builder.ConfigureServices(services => services.AddSingleton<IStartupFilter>(new RemoteAddressFilter(this)));
        builder.ConfigureServices(ConfigureTestServices);
    }

    private sealed class RemoteAddressFilter(HubApplication app) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => builder =>
        {
            builder.Use((context, following) =>
            {
                context.Connection.RemoteIpAddress = app.RemoteAddress;
                return following(context);
            });
            next(builder);
        };
    }

    protected virtual void ConfigureTestServices(IServiceCollection services)
    {
    }

    /// <summary>
    /// Runs a function as its in-process stand-in does (standalone, no HTTP endpoint invokes it): a trigger
    /// with <paramref name="data"/> as its bindings, or a timer job.
    /// </summary>
    public async Task<object?> RunFunctionAsync(string name, object? data = null)
    {
        if (Services.GetServices<IFunctionTrigger>().FirstOrDefault(t => t.Name == name) is { } trigger)
        {
            var request = new InvocationRequest(JsonSerializer.SerializeToElement(data ?? new { }), JsonSerializer.SerializeToElement(new { DequeueCount = 1 }));
            return await trigger.InvokeAsync(request, new TriggerLog(), CancellationToken.None);
        }
        await Services.GetServices<IScheduledJob>().Single(j => j.Name == name).RunAsync(CancellationToken.None);
        return null;
    }

    public string TokenFor(string user, params string[] roles) =>
        Services.GetRequiredService<DevelopmentTokens>().Mint(user, roles);

    /// <summary>A client signed in as <paramref name="user"/> with <paramref name="roles"/>; null user means anonymous.</summary>
    public HttpClient ClientFor(string? user, params string[] roles)
    {
        var client = CreateClient();
        if (user is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TokenFor(user, roles));
        }
        return client;
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing && OwnsDataDirectory)
        {
            try
            {
                Directory.Delete(DataDirectory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}

public static class HttpAssertions
{
    public static async Task<T> ReadAsync<T>(this HttpResponseMessage response)
    {
        var value = await response.Content.ReadFromJsonAsync<T>(HubApplication.Json);
        return value ?? throw new InvalidOperationException("Empty body");
    }

    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    public static async Task<HttpResponseMessage> ExpectAsync(this Task<HttpResponseMessage> call, System.Net.HttpStatusCode status)
    {
        var response = await call;
        if (response.StatusCode != status)
        {
            var body = await response.Content.ReadAsStringAsync();
            throw new Xunit.Sdk.XunitException($"Expected {(int)status} {status} but got {(int)response.StatusCode}: {body} {response.Headers.WwwAuthenticate}");
        }
        return response;
    }

    public static Task<HttpResponseMessage> SendJsonAsync(this HttpClient client, HttpMethod method, string url, object body, string? ifMatch = null)
    {
        var request = new HttpRequestMessage(method, url) { Content = JsonContent.Create(body, options: HubApplication.Json) };
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }
        return client.SendAsync(request);
    }

    public static Task<HttpResponseMessage> DeleteAsync(this HttpClient client, string url, string? ifMatch)
    {
        var request = new HttpRequestMessage(HttpMethod.Delete, url);
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }
        return client.SendAsync(request);
    }

    public static string ETagOf(this HttpResponseMessage response) =>
        response.Headers.ETag?.Tag ?? throw new Xunit.Sdk.XunitException("No ETag header");
}
