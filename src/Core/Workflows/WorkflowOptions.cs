namespace ModelsHub.Core.Workflows;

/// <summary>How the runner advances workflows (section <c>Workflows</c>).</summary>
public sealed class WorkflowOptions
{
    public const string Section = "Workflows";

    /// <summary>Tries of one step before the instance is marked failed.</summary>
    public int MaxAttempts { get; set; } = 8;

    /// <summary>The first retry delay; each further retry doubles it, up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// How long a step may take before another reader may take the message again; also the grace
    /// after which the sweeper re-enqueues an instance that should have moved on.
    /// </summary>
    public TimeSpan VisibilityTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Longest single queue delay (Storage Queues allow 7 days); longer timers wait in several hops.</summary>
    public TimeSpan MaxQueueDelay { get; set; } = TimeSpan.FromDays(6);

    /// <summary>Steps the in-process dispatcher runs at once.</summary>
    public int Concurrency { get; set; } = 8;

    /// <summary>Six-field NCRONTAB schedule of the <c>WorkflowSweeper</c> timer.</summary>
    public string SweeperSchedule { get; set; } = "0 * * * * *";

    /// <summary>
    /// Test-only fault injection: <c>step</c> or <c>step:after-save</c> ends the process right after
    /// that step's side effect (before its state is saved), or after the save and before the next
    /// message is sent. Never set in production.
    /// </summary>
    public string? CrashAt { get; set; }
}
