namespace ModelsHub.Core.Workflows;

/// <summary>
/// One kind of durable process. The runner calls <see cref="RunStepAsync"/> for the instance's
/// current step; the step must be idempotent (it may run again after a crash, before or after its
/// side effect) and says what comes next.
/// </summary>
public interface IWorkflowDefinition
{
    string Kind { get; }

    /// <summary>The first step of a new instance.</summary>
    string FirstStep { get; }

    Task<StepOutcome> RunStepAsync(WorkflowInstance instance, CancellationToken cancellationToken);

    /// <summary>How this kind retries a failing step (tries, first delay, ceiling); null: the runner's <c>Workflows</c> settings.</summary>
    WorkflowRetryPolicy? RetryPolicy => null;
}

/// <summary>A step is tried <see cref="MaxAttempts"/> times, waiting <see cref="RetryDelay"/> after the first failure and doubling up to <see cref="MaxRetryDelay"/>.</summary>
public sealed record WorkflowRetryPolicy(int MaxAttempts, TimeSpan RetryDelay, TimeSpan MaxRetryDelay)
{
    /// <summary>The wait after failed try number <paramref name="attempt"/> (1-based).</summary>
    public TimeSpan DelayAfter(int attempt)
    {
        var ticks = RetryDelay.Ticks * Math.Pow(2, Math.Min(attempt - 1, 30));
        return ticks >= MaxRetryDelay.Ticks ? MaxRetryDelay : TimeSpan.FromTicks((long)ticks);
    }
}

/// <summary>What a step decided: go on to a step (now or after a delay), or finish.</summary>
public sealed record StepOutcome
{
    private StepOutcome(string? next, TimeSpan delay, IReadOnlyDictionary<string, string>? data, string? note)
    {
        Next = next;
        Delay = delay;
        Data = data ?? new Dictionary<string, string>();
        Note = note;
    }

    /// <summary>The next step, or null when the instance is complete.</summary>
    public string? Next { get; }

    /// <summary>How long to wait before the next step (a timer).</summary>
    public TimeSpan Delay { get; }

    /// <summary>Values to add to (or replace in) the instance's data.</summary>
    public IReadOnlyDictionary<string, string> Data { get; }

    /// <summary>A readable line for the history.</summary>
    public string? Note { get; }

    public static StepOutcome Continue(string next, IReadOnlyDictionary<string, string>? data = null, string? note = null) => new(next, TimeSpan.Zero, data, note);

    public static StepOutcome After(TimeSpan delay, string next, IReadOnlyDictionary<string, string>? data = null, string? note = null) => new(next, delay, data, note);

    public static StepOutcome Complete(IReadOnlyDictionary<string, string>? data = null, string? note = null) => new(null, TimeSpan.Zero, data, note);
}

/// <summary>A step failure that retrying cannot fix (a missing setting, a model that cannot be rendered): the instance fails at once.</summary>
public sealed class PermanentStepException(string message) : Exception(message);
