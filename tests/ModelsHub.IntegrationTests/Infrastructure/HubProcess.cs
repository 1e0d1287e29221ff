using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;

namespace ModelsHub.IntegrationTests.Infrastructure;

/// <summary>
/// The built server as a real child process on a free loopback port (never 7071), so a test can
/// kill it (or let a fault injection end it) and start another on the same data folder; and the
/// CLI as real processes against it. Everything started here is stopped on dispose.
/// </summary>
public sealed class HubProcess : IAsyncDisposable
{
    private readonly Process _server;
    private readonly StringBuilder _output = new();
    private readonly bool _ownsDataDirectory;

    private HubProcess(Process server, int port, string dataDirectory, bool ownsDataDirectory)
    {
        _server = server;
        _ownsDataDirectory = ownsDataDirectory;
        Address = new Uri($"http://127.0.0.1:{port}");
        DataDirectory = dataDirectory;
        Client = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromMinutes(2) };
        server.OutputDataReceived += (_, e) => { lock (_output) _output.AppendLine(e.Data); };
        server.ErrorDataReceived += (_, e) => { lock (_output) _output.AppendLine(e.Data); };
        server.BeginOutputReadLine();
        server.BeginErrorReadLine();
    }

    public Uri Address { get; }

    public string DataDirectory { get; }

    public HttpClient Client { get; }

    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    public bool HasExited => _server.HasExited;

    public int ExitCode => _server.ExitCode;

    /// <summary>Starts the server in a fresh temp folder (deleted on dispose).</summary>
    public static Task<HubProcess> StartAsync(IDictionary<string, string>? settings = null)
    {
        var data = Path.Combine(Path.GetTempPath(), "modelshub-tests", "process-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(data);
        return StartAsync(data, settings ?? new Dictionary<string, string>(), ownsDataDirectory: true);
    }

    /// <summary>
    /// Starts the server on a data folder the caller owns (a restart reuses it), on <paramref name="port"/> when
    /// given (a restart where processes it started, such as trainers, still call it).
    /// </summary>
    public static Task<HubProcess> StartAsync(string dataDirectory, IDictionary<string, string> settings, int? port = null) =>
        StartAsync(dataDirectory, settings, ownsDataDirectory: false, port: port);

    /// <summary>A loopback port nothing listens on now.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public int Port => Address.Port;

    /// <summary>
    /// Starts a published server as the Functions host launches a custom handler: the executable itself, in
    /// its own folder (the content root), told its port only through <c>FUNCTIONS_CUSTOMHANDLER_PORT</c>.
    /// The data lives in a fresh temp folder (deleted on dispose).
    /// </summary>
    public static Task<HubProcess> StartAsCustomHandlerAsync(string executable, IDictionary<string, string>? settings = null)
    {
        var data = Path.Combine(Path.GetTempPath(), "modelshub-tests", "handler-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(data);
        return StartAsync(data, settings ?? new Dictionary<string, string>(), ownsDataDirectory: true, executable);
    }

    private static async Task<HubProcess> StartAsync(string dataDirectory, IDictionary<string, string> settings, bool ownsDataDirectory, string? executable = null,
        int? port = null)
    {
        var listenOn = port ?? FreePort();
        ProcessStartInfo start;
        if (executable is null)
        {
            start = Dotnet("ModelsHub.Functions.dll", dataDirectory);
            start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{listenOn}";
            start.Environment["ASPNETCORE_CONTENTROOT"] = dataDirectory;
        }
        else
        {
            start = Command(executable, Path.GetDirectoryName(executable)!);
            start.Environment[ModelsHub.Functions.Hosting.HostingExtensions.CustomHandlerPortVariable] = listenOn.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["Storage__Embedded__DataDirectory"] = dataDirectory;
        start.Environment["Auth__Mode"] = "Development";
        start.Environment["Auth__Development__SigningKey"] = HubApplication.SigningKey;
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        start.Environment["Sync__Schedule"] = HubApplication.NeverDuringTests;
        foreach (var (key, value) in HubApplication.UnlimitedRates)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }
        // Fault injection ends the process with FailFast; a dump per crash would only cost time.
        start.Environment["DOTNET_DbgEnableMiniDump"] = "0";
        foreach (var (key, value) in settings)
        {
            start.Environment[key] = value;
        }
        var hub = new HubProcess(Process.Start(start)!, listenOn, dataDirectory, ownsDataDirectory);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            if (hub.HasExited)
            {
                throw new Xunit.Sdk.XunitException($"The server exited with {hub.ExitCode} while starting:\n{hub.Output}");
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
                throw new Xunit.Sdk.XunitException("The server did not answer within 60 s:\n" + hub.Output);
            }
            await Task.Delay(50);
        }
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

    /// <summary>A client signed in through the development token endpoint.</summary>
    public async Task<HttpClient> ClientForAsync(string user, params string[] roles) => ClientWith(await TokenAsync(user, roles));

    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await _server.WaitForExitAsync(cancel.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Starts the CLI (the same build the tests reference) with its output captured.</summary>
    public CliProcess StartCli(params string[] args) => StartCli(null, null, args);

    /// <summary>Starts the CLI, or <paramref name="executable"/> (an installed tool), with extra environment variables.</summary>
    public static CliProcess StartCli(string? executable, IDictionary<string, string>? environment, params string[] args)
    {
        var start = executable is null ? Dotnet("ModelsHub.Cli.dll", Path.GetTempPath()) : Command(executable, Path.GetTempPath());
        foreach (var arg in args) start.ArgumentList.Add(arg);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) start.Environment[key] = value;
        // A config folder of its own unless a test names one: never the user's saved tokens.
        if (!start.Environment.ContainsKey("MODELSHUB_CONFIG_DIR"))
        {
            start.Environment["MODELSHUB_CONFIG_DIR"] = Path.Combine(Path.GetTempPath(), "modelshub-tests", "cli-" + Guid.NewGuid().ToString("N"));
        }
        return new CliProcess(Process.Start(start)!);
    }

    private static ProcessStartInfo Dotnet(string dll, string workingDirectory)
    {
        var start = Command("dotnet", workingDirectory);
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, dll));
        return start;
    }

    /// <summary>A process with its output captured and none of this process's hosting variables.</summary>
    private static ProcessStartInfo Command(string fileName, string workingDirectory)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("ASPNETCORE_", StringComparison.Ordinal) || k.StartsWith("DOTNET_URLS", StringComparison.Ordinal)
                     || k.StartsWith("FUNCTIONS_", StringComparison.Ordinal) || k.StartsWith("MODELSHUB_", StringComparison.Ordinal)).ToList())
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
            if (!_server.HasExited)
            {
                _server.Kill(entireProcessTree: true);
                await _server.WaitForExitAsync();
            }
        }
        catch (InvalidOperationException)
        {
        }
        _server.Dispose();
        if (_ownsDataDirectory)
        {
            try { Directory.Delete(DataDirectory, recursive: true); } catch (IOException) { }
        }
    }
}

public sealed class CliProcess : IDisposable
{
    private readonly StringBuilder _output = new();
    private readonly StringBuilder _stdout = new();

    public CliProcess(Process process)
    {
        Process = process;
        process.OutputDataReceived += (_, e) =>
        {
            lock (_output)
            {
                _output.AppendLine(e.Data);
                _stdout.AppendLine(e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) => { lock (_output) _output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public Process Process { get; }

    /// <summary>Standard output and standard error, interleaved as they arrived.</summary>
    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    /// <summary>Standard output alone (what <c>--json</c> prints).</summary>
    public string StandardOutput
    {
        get { lock (_output) return _stdout.ToString(); }
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

    /// <summary>Presses Ctrl+C: sends SIGINT, as a terminal does.</summary>
    public void Interrupt()
    {
        if (kill(Process.Id, 2) != 0)
        {
            throw new InvalidOperationException($"kill(SIGINT) failed: {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()}");
        }
    }

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);

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
