using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModelsHub.Core.Common;
using ModelsHub.Core.Training;
using ModelsHub.Core.Workflows;

namespace ModelsHub.Infrastructure.Kubernetes;

/// <summary>
/// The <c>kubernetes</c> compute: one <c>batch/v1</c> Job per training job, named after it, so
/// starting twice finds the Job the first start created (409 AlreadyExists) instead of a second
/// trainer. The Job never retries a failed pod (<c>backoffLimit: 0</c>), stops at the training
/// timeout (<c>activeDeadlineSeconds</c>) and is removed <c>ttlSecondsAfterFinished</c> after it ends.
/// Its single container gets the trainer's image, arguments and exactly the contract's environment;
/// GPUs, node selector, tolerations and service account come from <see cref="KubernetesComputeOptions"/>.
/// Status comes from the Job and its pod; cancel deletes the Job with foreground propagation (the pod
/// goes first); logs come from the pod.
/// </summary>
public sealed partial class KubernetesTrainingCompute(
    IKubernetes client,
    IOptions<KubernetesComputeOptions> options,
    IOptions<TrainingOptions> training,
    ILogger<KubernetesTrainingCompute> logger) : ITrainingCompute
{
    public const string ComputeName = "kubernetes";

    /// <summary>The label every Job and pod the hub creates carries (what its watch selects).</summary>
    public const string ManagedByLabel = "app.kubernetes.io/managed-by";
    public const string ManagedBy = "modelshub";
    public const string JobIdLabel = "modelshub.io/training-job";
    public const string ContainerName = "trainer";

    private KubernetesComputeOptions Options => options.Value;

    public string Name => ComputeName;

    public bool CanRun(TrainerDefinition trainer) => trainer.Container is { Image.Length: > 0 };

    public string JobNameOf(string jobId) => Options.JobNamePrefix + jobId;

    public async Task<ComputeLaunch?> StartAsync(TrainerLaunch launch, CancellationToken cancellationToken)
    {
        var job = Build(launch);
        try
        {
            await client.BatchV1.CreateNamespacedJobAsync(job, Options.Namespace, cancellationToken: cancellationToken);
            LogCreated(logger, launch.JobId, job.Metadata.Name, Options.Namespace, job.Spec.Template.Spec.Containers[0].Image);
            return new ComputeLaunch(job.Metadata.Name, Started: true);
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.Conflict)
        {
            // Created by an earlier start of this step (before a crash): that Job is the job's trainer.
            return new ComputeLaunch(job.Metadata.Name, Started: false);
        }
        catch (HttpOperationException ex)
        {
            throw Translate(ex, $"create Job {job.Metadata.Name}");
        }
    }

    public async Task<ComputeStatus> GetStatusAsync(string jobId, string handle, CancellationToken cancellationToken)
    {
        V1Job job;
        try
        {
            job = await client.BatchV1.ReadNamespacedJobAsync(handle, Options.Namespace, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return new ComputeStatus(ComputePhase.Missing, $"The Job {handle} is gone from namespace {Options.Namespace}.");
        }
        catch (HttpOperationException ex)
        {
            throw Translate(ex, $"read Job {handle}");
        }
        var pod = await FindPodAsync(handle, cancellationToken);
        var terminated = pod?.Status?.ContainerStatuses?.FirstOrDefault(c => c.Name == ContainerName)?.State?.Terminated;
        if (job.Status?.Succeeded > 0)
        {
            return new ComputeStatus(ComputePhase.Succeeded, ExitCode: terminated?.ExitCode ?? 0);
        }
        if (job.Status?.Failed > 0 || job.Status?.Conditions?.Any(c => c.Type == "Failed" && c.Status == "True") == true)
        {
            var condition = job.Status?.Conditions?.FirstOrDefault(c => c.Type == "Failed" && c.Status == "True");
            var reason = terminated is { } t
                ? $"The trainer's pod {pod!.Metadata.Name} ended with exit code {t.ExitCode}{(string.IsNullOrEmpty(t.Reason) ? "" : $" ({t.Reason})")}."
                : $"The Job {handle} failed{(condition is null ? "" : $": {condition.Reason} {condition.Message}".TrimEnd())}.";
            return new ComputeStatus(ComputePhase.Failed, reason, terminated?.ExitCode);
        }
        var waiting = pod?.Status?.ContainerStatuses?.FirstOrDefault(c => c.Name == ContainerName)?.State?.Waiting;
        return pod?.Status?.Phase switch
        {
            "Running" => new ComputeStatus(ComputePhase.Running),
            "Succeeded" => new ComputeStatus(ComputePhase.Succeeded, ExitCode: 0),
            "Failed" => new ComputeStatus(ComputePhase.Failed, $"The trainer's pod {pod.Metadata.Name} failed with exit code {terminated?.ExitCode}.", terminated?.ExitCode),
            _ => new ComputeStatus(ComputePhase.Pending, waiting is null ? null : $"{waiting.Reason}: {waiting.Message}".TrimEnd(' ', ':')),
        };
    }

    public async Task StopAsync(string jobId, string handle, CancellationToken cancellationToken)
    {
        try
        {
            await client.BatchV1.DeleteNamespacedJobAsync(handle, Options.Namespace, propagationPolicy: "Foreground", cancellationToken: cancellationToken);
            LogDeleted(logger, jobId, handle);
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.NotFound)
        {
        }
        catch (HttpOperationException ex)
        {
            throw Translate(ex, $"delete Job {handle}");
        }
    }

    /// <summary>Nothing to do: the Job's <c>ttlSecondsAfterFinished</c> removes it, and until then its pod's log can be read.</summary>
    public Task ReleaseAsync(string jobId, string handle, CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task<IReadOnlyList<string>> GetLogTailAsync(string jobId, string handle, int lines, CancellationToken cancellationToken)
    {
        var pod = await FindPodAsync(handle, cancellationToken);
        if (pod is null)
        {
            return [];
        }
        try
        {
            await using var log = await client.CoreV1.ReadNamespacedPodLogAsync(pod.Metadata.Name, Options.Namespace, container: ContainerName, tailLines: lines,
                cancellationToken: cancellationToken);
            using var reader = new StreamReader(log);
            var text = await reader.ReadToEndAsync(cancellationToken);
            return [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).TakeLast(lines)];
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.BadRequest)
        {
            // The pod is gone, or has not started its container yet.
            return [];
        }
    }

    /// <summary>The Job the hub creates for a launch (public for the tests that read it back).</summary>
    public V1Job Build(TrainerLaunch launch)
    {
        var container = launch.Trainer.Container ?? throw new InvalidOperationException($"The trainer '{launch.Trainer.Name}' has no container image.");
        var name = JobNameOf(launch.JobId);
        var labels = new Dictionary<string, string> { [ManagedByLabel] = ManagedBy, [JobIdLabel] = launch.JobId };
        var gpus = container.Gpus ?? Options.Gpus;
        var requests = new Dictionary<string, ResourceQuantity>();
        var limits = new Dictionary<string, ResourceQuantity>();
        if (Options.CpuRequest is { Length: > 0 } cpu) requests["cpu"] = new ResourceQuantity(cpu);
        if (Options.MemoryRequest is { Length: > 0 } memory) requests["memory"] = new ResourceQuantity(memory);
        if (Options.MemoryLimit is { Length: > 0 } memoryLimit) limits["memory"] = new ResourceQuantity(memoryLimit);
        if (gpus > 0) limits["nvidia.com/gpu"] = new ResourceQuantity(gpus.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return new V1Job
        {
            ApiVersion = "batch/v1",
            Kind = "Job",
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = Options.Namespace, Labels = labels },
            Spec = new V1JobSpec
            {
                BackoffLimit = 0,
                TtlSecondsAfterFinished = Options.TtlSecondsAfterFinished,
                ActiveDeadlineSeconds = (long)Math.Ceiling(training.Value.Timeout.TotalSeconds),
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string>(labels) },
                    Spec = new V1PodSpec
                    {
                        RestartPolicy = "Never",
                        ServiceAccountName = string.IsNullOrEmpty(Options.ServiceAccount) ? null : Options.ServiceAccount,
                        NodeSelector = Options.NodeSelector.Count == 0 ? null : new Dictionary<string, string>(Options.NodeSelector),
                        Tolerations = Options.Tolerations.Count == 0 ? null : Options.Tolerations.Select(t => new V1Toleration
                        {
                            Key = t.Key,
                            OperatorProperty = t.Operator,
                            Value = string.IsNullOrEmpty(t.Value) ? null : t.Value,
                            Effect = string.IsNullOrEmpty(t.Effect) ? null : t.Effect,
                            TolerationSeconds = t.TolerationSeconds,
                        }).ToList(),
                        ImagePullSecrets = Options.ImagePullSecrets.Any(s => s.Length > 0)
                            ? Options.ImagePullSecrets.Where(s => s.Length > 0).Select(s => new V1LocalObjectReference { Name = s }).ToList() : null,
                        Containers =
                        [
                            new V1Container
                            {
                                Name = ContainerName,
                                Image = container.Image,
                                Command = container.Command.Count == 0 ? null : [.. container.Command],
                                Args = container.Arguments.Count == 0 ? null : [.. container.Arguments],
                                Env = launch.Environment.Select(e => new V1EnvVar { Name = e.Key, Value = e.Value }).ToList(),
                                Resources = requests.Count + limits.Count == 0 ? null : new V1ResourceRequirements
                                {
                                    Requests = requests.Count == 0 ? null : requests,
                                    Limits = limits.Count == 0 ? null : limits,
                                },
                            },
                        ],
                    },
                },
            },
        };
    }

    private async Task<V1Pod?> FindPodAsync(string jobName, CancellationToken cancellationToken)
    {
        try
        {
            var pods = await client.CoreV1.ListNamespacedPodAsync(Options.Namespace, labelSelector: "job-name=" + jobName, cancellationToken: cancellationToken);
            return pods.Items.OrderByDescending(p => p.Metadata.CreationTimestamp).FirstOrDefault();
        }
        catch (HttpOperationException ex)
        {
            throw Translate(ex, $"list the pods of Job {jobName}");
        }
    }

    private Exception Translate(HttpOperationException ex, string operation) => ex.Response.StatusCode switch
    {
        HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized =>
            new PermanentStepException($"The Kubernetes API refused to {operation} in namespace {Options.Namespace} ({(int)ex.Response.StatusCode}): {ex.Response.Content}. Give the hub's identity the rights on Jobs and pods there."),
        HttpStatusCode.UnprocessableEntity or HttpStatusCode.BadRequest =>
            new PermanentStepException($"The Kubernetes API refused to {operation} ({(int)ex.Response.StatusCode}): {ex.Response.Content}"),
        HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout or HttpStatusCode.InternalServerError =>
            new ServiceBusyException($"The Kubernetes API is busy ({operation}): {(int)ex.Response.StatusCode}.", null, ex),
        _ => new InvalidOperationException($"The Kubernetes API answered {(int)ex.Response.StatusCode} to {operation}: {ex.Response.Content}", ex),
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "Training job {Job}: Kubernetes Job {Name} created in {Namespace} with image {Image}")]
    private static partial void LogCreated(ILogger logger, string job, string name, string @namespace, string image);

    [LoggerMessage(Level = LogLevel.Information, Message = "Training job {Job}: Kubernetes Job {Name} deleted (foreground)")]
    private static partial void LogDeleted(ILogger logger, string job, string name);
}
