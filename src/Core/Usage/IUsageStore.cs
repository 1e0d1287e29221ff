using ModelsHub.Contracts.Usage;

namespace ModelsHub.Core.Usage;

/// <summary>Which rollups a report reads: those of one span starting in [From, To), optionally of one model and/or one user.</summary>
public sealed record UsageRollupQuery(UsageGranularity Span, DateTimeOffset From, DateTimeOffset To, string? Model = null, string? User = null);

/// <summary>Where recorded calls and their hourly rollups live.</summary>
public interface IUsageStore
{
    /// <summary>
    /// Appends the calls and adds each delta to its rollup, creating the rollup when it is new. Two
    /// writers adding to the same rollup at once must both count (increments or ETag retries).
    /// </summary>
    Task RecordAsync(IReadOnlyList<UsageRecord> calls, IReadOnlyList<UsageRollup> deltas, CancellationToken cancellationToken);

    /// <summary>The rollups of the span that start in range and match (model ignoring case, user exactly).</summary>
    Task<IReadOnlyList<UsageRollup>> QueryAsync(UsageRollupQuery query, CancellationToken cancellationToken);

    /// <summary>The most recent calls of a model (newest first), for the error analysis of one model.</summary>
    Task<IReadOnlyList<UsageRecord>> RecentCallsAsync(string model, int maxItems, bool failuresOnly, CancellationToken cancellationToken);
}
