using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using ModelsHub.Contracts.Training;
using ModelsHub.Core.Training;
using ModelsHub.Infrastructure.LocalCompute;
using static ModelsHub.IntegrationTests.Training.ComputeTesting;

namespace ModelsHub.IntegrationTests.Training;

/// <summary>The local compute: trainers as processes that outlive the hub, found again after a restart, never started twice, at most MaxConcurrent at once.</summary>
public sealed class LocalTrainingComputeTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("local-compute-").FullName;

    private LocalTrainingCompute NewCompute(int maxConcurrent = 2) =>
        new(Options.Create(new LocalComputeOptions { MaxConcurrent = maxConcurrent, ResolvedWorkDirectory = _root }), NullLogger<LocalTrainingCompute>.Instance);

    [Fact]
    public async Task ATrainerGetsExactlyTheContractsVariablesAndItsExitCodeIsItsStatus()
    {
        var compute = NewCompute();
        var job = NewJobId();

        var launch = await compute.StartAsync(Launch(job, "echo \"job=$MODELSHUB_JOB_ID h=$MODELSHUB_HYPERPARAMETERS storage=$Storage__Profile\"; echo second >&2; exit 3"), CancellationToken.None);

        Assert.NotNull(launch);
        Assert.True(launch.Started);
        var status = await EventuallyAsync(() => compute.GetStatusAsync(job, launch.Handle, CancellationToken.None), s => s.HasEnded, "the trainer to end");
        Assert.Equal((ComputePhase.Failed, 3), (status.Phase, status.ExitCode));
        Assert.Contains("code 3", status.Reason);
        var log = await compute.GetLogTailAsync(job, launch.Handle, 10, CancellationToken.None);
        Assert.Equal([$"job={job} h={{\"epochs\":3}} storage=", "second"], log);
    }

    [Fact]
    public async Task ARestartedHubFindsItsRunningTrainerInsteadOfStartingAnother()
    {
        var job = NewJobId();
        var marker = Path.Combine(_root, "starts-" + job);
        var script = $"echo started >> '{marker}'; sleep 30";
        var first = await NewCompute().StartAsync(Launch(job, script), CancellationToken.None);

        // Another instance of the adapter (the hub after a crash) asked to start the same job again.
        var again = NewCompute();
        var second = await again.StartAsync(Launch(job, script), CancellationToken.None);

        Assert.NotNull(second);
        Assert.False(second.Started);
        Assert.Equal(first!.Handle, second.Handle);
        Assert.Equal(ComputePhase.Running, (await again.GetStatusAsync(job, second.Handle, CancellationToken.None)).Phase);
        await EventuallyAsync(() => Task.FromResult(File.Exists(marker) ? File.ReadAllLines(marker).Length : 0), n => n == 1, "the one start");
        await again.StopAsync(job, second.Handle, CancellationToken.None);
        Assert.Single(File.ReadAllLines(marker));
    }

    [Fact]
    public async Task StopKillsTheWholeProcessTreeAndTheJobIsKnownDead()
    {
        var compute = NewCompute();
        var job = NewJobId();
        var childPid = Path.Combine(_root, "child-" + job);
        var launch = await compute.StartAsync(Launch(job, $"sleep 60 & echo $! > '{childPid}'; wait"), CancellationToken.None);
        var child = int.Parse(await EventuallyAsync(() => Task.FromResult(File.Exists(childPid) ? File.ReadAllText(childPid).Trim() : ""), t => t.Length > 0, "the child's pid"));

        await compute.StopAsync(job, launch!.Handle, CancellationToken.None);

        await EventuallyAsync(() => Task.FromResult(Directory.Exists($"/proc/{child}") && !File.ReadAllText($"/proc/{child}/stat").Contains(") Z ")), alive => !alive, "the grandchild to die");
        var status = await EventuallyAsync(() => compute.GetStatusAsync(job, launch.Handle, CancellationToken.None), s => s.HasEnded, "the trainer to be known dead");
        Assert.Equal(ComputePhase.Failed, status.Phase);
        // Known dead: a start now finds its folder, not a live process, and does not start it again while its pid file says who it was.
        var again = await NewCompute().StartAsync(Launch(job, "exit 0"), CancellationToken.None);
        Assert.False(again!.Started);
    }

    [Fact]
    public async Task AtMostMaxConcurrentTrainersRunAndTheRestWait()
    {
        var compute = NewCompute(maxConcurrent: 1);
        var (a, b) = (NewJobId(), NewJobId());
        var first = await compute.StartAsync(Launch(a, "sleep 30"), CancellationToken.None);

        var refused = await compute.StartAsync(Launch(b, "exit 0"), CancellationToken.None);
        await compute.StopAsync(a, first!.Handle, CancellationToken.None);
        await EventuallyAsync(() => compute.GetStatusAsync(a, first.Handle, CancellationToken.None), s => s.HasEnded, "the first trainer to end");
        var admitted = await compute.StartAsync(Launch(b, "exit 0"), CancellationToken.None);

        Assert.Null(refused);
        Assert.NotNull(admitted);
        Assert.True(admitted.Started);
    }

    [Fact]
    public async Task APidReusedByAnotherProcessIsNotTakenForTheTrainer()
    {
        var compute = NewCompute();
        var job = NewJobId();
        Directory.CreateDirectory(Path.Combine(_root, job));
        // A pid file naming a live process that is not this job's trainer (this test process).
        await File.WriteAllTextAsync(Path.Combine(_root, job, "pid"), Environment.ProcessId.ToString());

        var status = await compute.GetStatusAsync(job, "pid:" + Environment.ProcessId, CancellationToken.None);

        Assert.Equal(ComputePhase.Failed, status.Phase);
        Assert.Contains("without an exit code", status.Reason);
    }

    public void Dispose()
    {
        foreach (var folder in Directory.EnumerateDirectories(_root))
        {
            if (File.Exists(Path.Combine(folder, "pid")) && int.TryParse(File.ReadAllText(Path.Combine(folder, "pid")).Trim(), out var pid) && pid != Environment.ProcessId)
            {
                try { System.Diagnostics.Process.GetProcessById(pid).Kill(entireProcessTree: true); } catch (Exception) { }
            }
        }
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }
}
