using System.Diagnostics;

namespace ModelsHub.Bench;

/// <summary>
/// Start-up: from process start to the first 200 on /api/health, for the published package started as the
/// Functions host starts a custom handler, for the built dll (<c>dotnet ModelsHub.Functions.dll</c>) and for
/// <c>dotnet run</c>. Each is started several times on a fresh data folder (a cold start also creates the
/// database, keys and folders); the median is judged, since other work on the machine moves single runs.
/// </summary>
public static class StartupBench
{
    public static readonly TimeSpan PublishedTarget = TimeSpan.FromMilliseconds(500);

    public static async Task<bool> RunAsync(string serverDll, BenchOptions options)
    {
        var runs = Math.Max(1, options.Runs);
        Console.WriteLine($"== startup: process start → first 200 on /api/health, {runs} cold starts each on a fresh data folder (embedded profile)");
        var root = BenchOptions.RepositoryRoot();
        // BENCH_PACKAGE names a package published before (dotnet publish src/Functions -c Release -o DIR): publishing
        // compiles the runtime too and takes minutes, so repeated runs may reuse one.
        var reused = Environment.GetEnvironmentVariable("BENCH_PACKAGE");
        var package = string.IsNullOrEmpty(reused) ? Path.Combine(Path.GetTempPath(), "modelshub-bench", "publish-" + Guid.NewGuid().ToString("N")) : Path.GetFullPath(reused);
        try
        {
            if (string.IsNullOrEmpty(reused))
            {
                var publish = Stopwatch.StartNew();
                await RunToEndAsync("dotnet", ["publish", Path.Combine(root, "src", "Functions"), "-c", "Release", "-o", package, "-nologo", "-v", "quiet"], root);
                Console.WriteLine($"  dotnet publish (self-contained linux-x64, composite ReadyToRun): {publish.Elapsed.TotalSeconds:0.0} s");
            }
            else
            {
                Console.WriteLine($"  the package published before in {package} (BENCH_PACKAGE)");
            }
            var executable = Path.Combine(package, "ModelsHub.Functions");

            // Interleaved, so load from elsewhere on the machine falls on every kind alike.
            var published = new List<(TimeSpan Wall, TimeSpan Cpu)>();
            var dll = new List<(TimeSpan Wall, TimeSpan Cpu)>();
            var run = new List<(TimeSpan Wall, TimeSpan Cpu)>();
            for (var i = 0; i < runs; i++)
            {
                published.Add(await StartupOfAsync(new ProcessStartInfo(executable) { WorkingDirectory = package }, customHandler: true));
                dll.Add(await StartupOfAsync(new ProcessStartInfo("dotnet", [serverDll]), customHandler: false));
                run.Add(await StartupOfAsync(new ProcessStartInfo("dotnet", ["run", "--no-build", "-c", "Release", "--project", Path.Combine(root, "src", "Functions")]), customHandler: false));
            }
            Console.WriteLine($"  load average before the runs: {LoadAverage()} (2 cores: wall-clock times above ~2 are mostly waiting for a core)");
            Console.WriteLine($"  {"how",-54} {"median ms",9} {"min ms",7} {"max ms",7} {"CPU ms (median)",9}");
            Row("published package, as the Functions host starts it", published);
            Row("built dll: dotnet ModelsHub.Functions.dll", dll);
            Row("dotnet run --no-build (the CLI's own start included)", run);
            Console.WriteLine($"  load average after the runs: {LoadAverage()}");
            var median = Median(published.Select(t => t.Wall).ToList());
            return Report.Target($"published package start-up < {PublishedTarget.TotalMilliseconds:0} ms (median wall clock)", median < PublishedTarget,
                $"{median.TotalMilliseconds:0} ms, {Median(published.Select(t => t.Cpu).ToList()).TotalMilliseconds:0} ms CPU");
        }
        finally
        {
            if (string.IsNullOrEmpty(reused))
            {
                try { Directory.Delete(package, recursive: true); } catch (IOException) { }
            }
        }
    }

    private static async Task<(TimeSpan Wall, TimeSpan Cpu)> StartupOfAsync(ProcessStartInfo start, bool customHandler)
    {
        await using var server = await ServerProcess.StartAsync(start, customHandler, new Dictionary<string, string>());
        return (server.StartupTime, server.StartupCpuTime);
    }

    private static void Row(string what, List<(TimeSpan Wall, TimeSpan Cpu)> times)
    {
        var wall = times.Select(t => t.Wall).ToList();
        var cpu = times.Select(t => t.Cpu).ToList();
        Console.WriteLine($"  {what,-54} {Median(wall).TotalMilliseconds,9:0} {wall.Min().TotalMilliseconds,7:0} {wall.Max().TotalMilliseconds,7:0} {Median(cpu).TotalMilliseconds,9:0}");
    }

    private static string LoadAverage()
    {
        try { return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)); } catch (IOException) { return "?"; }
    }

    private static TimeSpan Median(List<TimeSpan> times)
    {
        var sorted = times.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static async Task RunToEndAsync(string fileName, string[] args, string workingDirectory)
    {
        var start = new ProcessStartInfo(fileName, args) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(key);
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{fileName} {string.Join(' ', args)} exited with {process.ExitCode}:\n{await output}\n{await errors}");
        }
    }
}
