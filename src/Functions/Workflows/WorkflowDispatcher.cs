using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using ModelsHub.Core.Workflows;
using ModelsHub.Functions.Triggers;

namespace ModelsHub.Functions.Workflows;

/// <summary>
/// The embedded profile's stand-in for the queue trigger: reads the work queue and advances
/// workflows, a few at once. Runs only when triggers run in-process (not under the Functions host).
/// </summary>
/// <remarks>
/// The queue and the runner (and through them the stores' clients) are resolved only when it runs: under the
/// Functions host it does nothing, and a cold start there must not build clients for it.
/// </remarks>
public sealed partial class WorkflowDispatcher(IServiceProvider services, WorkflowWakeup wakeup, IOptions<WorkflowOptions> options,
    IOptions<TriggerOptions> triggers, ILogger<WorkflowDispatcher> logger) : BackgroundService
{
    private IWorkQueue _queue = null!;
    private WorkflowRunner _runner = null!;

    /// <summary>Delayed messages become visible without a pulse; look this often.</summary>
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    private const int MaxDeliveries = 20;

    private readonly ConcurrentDictionary<string, byte> _inFlight = new(StringComparer.Ordinal);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!triggers.Value.RunsInProcess)
        {
            return;
        }
        _queue = services.GetRequiredService<IWorkQueue>();
        _runner = services.GetRequiredService<WorkflowRunner>();
        var concurrency = Math.Max(1, options.Value.Concurrency);
        using var slots = new SemaphoreSlim(concurrency, concurrency);
        var running = new ConcurrentDictionary<Task, byte>();
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await slots.WaitAsync(stoppingToken);
                var free = slots.CurrentCount + 1;
                slots.Release();
                var signal = wakeup.Next;
                IReadOnlyList<WorkItem> items;
                try
                {
                    items = await _queue.ReceiveAsync(free, options.Value.VisibilityTimeout, stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogReceiveFailed(logger, ex);
                    await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
                    continue;
                }
                if (items.Count == 0)
                {
                    await Task.WhenAny(signal, Task.Delay(PollInterval, stoppingToken));
                    continue;
                }
                foreach (var item in items)
                {
                    await slots.WaitAsync(stoppingToken);
                    var task = Task.Run(() => ProcessAsync(item, stoppingToken), CancellationToken.None);
                    running[task] = 0;
                    _ = task.ContinueWith(t =>
                    {
                        running.TryRemove(t, out _);
                        slots.Release();
                    }, TaskScheduler.Default);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        await Task.WhenAll(running.Keys);
    }

    private async Task ProcessAsync(WorkItem item, CancellationToken stoppingToken)
    {
        try
        {
            var id = WorkflowRunner.ParseMessage(item.Body);
            if (id is null)
            {
                await _queue.MoveToPoisonAsync(item, "Not a workflow message.", stoppingToken);
                return;
            }
            // One process runs one step of an instance at a time. A message for an instance in flight
            // waits a moment rather than being dropped: it may be the next step's own message, which
            // the run in flight enqueues just before it ends (dropping it left the instance to the
            // sweeper). A real duplicate that waits is harmless: the runner only ever runs the
            // instance's current step, and writes it with the ETag it read.
            if (!_inFlight.TryAdd(id, 0))
            {
                await _queue.ReleaseAsync(item, PollInterval, stoppingToken);
                return;
            }
            try
            {
                await _runner.AdvanceAsync(id, stoppingToken);
            }
            finally
            {
                _inFlight.TryRemove(id, out _);
            }
            await _queue.CompleteAsync(item, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Left in the queue: it reappears after its visibility timeout.
        }
        catch (Exception ex)
        {
            LogProcessFailed(logger, ex, item.MessageId, item.DequeueCount);
            try
            {
                if (item.DequeueCount >= MaxDeliveries)
                {
                    await _queue.MoveToPoisonAsync(item, ex.Message, CancellationToken.None);
                }
                else
                {
                    await _queue.ReleaseAsync(item, TimeSpan.FromSeconds(Math.Min(60, item.DequeueCount * 2)), CancellationToken.None);
                }
            }
            catch (Exception inner)
            {
                LogProcessFailed(logger, inner, item.MessageId, item.DequeueCount);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Reading the work queue failed; trying again")]
    private static partial void LogReceiveFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Work item {MessageId} (delivery {DequeueCount}) could not be processed")]
    private static partial void LogProcessFailed(ILogger logger, Exception exception, string messageId, int dequeueCount);
}
