using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace ModelsHub.Testing;

/// <summary>
/// Azurite and the Cosmos DB stand-in as child processes on free 127.0.0.1 ports, installed first
/// if needed (tests/emulators/install.sh). Shared by the Azure-profile tests and the bench; the
/// processes exit with this one (they watch their stdin), so none outlives a run.
/// </summary>
public sealed partial class LocalEmulators : IAsyncDisposable
{
    /// <summary>The Cosmos DB emulator's published account key (the same on every machine; not a secret).</summary>
    public const string CosmosEmulatorKey = "C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==";

    /// <summary>Azurite's published development account and key (not a secret).</summary>
    public const string StorageAccount = "devstoreaccount1";
    public const string StorageKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly List<Process> _processes = [];
    private readonly string _workDirectory;

    private LocalEmulators(string workDirectory) => _workDirectory = workDirectory;

    public int CosmosPort { get; private set; }

    public int BlobPort { get; private set; }

    public int QueuePort { get; private set; }

    /// <summary>Every HTTP request the Cosmos stand-in served, one line each (method, path, status, partition key).</summary>
    public string CosmosRequestLog => Path.Combine(_workDirectory, "cosmos-requests.log");

    /// <summary>How long installing (when needed) and starting both emulators took.</summary>
    public TimeSpan StartupTime { get; private set; }

    public string CosmosConnectionString => $"AccountEndpoint=http://127.0.0.1:{CosmosPort}/;AccountKey={CosmosEmulatorKey}";

    public string StorageConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName={StorageAccount};AccountKey={StorageKey};" +
        $"BlobEndpoint=http://127.0.0.1:{BlobPort}/{StorageAccount};QueueEndpoint=http://127.0.0.1:{QueuePort}/{StorageAccount};";

    public static string EmulatorsDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ModelsHub.sln")))
            {
                return Path.Combine(dir.FullName, "tests", "emulators");
            }
        }
        throw new InvalidOperationException("ModelsHub.sln not found above " + AppContext.BaseDirectory);
    }

    public static async Task<LocalEmulators> StartAsync(CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        var directory = EmulatorsDirectory();
        await InstallAsync(directory, cancellationToken);
        var emulators = new LocalEmulators(Directory.CreateTempSubdirectory("modelshub-emulators-").FullName);
        try
        {
            var cosmos = emulators.StartNodeAsync(directory, "cosmos-start.js", [], new Dictionary<string, string>
            {
                ["COSMOS_HTTP_PORT"] = "0",
                ["COSMOS_HTTPS_PORT"] = "0",
                ["COSMOS_LOG"] = emulators.CosmosRequestLog,
            }, [CosmosReady()], cancellationToken);
            var azurite = emulators.StartNodeAsync(directory, "azurite-start.js",
            [
                "--blobHost", "127.0.0.1", "--blobPort", "0", "--queueHost", "127.0.0.1", "--queuePort", "0",
                "--tableHost", "127.0.0.1", "--tablePort", "0", "--skipApiVersionCheck", "--disableTelemetry",
                "--inMemoryPersistence", "--silent",
            ], new Dictionary<string, string>(), [BlobReady(), QueueReady()], cancellationToken);
            emulators.CosmosPort = (await cosmos)[0];
            var ports = await azurite;
            (emulators.BlobPort, emulators.QueuePort) = (ports[0], ports[1]);
            emulators.StartupTime = clock.Elapsed;
            return emulators;
        }
        catch
        {
            await emulators.DisposeAsync();
            throw;
        }
    }

    /// <summary>Installs the node packages of tests/emulators (install.sh: idempotent, npm ci only when the lock changed).</summary>
    public static async Task InstallAsync(string directory, CancellationToken cancellationToken)
    {
        var install = new ProcessStartInfo("bash", [Path.Combine(directory, "install.sh")])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            WorkingDirectory = directory,
        };
        Process process;
        try
        {
            process = Process.Start(install)!;
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException("The Azure-profile tests install their emulators with bash and npm (tests/emulators/install.sh); bash was not found.", ex);
        }
        using (process)
        {
            var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
            var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken);
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"tests/emulators/install.sh failed (exit {process.ExitCode}):\n{await stderr}{await stdout}");
            }
        }
    }

    /// <summary>Starts one node script and waits for each pattern's first match on its output; returns the captured ports.</summary>
    private async Task<int[]> StartNodeAsync(string directory, string script, string[] arguments, Dictionary<string, string> environment,
        Regex[] ready, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("node", [script, .. arguments])
        {
            WorkingDirectory = directory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["EMULATOR_EXIT_WITH_STDIN"] = "1";
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException("The Azure-profile tests need Node.js 20+ on the PATH (they start Azurite and a Cosmos DB stand-in); install it (Debian: apt-get install nodejs npm) and run ./test.sh.", ex);
        }
        _processes.Add(process);
        var ports = new int?[ready.Length];
        var found = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var output = new StringBuilder();
        void OnLine(string? line)
        {
            if (line is null)
            {
                return;
            }
            lock (output)
            {
                if (output.Length < 16_384) output.AppendLine(line);
                for (var i = 0; i < ready.Length; i++)
                {
                    if (ports[i] is null && ready[i].Match(line) is { Success: true } match)
                    {
                        ports[i] = int.Parse(match.Groups["port"].Value, System.Globalization.CultureInfo.InvariantCulture);
                    }
                }
                if (ports.All(p => p is not null))
                {
                    found.TrySetResult();
                }
            }
        }
        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(StartTimeout);
        var exited = process.WaitForExitAsync(timeout.Token);
        var first = await Task.WhenAny(found.Task, exited, Task.Delay(Timeout.Infinite, timeout.Token));
        if (first != found.Task)
        {
            string seen;
            lock (output) seen = output.ToString();
            throw new InvalidOperationException(process.HasExited
                ? $"{script} exited with {process.ExitCode} before it was ready:\n{seen}"
                : $"{script} did not report ready within {StartTimeout.TotalSeconds:0} s:\n{seen}");
        }
        return ports.Select(p => p!.Value).ToArray();
    }

    /// <summary>
    /// The Cosmos requests <paramref name="action"/> caused, from the stand-in's log, between two
    /// marker requests (the log is written in the order responses finish, so nothing is missed).
    /// Only meaningful while nothing else talks to the stand-in.
    /// </summary>
    public async Task<CosmosRequests> CountCosmosRequestsAsync(Func<Task> action)
    {
        var start = await MarkAsync();
        await action();
        var end = await MarkAsync();
        using var log = new FileStream(CosmosRequestLog, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        log.Position = start;
        var buffer = new byte[end - start];
        await log.ReadExactlyAsync(buffer);
        return CosmosRequests.Parse(Encoding.UTF8.GetString(buffer).Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.Contains(MarkPath, StringComparison.Ordinal)));
    }

    private const string MarkPath = "/modelshub-log-mark/";

    private readonly HttpClient _marker = new() { Timeout = TimeSpan.FromSeconds(10) };

    /// <summary>Sends a request the log will show, waits until it does, and returns the log's length after it.</summary>
    private async Task<long> MarkAsync()
    {
        var id = Guid.NewGuid().ToString("N");
        using (await _marker.GetAsync($"http://127.0.0.1:{CosmosPort}{MarkPath}{id}"))
        {
        }
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            var text = File.Exists(CosmosRequestLog) ? await ReadSharedAsync(CosmosRequestLog) : "";
            var at = text.IndexOf(id, StringComparison.Ordinal);
            if (at >= 0)
            {
                var lineEnd = text.IndexOf('\n', at);
                return Encoding.UTF8.GetByteCount(text.AsSpan(0, lineEnd < 0 ? text.Length : lineEnd + 1));
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("The Cosmos stand-in did not log the marker request.");
            }
            await Task.Delay(5);
        }
    }

    private static async Task<string> ReadSharedAsync(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return await reader.ReadToEndAsync();
    }

    [GeneratedRegex(@"^http ready [\d.]+:(?<port>\d+)")]
    private static partial Regex CosmosReady();

    [GeneratedRegex(@"Blob service is successfully listening at http://[\d.]+:(?<port>\d+)")]
    private static partial Regex BlobReady();

    [GeneratedRegex(@"Queue service is successfully listening at http://[\d.]+:(?<port>\d+)")]
    private static partial Regex QueueReady();

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes)
        {
            try
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
            catch (InvalidOperationException)
            {
            }
            process.Dispose();
        }
        _processes.Clear();
        _marker.Dispose();
        try
        {
            Directory.Delete(_workDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>Cosmos requests by kind, as the stand-in logged them.</summary>
public sealed partial record CosmosRequests(int PointReads, int QueryPages, int QueryPlans, int Writes, int Other, IReadOnlyList<string> Lines)
{
    public int Total => PointReads + QueryPages + QueryPlans + Writes + Other;

    public static CosmosRequests Parse(IEnumerable<string> lines)
    {
        var list = lines.ToList();
        int reads = 0, pages = 0, plans = 0, writes = 0, other = 0;
        foreach (var line in list)
        {
            var parts = line.Split(' ');
            var (method, path) = (parts.Length > 2 ? parts[1] : "", parts.Length > 2 ? parts[2].Split('?')[0] : "");
            if (line.Contains(" [plan]", StringComparison.Ordinal)) plans++;
            else if (line.Contains(" [query]", StringComparison.Ordinal)) pages++;
            else if (method == "GET" && DocumentPath().IsMatch(path)) reads++;
            else if (method is "POST" or "PUT" or "DELETE" or "PATCH" && path.Contains("/docs", StringComparison.Ordinal)) writes++;
            else other++;
        }
        return new CosmosRequests(reads, pages, plans, writes, other, list);
    }

    [GeneratedRegex(@"/docs/[^/]+/?$")]
    private static partial Regex DocumentPath();
}
