using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModelsHub.Contracts.Training;
using ModelsHub.Core.Training;

namespace ModelsHub.Infrastructure.LocalCompute;

/// <summary>The <c>local</c> compute (section <c>Training:Local</c>).</summary>
public sealed class LocalComputeOptions
{
    public const string Section = "Training:Local";

    /// <summary>Trainers that may run at once; more jobs wait <c>queued</c>.</summary>
    public int MaxConcurrent { get; set; } = 1;

    /// <summary>Where each job's trainer runs (a folder per job: its pid, exit code and output); default <c>&lt;data&gt;/training</c>.</summary>
    public string? WorkDirectory { get; set; }

    /// <summary>The folder actually used (resolved at start).</summary>
    public string ResolvedWorkDirectory { get; internal set; } = "";
}

/// <summary>
/// Trainers as processes on the hub's machine, at most <see cref="LocalComputeOptions.MaxConcurrent"/>
/// at a time. Each runs in its own folder under a small shell wrapper in a session of its own (so a
/// Ctrl+C at the hub's terminal does not reach it, and a hub that dies leaves it running): the wrapper
/// writes its pid before it starts the trainer, sends the trainer's output to <c>trainer.log</c>, and
/// writes the exit code when it ends. So a restarted hub finds its trainers: one still running is
/// followed again, one that ended has its exit code, and a job's trainer is never started twice while
/// the first may be alive. A process counts as the job's only if its environment names the job, so a
/// reused pid is not mistaken for it. Stopping kills the wrapper's whole process tree.
/// </summary>
public sealed partial class LocalTrainingCompute(IOptions<LocalComputeOptions> options, ILogger<LocalTrainingCompute> logger) : ITrainingCompute
{
    public const string ComputeName = "local";

    // The trainer's output goes to its folder, never to the hub's own streams: a trainer that outlives the
    // hub must not hold them open (whoever reads the hub's output would wait for it).
    private const string Wrapper = """
        exec </dev/null >>trainer.log 2>&1
        echo $$ > pid.tmp && mv pid.tmp pid
        "$@"
        code=$?
        echo $code > exit.tmp && mv exit.tmp exit
        exit $code
        """;

    private static readonly TimeSpan SpawnGrace = TimeSpan.FromSeconds(10);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly ConcurrentDictionary<string, Process> _children = new(StringComparer.Ordinal);

    public string Name => ComputeName;

    private string Root => options.Value.ResolvedWorkDirectory;

    public bool CanRun(TrainerDefinition trainer) => trainer.Local is { Command.Length: > 0 };

    public async Task<ComputeLaunch?> StartAsync(TrainerLaunch launch, CancellationToken cancellationToken)
    {
        var local = launch.Trainer.Local ?? throw new InvalidOperationException($"The trainer '{launch.Trainer.Name}' has no local command.");
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var folder = FolderOf(launch.JobId);
            if (await FindAsync(launch.JobId, cancellationToken) is { } existing)
            {
                return new ComputeLaunch(existing, Started: false);
            }
            if (RunningCount() >= options.Value.MaxConcurrent)
            {
                return null;
            }
            Directory.CreateDirectory(folder);
            foreach (var stale in new[] { "pid", "exit", "launching" })
            {
                File.Delete(Path.Combine(folder, stale));
            }
            await File.WriteAllTextAsync(Path.Combine(folder, "launching"), DateTimeOffset.UtcNow.ToString("O"), cancellationToken);
            var start = new ProcessStartInfo(File.Exists("/usr/bin/setsid") ? "/usr/bin/setsid" : "/bin/sh")
            {
                WorkingDirectory = folder,
                UseShellExecute = false,
            };
            if (start.FileName.EndsWith("setsid", StringComparison.Ordinal))
            {
                start.ArgumentList.Add("/bin/sh");
            }
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add(Wrapper);
            start.ArgumentList.Add("modelshub-trainer");
            start.ArgumentList.Add(local.Command!);
            foreach (var argument in local.Arguments)
            {
                start.ArgumentList.Add(argument);
            }
            // The trainer gets the hub's environment (PATH, HOME, the runtime's settings) without the hub's own
            // configuration, plus exactly the contract's variables.
            foreach (var key in start.Environment.Keys.Where(IsHubSetting).ToList())
            {
                start.Environment.Remove(key);
            }
            foreach (var (key, value) in launch.Environment)
            {
                start.Environment[key] = value;
            }
            var process = Process.Start(start) ?? throw new InvalidOperationException("The trainer's process did not start.");
            _children[launch.JobId] = process;
            process.EnableRaisingEvents = true;
            process.Exited += (_, _) => _children.TryRemove(launch.JobId, out var _);
            var handle = await WaitForPidAsync(launch.JobId, cancellationToken)
                ?? throw new InvalidOperationException($"The trainer's wrapper (pid {process.Id}) did not record its pid within {SpawnGrace.TotalSeconds:0} s.");
            LogStarted(logger, launch.JobId, launch.Trainer.Name, handle);
            return new ComputeLaunch(handle, Started: true);
        }
        finally
        {
            _gate.Release();
        }
    }

    public Task<ComputeStatus> GetStatusAsync(string jobId, string handle, CancellationToken cancellationToken)
    {
        var folder = FolderOf(jobId);
        if (ReadExit(folder) is { } code)
        {
            return Task.FromResult(code == 0
                ? new ComputeStatus(ComputePhase.Succeeded, ExitCode: 0)
                : new ComputeStatus(ComputePhase.Failed, $"The trainer exited with code {code}.", code));
        }
        if (Pid(handle) is { } pid && IsJobProcess(pid, jobId))
        {
            return Task.FromResult(new ComputeStatus(ComputePhase.Running));
        }
        // The exit file may land between the two reads.
        if (ReadExit(folder) is { } late)
        {
            return Task.FromResult(new ComputeStatus(late == 0 ? ComputePhase.Succeeded : ComputePhase.Failed, late == 0 ? null : $"The trainer exited with code {late}.", late));
        }
        return Task.FromResult(Directory.Exists(folder)
            ? new ComputeStatus(ComputePhase.Failed, "The trainer's process is gone without an exit code (killed, or the machine restarted).")
            : new ComputeStatus(ComputePhase.Missing, "The trainer's folder is gone."));
    }

    public Task StopAsync(string jobId, string handle, CancellationToken cancellationToken)
    {
        if (Pid(handle) is { } pid && IsJobProcess(pid, jobId))
        {
            try
            {
                using var process = Process.GetProcessById(pid);
                process.Kill(entireProcessTree: true);
                process.WaitForExit(TimeSpan.FromSeconds(10));
                LogStopped(logger, jobId, pid);
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                // Gone meanwhile.
            }
        }
        return Task.CompletedTask;
    }

    public Task ReleaseAsync(string jobId, string handle, CancellationToken cancellationToken)
    {
        try
        {
            Directory.Delete(FolderOf(jobId), recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
        catch (IOException ex)
        {
            LogNotReleased(logger, jobId, ex.Message);
        }
        return Task.CompletedTask;
    }

    public async Task<IReadOnlyList<string>> GetLogTailAsync(string jobId, string handle, int lines, CancellationToken cancellationToken)
    {
        var path = Path.Combine(FolderOf(jobId), "trainer.log");
        if (!File.Exists(path))
        {
            return [];
        }
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        // The tail only: a long log's last 64 KiB hold its last lines.
        stream.Seek(Math.Max(0, stream.Length - 65536), SeekOrigin.Begin);
        using var reader = new StreamReader(stream);
        var text = await reader.ReadToEndAsync(cancellationToken);
        return [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).TakeLast(lines)];
    }

    /// <summary>The handle of the job's trainer when one was started and may be alive or has ended with a code; null when none was (or its start never happened).</summary>
    private async Task<string?> FindAsync(string jobId, CancellationToken cancellationToken)
    {
        var folder = FolderOf(jobId);
        if (ReadPid(folder) is { } pid)
        {
            return HandleOf(pid);
        }
        var launching = Path.Combine(folder, "launching");
        if (!File.Exists(launching))
        {
            return null;
        }
        // Spawned just before a crash, perhaps: give the wrapper the time to write its pid.
        var since = DateTimeOffset.TryParse(await File.ReadAllTextAsync(launching, cancellationToken), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var at)
            ? at : DateTimeOffset.MinValue;
        while (DateTimeOffset.UtcNow - since < SpawnGrace)
        {
            if (ReadPid(folder) is { } late)
            {
                return HandleOf(late);
            }
            await Task.Delay(100, cancellationToken);
        }
        return ReadPid(folder) is { } last ? HandleOf(last) : null;
    }

    private async Task<string?> WaitForPidAsync(string jobId, CancellationToken cancellationToken)
    {
        var folder = FolderOf(jobId);
        var deadline = DateTimeOffset.UtcNow + SpawnGrace;
        while (DateTimeOffset.UtcNow < deadline)
        {
            if (ReadPid(folder) is { } pid)
            {
                return HandleOf(pid);
            }
            await Task.Delay(10, cancellationToken);
        }
        return null;
    }

    /// <summary>Trainers alive now: those of the folders whose wrapper has not written an exit code.</summary>
    private int RunningCount()
    {
        if (!Directory.Exists(Root))
        {
            return 0;
        }
        var count = 0;
        foreach (var folder in Directory.EnumerateDirectories(Root))
        {
            if (ReadExit(folder) is null && ReadPid(folder) is { } pid && IsJobProcess(pid, Path.GetFileName(folder)))
            {
                count++;
            }
        }
        return count;
    }

    private string FolderOf(string jobId) => Path.Combine(Root, jobId);

    private static string HandleOf(int pid) => "pid:" + pid.ToString(CultureInfo.InvariantCulture);

    private static int? Pid(string handle) =>
        handle.StartsWith("pid:", StringComparison.Ordinal) && int.TryParse(handle.AsSpan(4), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : null;

    private static int? ReadPid(string folder) => ReadNumber(Path.Combine(folder, "pid"));

    private static int? ReadExit(string folder) => ReadNumber(Path.Combine(folder, "exit"));

    private static int? ReadNumber(string path)
    {
        try
        {
            return int.TryParse(File.ReadAllText(path).Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null;
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Whether <paramref name="pid"/> is alive (not a zombie) and is the wrapper or trainer of <paramref name="jobId"/> (its environment names the job).</summary>
    private static bool IsJobProcess(int pid, string jobId)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var state = stat[(stat.LastIndexOf(')') + 2)..].FirstOrDefault();
            if (state is 'Z' or 'X')
            {
                return false;
            }
            var environment = File.ReadAllText($"/proc/{pid}/environ");
            return environment.Split('\0').Contains($"{TrainerEnvironment.JobId}={jobId}", StringComparer.Ordinal);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>The hub's own configuration (<c>Section__Key</c> variables, hosting variables): none of the trainer's business.</summary>
    private static bool IsHubSetting(string key) =>
        key.Contains("__", StringComparison.Ordinal) || key.StartsWith("ASPNETCORE_", StringComparison.Ordinal)
        || key.StartsWith("MODELSHUB_", StringComparison.Ordinal) || key.StartsWith("FUNCTIONS_", StringComparison.Ordinal)
        || key.StartsWith("AzureWebJobs", StringComparison.Ordinal) || key.StartsWith("APPLICATIONINSIGHTS_", StringComparison.Ordinal);

    [LoggerMessage(Level = LogLevel.Information, Message = "Training job {Job}: trainer {Trainer} started as a local process ({Handle})")]
    private static partial void LogStarted(ILogger logger, string job, string trainer, string handle);

    [LoggerMessage(Level = LogLevel.Information, Message = "Training job {Job}: trainer process tree {Pid} stopped")]
    private static partial void LogStopped(ILogger logger, string job, int pid);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Training job {Job}: its folder could not be removed: {Reason}")]
    private static partial void LogNotReleased(ILogger logger, string job, string reason);
}
