using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModelsHub.Contracts.Workflows;
using ModelsHub.Core.Common;

namespace ModelsHub.Core.Workflows;

/// <summary>
/// Starts and advances workflow instances (DESIGN.md "Durable workflows without Durable Task"):
/// each message <c>{workflowId}</c> runs the instance's current step, writes the new state with
/// the ETag it read, then enqueues the next step (delayed for timers and retries). A failing step
/// is retried with exponential back-off and fails the instance, readably, after
/// <see cref="WorkflowOptions.MaxAttempts"/> tries.
/// </summary>
public sealed partial class WorkflowRunner(
    IWorkflowStore store,
    IWorkQueue queue,
    IEnumerable<IWorkflowDefinition> definitions,
    IOptions<WorkflowOptions> options,
    WorkflowWakeup wakeup,
    TimeProvider clock,
    ILogger<WorkflowRunner> logger)
{
    private readonly Dictionary<string, IWorkflowDefinition> _definitions = definitions.ToDictionary(d => d.Kind, StringComparer.Ordinal);

    /// <summary>A message that arrives this much before the instance is due still runs it (clock skew, queue rounding).</summary>
    private static readonly TimeSpan EarlyTolerance = TimeSpan.FromSeconds(1);

    private WorkflowOptions Options => options.Value;

    public async Task<WorkflowInstance> GetAsync(string id, CancellationToken cancellationToken) =>
        await store.FindAsync(id, cancellationToken) ?? throw new NotFoundException("Workflow", id);

    /// <summary>Runs the current step of the instance; what a queue message asks for. Never throws for a step's failure.</summary>
    public async Task<WorkflowInstance?> AdvanceAsync(string id, CancellationToken cancellationToken)
    {
        var instance = await store.FindAsync(id, cancellationToken);
        if (instance is null)
        {
            LogUnknown(logger, id);
            return null;
        }
        if (instance.IsFinished)
        {
            return instance;
        }
        var now = clock.GetUtcNow();
        if (instance.NextAttemptAt is { } due && due - now > EarlyTolerance)
        {
            // A long timer waits in hops the queue can carry; any other early message is a duplicate
            // (the sweeper's or a redelivery) and the instance's own message is still on its way.
            if (due - now > Options.VisibilityTimeout)
            {
                await EnqueueAsync(id, Min(due - now, Options.MaxQueueDelay), cancellationToken);
            }
            return instance;
        }

        var definition = Definition(instance.Kind);
        StepOutcome outcome;
        try
        {
            outcome = await definition.RunStepAsync(instance.Clone(), cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return await RecordFailureAsync(instance, ex, cancellationToken);
        }
        CrashIfAsked(instance.Step, afterSave: false);

        var next = instance.Clone();
        foreach (var (key, value) in outcome.Data)
        {
            next.Data[key] = value;
        }
        now = clock.GetUtcNow();
        next.History.Add(new WorkflowEvent(now, instance.Step, "done", outcome.Note));
        next.Attempt = 0;
        next.LastError = null;
        next.UpdatedAt = now;
        if (outcome.Next is null)
        {
            next.Status = WorkflowStatus.Completed;
            next.NextAttemptAt = null;
        }
        else
        {
            next.Step = outcome.Next;
            next.NextAttemptAt = now + outcome.Delay;
        }
        WorkflowInstance saved;
        try
        {
            saved = await store.ReplaceAsync(next, instance.ETag!, cancellationToken);
        }
        catch (PreconditionFailedException)
        {
            // Another reader advanced it first (a duplicate message); its run enqueues what follows.
            LogRaced(logger, id, instance.Step);
            return await store.FindAsync(id, cancellationToken);
        }
        CrashIfAsked(instance.Step, afterSave: true);
        if (saved.Status == WorkflowStatus.Running)
        {
            await EnqueueAsync(id, Min(outcome.Delay, Options.MaxQueueDelay), cancellationToken);
        }
        else
        {
            LogCompleted(logger, saved.Kind, id);
        }
        return saved;
    }

    /// <summary>Puts a failed instance back to work at the step that failed (an administrator's retry).</summary>
    public async Task<WorkflowInstance> RetryAsync(string id, string? by, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var instance = await GetAsync(id, cancellationToken);
            if (instance.Status == WorkflowStatus.Running)
            {
                return instance;
            }
            if (instance.Status == WorkflowStatus.Completed)
            {
                throw new ConflictException($"Workflow '{id}' has completed; there is nothing to retry.");
            }
            var now = clock.GetUtcNow();
            var next = instance.Clone();
            next.Status = WorkflowStatus.Running;
            next.Attempt = 0;
            next.NextAttemptAt = now;
            next.UpdatedAt = now;
            next.History.Add(new WorkflowEvent(now, instance.Step, "retried", by is null ? null : $"by {by}"));
            try
            {
                var saved = await store.ReplaceAsync(next, instance.ETag!, cancellationToken);
                await EnqueueAsync(id, TimeSpan.Zero, cancellationToken);
                return saved;
            }
            catch (PreconditionFailedException) when (attempt < 5)
            {
            }
        }
    }

    /// <summary>
    /// Re-enqueues running instances overdue by more than the visibility timeout: their message was
    /// lost (a crash between "state saved" and "message sent") or their step's reader died.
    /// </summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var overdue = await store.ListDueAsync(clock.GetUtcNow() - Options.VisibilityTimeout, 1000, cancellationToken);
        foreach (var id in overdue)
        {
            await EnqueueAsync(id, TimeSpan.Zero, cancellationToken);
        }
        if (overdue.Count > 0)
        {
            LogSwept(logger, overdue.Count);
        }
        return overdue.Count;
    }

    /// <summary>The id in a queue message body, or null when the body is not a workflow message.</summary>
    public static string? ParseMessage(string body)
    {
        try
        {
            var message = JsonSerializer.Deserialize<WorkflowMessage>(body, HubJson.Options);
            return string.IsNullOrWhiteSpace(message?.WorkflowId) ? null : message.WorkflowId;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public static string FormatMessage(string id) => JsonSerializer.Serialize(new WorkflowMessage(id), HubJson.Options);

    private async Task<WorkflowInstance?> RecordFailureAsync(WorkflowInstance instance, Exception error, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var attempt = instance.Attempt + 1;
        var reason = Describe(error);
        var policy = Policy(instance.Kind);
        var next = instance.Clone();
        next.Attempt = attempt;
        next.LastError = reason;
        next.UpdatedAt = now;
        TimeSpan? delay = null;
        if (error is PermanentStepException || attempt >= policy.MaxAttempts)
        {
            next.Status = WorkflowStatus.Failed;
            next.NextAttemptAt = null;
            next.History.Add(new WorkflowEvent(now, instance.Step, "failed", $"attempt {attempt}: {reason}"));
            LogFailed(logger, error, instance.Kind, instance.Id, instance.Step, attempt);
        }
        else
        {
            delay = policy.DelayAfter(attempt);
            next.NextAttemptAt = now + delay;
            next.History.Add(new WorkflowEvent(now, instance.Step, "retrying", $"attempt {attempt}: {reason}"));
            LogRetrying(logger, instance.Kind, instance.Id, instance.Step, attempt, delay.Value, reason);
        }
        try
        {
            var saved = await store.ReplaceAsync(next, instance.ETag!, cancellationToken);
            if (delay is { } d)
            {
                await EnqueueAsync(instance.Id, d, cancellationToken);
            }
            return saved;
        }
        catch (PreconditionFailedException)
        {
            return await store.FindAsync(instance.Id, cancellationToken);
        }
    }

    /// <summary>The kind's own retry policy, else the runner's settings.</summary>
    public WorkflowRetryPolicy Policy(string kind) =>
        (_definitions.TryGetValue(kind, out var definition) ? definition.RetryPolicy : null)
        ?? new WorkflowRetryPolicy(Options.MaxAttempts, Options.RetryDelay, Options.MaxRetryDelay);

    private async Task EnqueueAsync(string id, TimeSpan delay, CancellationToken cancellationToken)
    {
        await queue.EnqueueAsync(FormatMessage(id), delay > TimeSpan.Zero ? delay : null, cancellationToken);
        wakeup.Pulse();
    }

    private IWorkflowDefinition Definition(string kind) =>
        _definitions.TryGetValue(kind, out var definition)
            ? definition
            : throw new InvalidOperationException($"No workflow definition for kind '{kind}'.");

    private void CrashIfAsked(string step, bool afterSave)
    {
        if (Options.CrashAt is { Length: > 0 } at && at == (afterSave ? step + ":after-save" : step))
        {
            Environment.FailFast($"Fault injection (Workflows:CrashAt={at}).");
        }
    }

    private static string Describe(Exception error) => error switch
    {
        PermanentStepException or HubException => error.Message,
        OperationCanceledException => "The step timed out.",
        _ => $"{error.GetType().Name}: {error.Message}",
    };

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    [LoggerMessage(Level = LogLevel.Information, Message = "Workflow {Kind} {Id} completed")]
    private static partial void LogCompleted(ILogger logger, string kind, string id);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Workflow {Kind} {Id} step {Step} failed (attempt {Attempt}); retrying in {Delay}: {Reason}")]
    private static partial void LogRetrying(ILogger logger, string kind, string id, string step, int attempt, TimeSpan delay, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Workflow {Kind} {Id} failed at step {Step} after {Attempt} attempts")]
    private static partial void LogFailed(ILogger logger, Exception exception, string kind, string id, string step, int attempt);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Workflow {Id} step {Step} was advanced by another reader first")]
    private static partial void LogRaced(ILogger logger, string id, string step);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A message for unknown workflow {Id} was dropped")]
    private static partial void LogUnknown(ILogger logger, string id);

    [LoggerMessage(Level = LogLevel.Information, Message = "Sweeper re-enqueued {Count} overdue workflows")]
    private static partial void LogSwept(ILogger logger, int count);
}

/// <summary>
/// Creates workflow instances and sends their first message. Separate from the runner so the
/// services a workflow's steps use may start workflows themselves.
/// </summary>
public sealed partial class WorkflowStarter(IWorkflowStore store, IWorkQueue queue, WorkflowWakeup wakeup, TimeProvider clock, ILogger<WorkflowStarter> logger)
{
    /// <summary>
    /// Creates the instance and asks for its first step. Idempotent: starting an id that exists
    /// returns the existing instance (so a caller may safely repeat a start after a crash). With
    /// <paramref name="send"/> false the first message is left to <see cref="SendAsync"/> (or, after
    /// a crash, to the sweeper), for callers that must record something before the first step runs.
    /// </summary>
    public async Task<WorkflowInstance> StartAsync(string kind, string firstStep, string id, IReadOnlyDictionary<string, string> data, string? startedBy,
        CancellationToken cancellationToken, bool send = true)
    {
        var now = clock.GetUtcNow();
        var instance = new WorkflowInstance
        {
            Id = id,
            Kind = kind,
            Step = firstStep,
            Data = new Dictionary<string, string>(data, StringComparer.Ordinal),
            NextAttemptAt = now,
            StartedBy = startedBy,
            History = [new WorkflowEvent(now, firstStep, "started", startedBy is null ? null : $"by {startedBy}")],
            CreatedAt = now,
            UpdatedAt = now,
        };
        try
        {
            instance = await store.CreateAsync(instance, cancellationToken);
        }
        catch (ConflictException)
        {
            return await store.FindAsync(id, cancellationToken) ?? throw new NotFoundException("Workflow", id);
        }
        if (send)
        {
            await SendAsync(id, cancellationToken);
        }
        LogStarted(logger, kind, id);
        return instance;
    }

    /// <summary>
    /// Ends a running instance's wait (a timer such as a polling delay, a retry's back-off) because something
    /// it waits for happened (a trainer's event, a cancellation): its current step becomes due now and is
    /// asked for. A finished instance is left as it is.
    /// </summary>
    public async Task WakeAsync(string id, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var instance = await store.FindAsync(id, cancellationToken);
            var now = clock.GetUtcNow();
            if (instance is null || instance.IsFinished)
            {
                return;
            }
            if (instance.NextAttemptAt is not { } due || due <= now)
            {
                break;
            }
            var next = instance.Clone();
            next.NextAttemptAt = now;
            try
            {
                await store.ReplaceAsync(next, instance.ETag!, cancellationToken);
                break;
            }
            catch (PreconditionFailedException)
            {
                // It moved meanwhile (a step ran): look again.
            }
        }
        await SendAsync(id, cancellationToken);
    }

    /// <summary>Asks for the instance's current step now.</summary>
    public async Task SendAsync(string id, CancellationToken cancellationToken)
    {
        await queue.EnqueueAsync(WorkflowRunner.FormatMessage(id), null, cancellationToken);
        wakeup.Pulse();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Workflow {Kind} {Id} started")]
    private static partial void LogStarted(ILogger logger, string kind, string id);
}

/// <summary>Wakes the in-process dispatcher when a message was enqueued, so it need not poll tightly.</summary>
public sealed class WorkflowWakeup
{
    private TaskCompletionSource _signal = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Pulse() => Interlocked.Exchange(ref _signal, new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    /// <summary>Completes at the next pulse; take it before looking at the queue so a pulse in between is not missed.</summary>
    public Task Next => Volatile.Read(ref _signal).Task;
}
