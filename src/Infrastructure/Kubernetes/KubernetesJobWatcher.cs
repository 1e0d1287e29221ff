using k8s;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModelsHub.Core.Training;
using ModelsHub.Core.Workflows;

namespace ModelsHub.Infrastructure.Kubernetes;

/// <summary>
/// Watches the hub's Jobs (by its label) with the client's watch API and wakes a training job's
/// workflow when its Job ends or disappears, so a finished trainer is noticed at once rather than at
/// the next look. Only a shortcut: the workflow looks by itself anyway, so a lost watch loses nothing;
/// the watch is opened again after any failure.
/// </summary>
public sealed partial class KubernetesJobWatcher(
    IKubernetes client,
    IOptions<KubernetesComputeOptions> options,
    WorkflowStarter workflows,
    ILogger<KubernetesJobWatcher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromSeconds(1);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var watch = client.BatchV1.WatchListNamespacedJobAsync(options.Value.Namespace,
                    labelSelector: $"{KubernetesTrainingCompute.ManagedByLabel}={KubernetesTrainingCompute.ManagedBy}", cancellationToken: stoppingToken);
                await foreach (var (type, job) in watch.WithCancellation(stoppingToken))
                {
                    delay = TimeSpan.FromSeconds(1);
                    if (job.Metadata?.Labels?.TryGetValue(KubernetesTrainingCompute.JobIdLabel, out var jobId) != true || jobId is null)
                    {
                        continue;
                    }
                    if (type == WatchEventType.Deleted || job.Status?.Succeeded > 0 || job.Status?.Failed > 0)
                    {
                        await workflows.WakeAsync(TrainingJob.WorkflowIdFor(jobId), stoppingToken);
                    }
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogWatchFailed(logger, options.Value.Namespace, delay, ex.Message);
            }
            await Task.Delay(delay, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromMinutes(1).Ticks));
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Watching the training Jobs in namespace {Namespace} stopped; watching again in {Delay}: {Reason}")]
    private static partial void LogWatchFailed(ILogger logger, string @namespace, TimeSpan delay, string reason);
}
