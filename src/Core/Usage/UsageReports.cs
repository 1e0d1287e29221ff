using ModelsHub.Contracts.Usage;
using ModelsHub.Core.Catalog;
using ModelsHub.Core.Common;
using ModelsHub.Core.Identity;

namespace ModelsHub.Core.Usage;

/// <summary>Counters as the API reports them.</summary>
public static class UsageStatistics
{
    public static UsageStats Of(UsageCounters c) => new(
        c.Calls, c.Successes, c.Calls == 0 ? null : Math.Round((double)c.Successes / c.Calls, 4),
        new SortedDictionary<string, long>(c.Errors, StringComparer.Ordinal), c.TokensIn, c.TokensOut,
        new LatencyStats(c.Calls == 0 ? null : Math.Round(c.LatencyMsSum / c.Calls, 3),
            LatencyHistogram.Quantile(c.Latency, 0.50), LatencyHistogram.Quantile(c.Latency, 0.95), LatencyHistogram.Quantile(c.Latency, 0.99)),
        c.StreamedCalls == 0 ? null : new LatencyStats(null,
            LatencyHistogram.Quantile(c.TimeToFirstToken, 0.50), LatencyHistogram.Quantile(c.TimeToFirstToken, 0.95), LatencyHistogram.Quantile(c.TimeToFirstToken, 0.99)));
}

/// <summary>A report's time range and shape as asked for; null fields take defaults.</summary>
public sealed record UsageRange(DateTimeOffset? From, DateTimeOffset? To, UsageGranularity Granularity, UsageGrouping By);

/// <summary>
/// Usage reports over the hourly rollups: per model (anyone who sees the model; split per user only
/// for those who manage it or hold <c>usage.view</c>), per caller, and hub-wide (<c>usage.view</c>).
/// Percentiles come from the fixed-bucket histograms summed over the rollups.
/// </summary>
public sealed class UsageReports(IUsageStore store, UsageRecorder recorder, ModelCatalog catalog, TimeProvider clock)
{
    public const int MaxHourBuckets = 24 * 31;
    public const int MaxDays = 366;
    public const int MaxTop = 100;

    public async Task<UsageReport> ForModelAsync(Caller caller, string modelName, UsageRange range, CancellationToken cancellationToken)
    {
        var model = await catalog.GetAsync(caller, modelName, cancellationToken);
        if (range.By == UsageGrouping.User && !MaySeeOthers(caller, model))
        {
            ModelAccess.Demand(caller, Permissions.ViewUsage, "see this model's usage per user");
        }
        if (range.By == UsageGrouping.Model)
        {
            throw new ValidationException("by", "A model's usage splits by user or version.");
        }
        var (from, to) = Resolve(range);
        await recorder.FlushAsync(cancellationToken);
        var rollups = await store.QueryAsync(new UsageRollupQuery(range.Granularity, from, to, Model: model.Name), cancellationToken);
        return Build(model.Name, null, from, to, range, rollups);
    }

    public async Task<UsageReport> ForCallerAsync(Caller caller, UsageRange range, CancellationToken cancellationToken)
    {
        var user = caller.UserId ?? throw new AuthenticationRequiredException();
        if (range.By == UsageGrouping.User)
        {
            throw new ValidationException("by", "Your own usage splits by model or version.");
        }
        var (from, to) = Resolve(range);
        await recorder.FlushAsync(cancellationToken);
        var rollups = await store.QueryAsync(new UsageRollupQuery(range.Granularity, from, to, User: user), cancellationToken);
        return Build(null, user, from, to, range, rollups);
    }

    public async Task<UsageOverview> OverviewAsync(Caller caller, UsageRange range, int top, CancellationToken cancellationToken)
    {
        ModelAccess.Demand(caller, caller.Has(Permissions.ViewUsage) ? null : Permissions.ViewUsage, "see the hub's usage");
        var (from, to) = Resolve(range);
        await recorder.FlushAsync(cancellationToken);
        var rollups = await store.QueryAsync(new UsageRollupQuery(range.Granularity, from, to), cancellationToken);
        var totals = new UsageCounters();
        foreach (var r in rollups) totals.Add(r.Counters);
        return new UsageOverview(from, to, UsageStatistics.Of(totals),
            Groups(rollups, r => r.Key.Model, range.Granularity).Take(top).ToList(),
            Groups(rollups, r => r.Key.User, range.Granularity).Take(top).ToList());
    }

    /// <summary>The latest calls of a model, for looking into its errors (those who manage it, or <c>usage.view</c>).</summary>
    public async Task<IReadOnlyList<UsageRecord>> RecentCallsAsync(Caller caller, string modelName, int maxItems, bool failuresOnly, CancellationToken cancellationToken)
    {
        var model = await catalog.GetAsync(caller, modelName, cancellationToken);
        if (!MaySeeOthers(caller, model))
        {
            ModelAccess.Demand(caller, Permissions.ViewUsage, "see this model's calls");
        }
        await recorder.FlushAsync(cancellationToken);
        return await store.RecentCallsAsync(model.Name, Math.Clamp(maxItems, 1, Paging.MaxPageSize), failuresOnly, cancellationToken);
    }

    private static bool MaySeeOthers(Caller caller, HubModel model) =>
        caller.Has(Permissions.ViewUsage) || ModelAccess.Missing(caller, model, ModelAction.Update) is null;

    private (DateTimeOffset From, DateTimeOffset To) Resolve(UsageRange range)
    {
        var step = Step(range.Granularity);
        var to = Ceiling(range.To ?? clock.GetUtcNow(), step);
        var from = Floor(range.From ?? to - (range.Granularity == UsageGranularity.Hour ? TimeSpan.FromHours(24) : TimeSpan.FromDays(30)), step);
        var errors = new ValidationErrors();
        if (from >= to)
        {
            errors.Add("from", "Must be before 'to'.");
        }
        else if (range.Granularity == UsageGranularity.Hour && (to - from).TotalHours > MaxHourBuckets)
        {
            errors.Add("to", $"An hourly report spans at most {MaxHourBuckets} hours; use granularity=day.");
        }
        else if ((to - from).TotalDays > MaxDays)
        {
            errors.Add("to", $"A report spans at most {MaxDays} days.");
        }
        errors.ThrowIfAny();
        return (from, to);
    }

    private static UsageReport Build(string? model, string? user, DateTimeOffset from, DateTimeOffset to, UsageRange range, IReadOnlyList<UsageRollup> rollups)
    {
        var totals = new UsageCounters();
        foreach (var r in rollups) totals.Add(r.Counters);
        var groups = range.By switch
        {
            UsageGrouping.User => Groups(rollups, r => r.Key.User, range.Granularity),
            UsageGrouping.Version => Groups(rollups, r => r.Key.Version, range.Granularity),
            UsageGrouping.Model => Groups(rollups, r => r.Key.Model, range.Granularity),
            _ => [],
        };
        return new UsageReport(model, user, from, to, range.Granularity, range.By, UsageStatistics.Of(totals),
            Series(rollups, range.Granularity), groups);
    }

    /// <summary>One series per key, busiest first (then by key).</summary>
    private static List<UsageGroup> Groups(IReadOnlyList<UsageRollup> rollups, Func<UsageRollup, string?> key, UsageGranularity granularity) =>
        rollups.GroupBy(key, StringComparer.Ordinal)
            .Select(g =>
            {
                var sum = new UsageCounters();
                foreach (var r in g) sum.Add(r.Counters);
                return new UsageGroup(g.Key, UsageStatistics.Of(sum), Series(g.ToList(), granularity));
            })
            .OrderByDescending(g => g.Totals.Calls).ThenBy(g => g.Key, StringComparer.Ordinal)
            .ToList();

    /// <summary>Buckets that had calls, oldest first.</summary>
    private static List<UsageBucket> Series(IReadOnlyList<UsageRollup> rollups, UsageGranularity granularity)
    {
        var step = Step(granularity);
        var buckets = new SortedDictionary<DateTimeOffset, UsageCounters>();
        foreach (var r in rollups)
        {
            var start = Floor(r.Key.Start, step);
            if (!buckets.TryGetValue(start, out var sum)) buckets[start] = sum = new UsageCounters();
            sum.Add(r.Counters);
        }
        return buckets.Select(b => new UsageBucket(b.Key, UsageStatistics.Of(b.Value))).ToList();
    }

    private static TimeSpan Step(UsageGranularity granularity) => granularity == UsageGranularity.Hour ? TimeSpan.FromHours(1) : TimeSpan.FromDays(1);

    private static DateTimeOffset Floor(DateTimeOffset at, TimeSpan step) => new(at.UtcTicks - at.UtcTicks % step.Ticks, TimeSpan.Zero);

    private static DateTimeOffset Ceiling(DateTimeOffset at, TimeSpan step)
    {
        var floor = Floor(at, step);
        return floor == at.ToUniversalTime() ? floor : floor + step;
    }
}
