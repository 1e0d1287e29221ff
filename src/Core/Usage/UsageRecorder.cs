using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModelsHub.Contracts.Usage;

namespace ModelsHub.Core.Usage;

/// <summary>Usage settings (section <c>Usage</c>).</summary>
public sealed class UsageOptions
{
    public const string Section = "Usage";

    /// <summary>How often buffered calls are written (calls and their rollup increments, in one batch).</summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Calls kept in memory while the store cannot be written; beyond it the oldest are dropped (and logged).</summary>
    public int MaxBufferedCalls { get; set; } = 100_000;

    /// <summary>How long recorded calls are kept (rollups stay); the SQLite sweep and the Cosmos TTL use it.</summary>
    public TimeSpan CallRetention { get; set; } = TimeSpan.FromDays(30);
}

/// <summary>
/// Records calls without making the caller wait for storage: calls are buffered and written in
/// batches (every <see cref="UsageOptions.FlushInterval"/>, at shutdown, and before a report reads),
/// each batch as the raw calls plus one increment per hourly and daily rollup it touches. Increments from
/// several instances add up in the store, so no count is lost to concurrency; a crash loses at most
/// one interval of this instance's calls.
/// </summary>
public sealed partial class UsageRecorder(IUsageStore store, IOptions<UsageOptions> options, ILogger<UsageRecorder> logger)
{
    private readonly ConcurrentQueue<UsageRecord> _pending = new();
    private readonly SemaphoreSlim _flushGate = new(1, 1);
    private int _count;

    public int Pending => Volatile.Read(ref _count);

    public void Record(UsageRecord call)
    {
        _pending.Enqueue(call);
        if (Interlocked.Increment(ref _count) > options.Value.MaxBufferedCalls && _pending.TryDequeue(out var dropped))
        {
            Interlocked.Decrement(ref _count);
            LogDropped(logger, dropped.Model, dropped.At);
        }
    }

    /// <summary>Writes everything buffered so far. A failed write puts the batch back for the next flush.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        // Nothing queued is not enough: another flush may have taken the calls and still be writing
        // them, and a report that flushes before it reads must see them. The queue is checked first,
        // so a batch taken after that check is seen by its holder on the gate.
        if (_pending.IsEmpty && _flushGate.CurrentCount == 1)
        {
            return;
        }
        await _flushGate.WaitAsync(cancellationToken);
        try
        {
            while (!_pending.IsEmpty)
            {
                var batch = new List<UsageRecord>();
                while (batch.Count < 5_000 && _pending.TryDequeue(out var call))
                {
                    Interlocked.Decrement(ref _count);
                    batch.Add(call);
                }
                try
                {
                    await store.RecordAsync(batch, Rollups(batch), cancellationToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    LogFlushFailed(logger, ex, batch.Count);
                    foreach (var call in batch)
                    {
                        Record(call);
                    }
                    throw;
                }
            }
        }
        finally
        {
            _flushGate.Release();
        }
    }

    /// <summary>The batch summed per rollup: each call in its hour's and its day's.</summary>
    public static IReadOnlyList<UsageRollup> Rollups(IEnumerable<UsageRecord> calls)
    {
        var byKey = new Dictionary<string, UsageRollup>(StringComparer.Ordinal);
        foreach (var call in calls)
        {
            foreach (var span in Spans)
            {
                var key = UsageRollupKey.For(span, call);
                if (!byKey.TryGetValue(key.Text, out var rollup))
                {
                    byKey[key.Text] = rollup = new UsageRollup(key, new UsageCounters());
                }
                rollup.Counters.Add(call);
            }
        }
        return byKey.Values.ToList();
    }

    private static readonly UsageGranularity[] Spans = [UsageGranularity.Hour, UsageGranularity.Day];

    [LoggerMessage(Level = LogLevel.Warning, Message = "Usage buffer full: dropped a call of {Model} at {At} (the usage store has not been writable)")]
    private static partial void LogDropped(ILogger logger, string model, DateTimeOffset at);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Writing {Count} usage records failed; they stay buffered for the next flush")]
    private static partial void LogFlushFailed(ILogger logger, Exception exception, int count);
}
