using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace ModelsHub.Bench;

/// <summary>The hub as a separate process on a free loopback port, with its own data folder.</summary>
public sealed class ServerProcess : IAsyncDisposable
{
    public const string SigningKey = "YmVuY2htYXJrLXNpZ25pbmcta2V5LWZvci1tb2RlbHNodWIhIQ==";

    private readonly Process _process;

    private ServerProcess(Process process, int port, string dataDirectory, TimeSpan startup)
    {
        _process = process;
        Port = port;
        DataDirectory = dataDirectory;
        StartupTime = startup;
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

    public HttpClient Client { get; }

    public int ProcessId => _process.Id;

    public static Task<ServerProcess> StartAsync(string serverDll, IDictionary<string, string> settings) =>
        StartAsync(new ProcessStartInfo("dotnet", [serverDll]), settings);

    /// <summary>A published (self-contained) hub: its executable, run in its own folder, the content root with the web app's wwwroot.</summary>
    public static Task<ServerProcess> StartExecutableAsync(string executable, IDictionary<string, string> settings)
    {
        var start = new ProcessStartInfo(executable);
        start.Environment["ASPNETCORE_CONTENTROOT"] = Path.GetDirectoryName(executable)!;
        return StartAsync(start, settings);
    }

    private static async Task<ServerProcess> StartAsync(ProcessStartInfo start, IDictionary<string, string> settings)
    {
        var port = FreePort();
        var data = Path.Combine(Path.GetTempPath(), "modelshub-bench", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(data);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.WorkingDirectory = data;
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["Storage__Embedded__DataDirectory"] = data;
        start.Environment["Auth__Mode"] = "Development";
        start.Environment["Auth__Development__SigningKey"] = SigningKey;
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        // Scenarios sync on demand; the hourly timer would reach for github.com in the middle of a phase.
        start.Environment["Sync__Schedule"] = "0 0 0 1 1 *";
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
        return new ServerProcess(process, port, data, clock.Elapsed);
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
