using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace ModelsHub.Bench;

/// <summary>The hub as a separate process on a free loopback port, with its own data folder.</summary>
public sealed class ServerProcess : IAsyncDisposable
{
    public const string SigningKey = "YmVuY2htYXJrLXNpZ25pbmcta2V5LWZvci1tb2RlbHNodWIhIQ==";

    private readonly Process _process;

    private ServerProcess(Process process, int port, string dataDirectory, TimeSpan startup, TimeSpan startupCpu)
    {
        _process = process;
        Port = port;
        DataDirectory = dataDirectory;
        StartupTime = startup;
        StartupCpuTime = startupCpu;
        Client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256, PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
        {
            BaseAddress = new Uri($"http://127.0.0.1:{port}"),
            Timeout = TimeSpan.FromMinutes(5),
        };
    }

    public int Port { get; }

    public string DataDirectory { get; }

    /// <summary>From process start to the first 200 from /api/health.</summary>
    public TimeSpan StartupTime { get; }

    /// <summary>
    /// CPU time (user + system) the server's processes had used when the first 200 came: what start-up costs,
    /// much less moved than <see cref="StartupTime"/> by other work competing for the machine's cores.
    /// </summary>
    public TimeSpan StartupCpuTime { get; }

    public HttpClient Client { get; }

    public int ProcessId => _process.Id;

    /// <summary>The built server, <c>dotnet ModelsHub.Functions.dll</c>, listening where ASPNETCORE_URLS says.</summary>
    public static Task<ServerProcess> StartAsync(string serverDll, IDictionary<string, string> settings) =>
        StartAsync(new ProcessStartInfo("dotnet", [serverDll]), customHandler: false, settings);

    /// <summary>A published (self-contained) hub: its executable, its own folder the content root with the web app's wwwroot.</summary>
    public static Task<ServerProcess> StartExecutableAsync(string executable, IDictionary<string, string> settings) =>
        StartAsync(new ProcessStartInfo(executable), customHandler: false,
            new Dictionary<string, string>(settings) { ["ASPNETCORE_CONTENTROOT"] = Path.GetDirectoryName(executable)! });

    /// <summary>
    /// The server started by <paramref name="start"/> (its working directory is set to a fresh data folder unless
    /// it names one). As a custom handler it is told its port only through FUNCTIONS_CUSTOMHANDLER_PORT, as the
    /// Functions host does; otherwise through ASPNETCORE_URLS.
    /// </summary>
    public static async Task<ServerProcess> StartAsync(ProcessStartInfo start, bool customHandler, IDictionary<string, string> settings)
    {
        var port = FreePort();
        var data = Path.Combine(Path.GetTempPath(), "modelshub-bench", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(data);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        if (string.IsNullOrEmpty(start.WorkingDirectory))
        {
            start.WorkingDirectory = data;
        }
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase) || k.StartsWith("ASPNETCORE_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(key);
        }
        if (customHandler)
        {
            start.Environment["FUNCTIONS_CUSTOMHANDLER_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        else
        {
            start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        }
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["Storage__Embedded__DataDirectory"] = data;
        start.Environment["Auth__Mode"] = "Development";
        start.Environment["Auth__Development__SigningKey"] = SigningKey;
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        // Scenarios sync on demand; the hourly timer would reach for github.com in the middle of a phase.
        start.Environment["Sync__Schedule"] = "0 0 0 1 1 *";
        // The bench measures the server at full load from one address: limits it never reaches (the limiter still runs).
        start.Environment["RateLimits__Writes__PermitLimit"] = "100000000";
        start.Environment["RateLimits__Anonymous__PermitLimit"] = "100000000";
        start.Environment["RateLimits__Gateway__PermitLimit"] = "100000000";
        foreach (var (key, value) in settings)
        {
            start.Environment[key] = value;
        }

        using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(1) };
        var clock = Stopwatch.StartNew();
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine("  server: " + e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The server exited with code {process.ExitCode}.");
            }
            try
            {
                var response = await probe.GetAsync($"http://127.0.0.1:{port}/api/health");
                if (response.StatusCode == HttpStatusCode.OK) break;
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }
            if (clock.Elapsed > TimeSpan.FromSeconds(60)) throw new TimeoutException("The server did not answer within 60 s.");
            await Task.Delay(2);
        }
        var elapsed = clock.Elapsed;
        return new ServerProcess(process, port, data, elapsed, CpuTimeOfTree(process.Id));
    }

    /// <summary>User + system time the server (and any process it started) has used so far: what work costs, far less moved than wall-clock time by a loaded machine.</summary>
    public TimeSpan CpuTime() => CpuTimeOfTree(_process.Id);

    /// <summary>User + system time of a process and its descendants (Linux /proc; children still running count too).</summary>
    private static TimeSpan CpuTimeOfTree(int root)
    {
        var parents = new Dictionary<int, int>();
        var ticks = new Dictionary<int, long>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                // Fields after the command (which may hold spaces) in parentheses: state ppid ... utime(14) stime(15).
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                parents[pid] = int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture);
                ticks[pid] = long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture) + long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
            {
            }
        }
        var tree = new HashSet<int> { root };
        for (var grew = true; grew;)
        {
            grew = false;
            foreach (var (pid, parent) in parents)
            {
                if (tree.Contains(parent) && tree.Add(pid)) grew = true;
            }
        }
        // Linux reports these in clock ticks of 1/100 s (USER_HZ).
        return TimeSpan.FromMilliseconds(tree.Sum(pid => ticks.GetValueOrDefault(pid)) * 10.0);
    }

    /// <summary>Resident and peak resident memory of the server, in MiB (Linux /proc).</summary>
    public (double Rss, double Peak) Memory()
    {
        double Read(string key)
        {
            foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
            {
                if (line.StartsWith(key, StringComparison.Ordinal))
                {
                    return double.Parse(line[key.Length..].Trim().Split(' ')[0]) / 1024.0;
                }
            }
            return double.NaN;
        }
        return (Read("VmRSS:"), Read("VmHWM:"));
    }

    /// <summary>Resets the peak-RSS counter (Linux: write 5 to clear_refs).</summary>
    public void ResetPeakMemory()
    {
        try { File.WriteAllText($"/proc/{_process.Id}/clear_refs", "5"); } catch (IOException) { } catch (UnauthorizedAccessException) { }
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
        try
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        catch (InvalidOperationException)
        {
        }
        _process.Dispose();
        try { Directory.Delete(DataDirectory, recursive: true); } catch (IOException) { }
    }
}
