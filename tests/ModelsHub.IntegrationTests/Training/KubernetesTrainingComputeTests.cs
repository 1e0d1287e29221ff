using k8s;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using ModelsHub.Contracts.Training;
using ModelsHub.Core.Training;
using ModelsHub.Infrastructure.Kubernetes;
using ModelsHub.Testing;
using static ModelsHub.IntegrationTests.Training.ComputeTesting;

namespace ModelsHub.IntegrationTests.Training;

/// <summary>
/// The kubernetes compute through the real KubernetesClient against the fake API server, whose
/// kubelet runs the pod's container as a local process: one Job per training job with the configured
/// pod spec, started once, status from the Job and its pod, cancel by foreground deletion, logs from the pod.
/// </summary>
public sealed class KubernetesTrainingComputeTests : IAsyncLifetime
{
    private FakeKubernetes _fake = null!;
    private KubernetesTrainingCompute _compute = null!;
    private k8s.Kubernetes _client = null!;

    private static readonly KubernetesComputeOptions Settings = new()
    {
        Namespace = "training",
        Gpus = 1,
        NodeSelector = new() { ["pool"] = "gpu" },
        Tolerations = [new TolerationOptions { Key = "nvidia.com/gpu", Operator = "Exists", Effect = "NoSchedule" }],
        ServiceAccount = "trainer",
        TtlSecondsAfterFinished = 600,
        MemoryLimit = "8Gi",
    };

    public async Task InitializeAsync()
    {
        _fake = await FakeKubernetes.StartAsync();
        _fake.MapImage("example.org/shell:1", "/bin/sh");
        _client = new k8s.Kubernetes(new KubernetesClientConfiguration { Host = _fake.Url.ToString() });
        _compute = new KubernetesTrainingCompute(_client, Options.Create(Settings), Options.Create(new TrainingOptions { Timeout = TimeSpan.FromMinutes(90) }),
            NullLogger<KubernetesTrainingCompute>.Instance);
    }

    [Fact]
    public async Task OneJobPerTrainingJobWithTheConfiguredPodAndTheContractsEnvironmentExactly()
    {
        var job = NewJobId();
        var launch = Launch(job, "echo \"running $MODELSHUB_JOB_ID\"; exit 0");

        var first = await _compute.StartAsync(launch, CancellationToken.None);
        var second = await _compute.StartAsync(launch, CancellationToken.None);

        Assert.Equal(("modelshub-" + job, true), (first!.Handle, first.Started));
        Assert.Equal((first.Handle, false), (second!.Handle, second.Started));
        var stored = (await _client.BatchV1.ReadNamespacedJobAsync(first.Handle, "training"));
        Assert.Equal((0, 600, 5400L), (stored.Spec.BackoffLimit, stored.Spec.TtlSecondsAfterFinished, stored.Spec.ActiveDeadlineSeconds));
        var pod = stored.Spec.Template.Spec;
        Assert.Equal(("Never", "trainer", "gpu"), (pod.RestartPolicy, pod.ServiceAccountName, pod.NodeSelector["pool"]));
        Assert.Equal(("nvidia.com/gpu", "Exists", "NoSchedule"), (pod.Tolerations[0].Key, pod.Tolerations[0].OperatorProperty, pod.Tolerations[0].Effect));
        var container = Assert.Single(pod.Containers);
        Assert.Equal(("1", "8Gi"), (container.Resources.Limits["nvidia.com/gpu"].ToString(), container.Resources.Limits["memory"].ToString()));
        Assert.Equal(job, stored.Metadata.Labels[KubernetesTrainingCompute.JobIdLabel]);

        var status = await EventuallyAsync(() => _compute.GetStatusAsync(job, first.Handle, CancellationToken.None), s => s.HasEnded, "the pod to finish");
        Assert.Equal(ComputePhase.Succeeded, status.Phase);
        var ran = Assert.Single(_fake.Launched);
        Assert.Equal(["/bin/sh"], ran.Command);
        Assert.Equal(launch.Trainer.Container!.Arguments, ran.Arguments);
        foreach (var (key, value) in launch.Environment)
        {
            Assert.Equal(value, ran.Environment[key]);
        }
        Assert.Empty(ran.Environment.Keys.Where(k => k.StartsWith("MODELSHUB_", StringComparison.Ordinal)).Except(launch.Environment.Keys));
        Assert.Equal([$"running {job}"], await _compute.GetLogTailAsync(job, first.Handle, 5, CancellationToken.None));
        Assert.Empty(_fake.Unhandled);
    }

    [Fact]
    public async Task AFailedPodIsAFailedJobWithItsExitCode()
    {
        var job = NewJobId();
        var launch = await _compute.StartAsync(Launch(job, "echo boom >&2; exit 7"), CancellationToken.None);

        var status = await EventuallyAsync(() => _compute.GetStatusAsync(job, launch!.Handle, CancellationToken.None), s => s.HasEnded, "the pod to fail");

        Assert.Equal((ComputePhase.Failed, 7), (status.Phase, status.ExitCode));
        Assert.Contains("exit code 7", status.Reason);
        Assert.Equal(["boom"], await _compute.GetLogTailAsync(job, launch!.Handle, 5, CancellationToken.None));
    }

    [Fact]
    public async Task StopDeletesTheJobInTheForegroundSoItsTrainerDies()
    {
        var job = NewJobId();
        var launch = await _compute.StartAsync(Launch(job, "sleep 60"), CancellationToken.None);
        await EventuallyAsync(() => _compute.GetStatusAsync(job, launch!.Handle, CancellationToken.None), s => s.Phase == ComputePhase.Running, "the pod to run");

        await _compute.StopAsync(job, launch!.Handle, CancellationToken.None);
        await _compute.StopAsync(job, launch.Handle, CancellationToken.None);

        Assert.Contains(_fake.Requests, r => r.StartsWith($"DELETE /apis/batch/v1/namespaces/training/jobs/{launch.Handle}", StringComparison.Ordinal) && r.Contains("propagationPolicy=Foreground"));
        Assert.Equal(0, _fake.RunningProcesses);
        Assert.Equal(ComputePhase.Missing, (await _compute.GetStatusAsync(job, launch.Handle, CancellationToken.None)).Phase);
    }

    [Fact]
    public async Task AnImageThatCannotBePulledLeavesThePodPendingWithTheReason()
    {
        var job = NewJobId();
        var trainer = ShellTrainer("exit 0") with { Container = new ContainerTrainerOptions { Image = "example.org/missing:0" } };

        var launch = await _compute.StartAsync(new TrainerLaunch(job, trainer, new Dictionary<string, string> { [TrainerEnvironment.JobId] = job }), CancellationToken.None);
        var status = await EventuallyAsync(() => _compute.GetStatusAsync(job, launch!.Handle, CancellationToken.None), s => s.Reason is not null, "the pull to fail");

        Assert.Equal(ComputePhase.Pending, status.Phase);
        Assert.StartsWith("ImagePullBackOff", status.Reason);
        Assert.Empty(await _compute.GetLogTailAsync(job, launch!.Handle, 5, CancellationToken.None));
    }

    [Fact]
    public async Task TheWatchSeesTheJobEnd()
    {
        var job = NewJobId();
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var watch = _client.BatchV1.WatchListNamespacedJobAsync("training", labelSelector: $"{KubernetesTrainingCompute.JobIdLabel}={job}", cancellationToken: cancel.Token);
        await _compute.StartAsync(Launch(job, "exit 0"), CancellationToken.None);

        var seen = new List<string>();
        await foreach (var (type, item) in watch)
        {
            seen.Add($"{type} active={item.Status?.Active} succeeded={item.Status?.Succeeded}");
            if (item.Status?.Succeeded > 0)
            {
                break;
            }
        }

        Assert.StartsWith("Added", seen[0]);
        Assert.EndsWith("succeeded=1", seen[^1]);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _fake.DisposeAsync();
    }
}
