using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace ModelsHub.IntegrationTests.Infrastructure;

/// <summary>
/// The built server as a real process on a free loopback port (never 7071), with its own data
/// folder; and the CLI as real processes against it. Everything started here is stopped on dispose.
/// </summary>
public sealed class HubProcess : IAsyncDisposable
{
    private readonly Process _server;
    private readonly StringBuilder _log = new();

    private HubProcess(Process server, int port, string dataDirectory, StringBuilder log)
    {
        _server = server;
        _log = log;
        Address = new Uri($"http://127.0.0.1:{port}");
        DataDirectory = dataDirectory;
        Client = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromMinutes(2) };
    }

    public Uri Address { get; }

    public string DataDirectory { get; }

    public HttpClient Client { get; }

    public static async Task<HubProcess> StartAsync(IDictionary<string, string>? settings = null)
    {
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        var data = Path.Combine(Path.GetTempPath(), "modelshub-tests", "process-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(data);
        var start = Dotnet("ModelsHub.Functions.dll", data);
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["Storage__Embedded__DataDirectory"] = data;
        start.Environment["Auth__Mode"] = "Development";
        start.Environment["Auth__Development__SigningKey"] = HubApplication.SigningKey;
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }
        var log = new StringBuilder();
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var hub = new HubProcess(process, port, data, log);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The server exited with {process.ExitCode}:\n{hub.Log}");
            }
            try
            {
                if ((await hub.Client.GetAsync("/api/health")).StatusCode == HttpStatusCode.OK) return hub;
            }
            catch (HttpRequestException)
            {
            }
            if (DateTime.UtcNow > deadline)
            {
                await hub.DisposeAsync();
                throw new TimeoutException("The server did not answer within 60 s.");
            }
            await Task.Delay(50);
        }
    }

    public string Log
    {
        get { lock (_log) return _log.ToString(); }
    }

    public async Task<string> TokenAsync(string user, params string[] roles)
    {
        var response = await Client.PostAsJsonAsync("/api/dev/token", new { user, roles }).ExpectAsync(HttpStatusCode.OK);
        return (await response.JsonAsync()).GetProperty("accessToken").GetString()!;
    }

    public HttpClient ClientWith(string token)
    {
        var client = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromMinutes(2) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>Starts the CLI (the same build the tests reference) with its output captured.</summary>
    public CliProcess StartCli(params string[] args)
    {
        var start = Dotnet("ModelsHub.Cli.dll", Path.GetTempPath());
        foreach (var arg in args) start.ArgumentList.Add(arg);
        return new CliProcess(Process.Start(start)!);
    }

    private static ProcessStartInfo Dotnet(string dll, string workingDirectory)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, dll));
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("ASPNETCORE_", StringComparison.Ordinal) || k.StartsWith("FUNCTIONS_", StringComparison.Ordinal) || k.StartsWith("MODELSHUB_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(key);
        }
        return start;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        try
        {
            _server.Kill(entireProcessTree: true);
            await _server.WaitForExitAsync();
        }
        catch (InvalidOperationException)
        {
        }
        _server.Dispose();
        try { Directory.Delete(DataDirectory, recursive: true); } catch (IOException) { }
    }
}

/// <summary>A running CLI: its output so far, its exit.</summary>
public sealed class CliProcess : IDisposable
{
    private readonly StringBuilder _output = new();

    public CliProcess(Process process)
    {
        Process = process;
        process.OutputDataReceived += (_, e) => { lock (_output) _output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (_output) _output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public Process Process { get; }

    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    public async Task<int> WaitAsync(TimeSpan within)
    {
        using var timeout = new CancellationTokenSource(within);
        try
        {
            await Process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"The CLI did not finish within {within}:\n{Output}");
        }
        Process.WaitForExit();
        return Process.ExitCode;
    }

    /// <summary>Stops the process at once, as a crash or a closed laptop would (SIGKILL).</summary>
    public async Task KillAsync()
    {
        try
        {
            Process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
        }
        await Process.WaitForExitAsync();
    }

    public void Dispose()
    {
        try
        {
            if (!Process.HasExited) Process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
        }
        Process.Dispose();
    }
}
