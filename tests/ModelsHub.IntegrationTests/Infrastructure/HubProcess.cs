using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace ModelsHub.IntegrationTests.Infrastructure;

/// <summary>
/// The built server as a child process on a free loopback port, so a test can kill it (or let a
/// fault injection end it) and start another on the same data folder.
/// </summary>
public sealed class HubProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private HubProcess(Process process, int port)
    {
        _process = process;
        Client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
        process.OutputDataReceived += (_, e) => { lock (_output) _output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (_output) _output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public HttpClient Client { get; }

    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public static async Task<HubProcess> StartAsync(string dataDirectory, IDictionary<string, string> settings)
    {
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "ModelsHub.Functions.dll")])
        {
            WorkingDirectory = dataDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("ASPNETCORE_", StringComparison.Ordinal) || k.StartsWith("DOTNET_URLS", StringComparison.Ordinal) || k.StartsWith("FUNCTIONS_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(key);
        }
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        start.Environment["ASPNETCORE_CONTENTROOT"] = dataDirectory;
        start.Environment["Storage__Embedded__DataDirectory"] = dataDirectory;
        start.Environment["Auth__Mode"] = "Development";
        start.Environment["Auth__Development__SigningKey"] = HubApplication.SigningKey;
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        start.Environment["Sync__Schedule"] = HubApplication.NeverDuringTests;
        start.Environment["DOTNET_DbgEnableMiniDump"] = "0";
        foreach (var (key, value) in settings)
        {
            start.Environment[key] = value;
        }
        var hub = new HubProcess(Process.Start(start)!, port);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            if (hub.HasExited) throw new Xunit.Sdk.XunitException($"The server exited with {hub.ExitCode} while starting:\n{hub.Output}");
            try
            {
                if ((await hub.Client.GetAsync("/api/health")).StatusCode == HttpStatusCode.OK) return hub;
            }
            catch (HttpRequestException)
            {
            }
            if (DateTime.UtcNow > deadline) throw new Xunit.Sdk.XunitException("The server did not answer within 60 s:\n" + hub.Output);
            await Task.Delay(50);
        }
    }

    /// <summary>A client signed in through the development token endpoint.</summary>
    public async Task<HttpClient> ClientForAsync(string user, params string[] roles)
    {
        var response = await Client.PostAsJsonAsync("/api/dev/token", new { user, roles });
        response.EnsureSuccessStatusCode();
        var token = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString();
        var client = new HttpClient { BaseAddress = Client.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
