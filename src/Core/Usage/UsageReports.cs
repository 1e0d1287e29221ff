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
    private const int MaxBuiltReports = 256;

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (long Stamp, object Report)> _built = new(StringComparer.Ordinal);

    public async Task<UsageReport> ForModelAsync(Caller caller, string modelName, UsageRange range, CancellationToken cancellationToken)
    {
        var model = await catalog.GetAsync(caller, modelName, cancellationToken);
        if (range.By == UsageGrouping.User && !MaySeeOthers(caller, model))
        {
            ModelAccess.Demand(caller, Permissions.ViewUsage, "see this model's usage per user");
        }
        if (range.By == UsageGrouping.Model)
        {
            throw new ValidationException("by", "A model's usage splits by user, version or deployment.");
        }
        var (from, to) = Resolve(range);
        return await ReadAsync($"model|{model.Name}|{from.UtcTicks}|{to.UtcTicks}|{range.Granularity}|{range.By}",
            new UsageRollupQuery(range.Granularity, from, to, Model: model.Name), rollups => Build(model.Name, null, from, to, range, rollups), cancellationToken);
    }

    public async Task<UsageReport> ForCallerAsync(Caller caller, UsageRange range, CancellationToken cancellationToken)
    {
        var user = caller.UserId ?? throw new AuthenticationRequiredException();
        if (range.By == UsageGrouping.User)
        {
            throw new ValidationException("by", "Your own usage splits by model, version or deployment.");
        }
        var (from, to) = Resolve(range);
        return await ReadAsync($"user|{user}|{from.UtcTicks}|{to.UtcTicks}|{range.Granularity}|{range.By}",
            new UsageRollupQuery(range.Granularity, from, to, User: user), rollups => Build(null, user, from, to, range, rollups), cancellationToken);
    }

    public async Task<UsageOverview> OverviewAsync(Caller caller, UsageRange range, int top, CancellationToken cancellationToken)
    {
        ModelAccess.Demand(caller, caller.Has(Permissions.ViewUsage) ? null : Permissions.ViewUsage, "see the hub's usage");
        var (from, to) = Resolve(range);
        var step = Step(range.Granularity);
        return await ReadAsync($"hub|{from.UtcTicks}|{to.UtcTicks}|{range.Granularity}|{top}", new UsageRollupQuery(range.Granularity, from, to), rollups =>
        {
            var byModel = UsageGrid.Of(rollups, r => r.Key.Model, from, to, step);
            var byUser = UsageGrid.Of(rollups, r => r.Key.User, from, to, step);
            return new UsageOverview(from, to, UsageStatistics.Of(byModel.Totals), byModel.Groups.Take(top).ToList(), byUser.Groups.Take(top).ToList());
        }, cancellationToken);
    }

    /// <summary>
    /// The calls made to one deployment (of <paramref name="model"/>) in the hours (or, past <see cref="MaxHourBuckets"/> hours,
    /// the days) that [<paramref name="from"/>, <paramref name="to"/>) touches. No access check: for callers that checked the deployment.
    /// </summary>
    public async Task<UsageReport> ForDeploymentAsync(string model, string deployment, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var granularity = (to - from).TotalHours > MaxHourBuckets ? UsageGranularity.Day : UsageGranularity.Hour;
        var step = Step(granularity);
        var (start, end) = (Floor(from, step), Ceiling(to, step));
        await recorder.FlushAsync(cancellationToken);
        var rollups = (await store.QueryAsync(new UsageRollupQuery(granularity, start, end, Model: model), cancellationToken))
            .Where(r => string.Equals(r.Key.Deployment, deployment, StringComparison.Ordinal)).ToList();
        return Build(model, null, start, end, new UsageRange(start, end, granularity, UsageGrouping.None), rollups);
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

    /// <summary>
    /// Flushes this instance's buffered calls, then builds the report from the store's rollups, or serves
    /// the one built while the store's change stamp was the same (no usage recorded since, by anyone): a
    /// dashboard polled by many pays for one read per change, and rollups of a busy model change at most
    /// once per flush interval. Reports are immutable; the memory is bounded.
    /// </summary>
    private async Task<T> ReadAsync<T>(string key, UsageRollupQuery query, Func<IReadOnlyList<UsageRollup>, T> build, CancellationToken cancellationToken)
        where T : class
    {
        await recorder.FlushAsync(cancellationToken);
        // Read before the rollups: a batch landing in between moves the stamp past the one this report is kept under.
        var stamp = await store.ChangeStampAsync(cancellationToken);
        if (stamp is { } current && _built.TryGetValue(key, out var kept) && kept.Stamp == current)
        {
            return (T)kept.Report;
        }
        var report = build(await store.QueryAsync(query, cancellationToken));
        if (stamp is { } at)
        {
            if (_built.Count >= MaxBuiltReports)
            {
                _built.Clear();
            }
            _built[key] = (at, report);
        }
        return report;
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
        Func<UsageRollup, string?>? key = range.By switch
        {
            UsageGrouping.User => r => r.Key.User,
            UsageGrouping.Version => r => r.Key.Version,
            UsageGrouping.Model => r => r.Key.Model,
            UsageGrouping.Deployment => r => r.Key.Deployment,
            _ => null,
        };
        var grid = UsageGrid.Of(rollups, key ?? (_ => null), from, to, Step(range.Granularity));
        return new UsageReport(model, user, from, to, range.Granularity, range.By, UsageStatistics.Of(grid.Totals),
            grid.Series, key is null ? [] : grid.Groups);
    }

    /// <summary>
    /// Rollups summed once per group and time bucket (a report reads thousands of them: each is added
    /// once), and from those sums the groups' totals, the series of all groups and the report's totals.
    /// Groups come busiest first (then by key); buckets that had calls, oldest first.
    /// </summary>
    private sealed class UsageGrid
    {
        public required UsageCounters Totals { get; init; }

        public required List<UsageBucket> Series { get; init; }

        public required List<UsageGroup> Groups { get; init; }

        public static UsageGrid Of(IReadOnlyList<UsageRollup> rollups, Func<UsageRollup, string?> key, DateTimeOffset from, DateTimeOffset to, TimeSpan step)
        {
            var count = (int)Math.Max(1, (to.UtcTicks - from.UtcTicks + step.Ticks - 1) / step.Ticks);
            var rows = new Dictionary<string, (string? Key, UsageCounters?[] Buckets)>(StringComparer.Ordinal);
            foreach (var rollup in rollups)
            {
                var k = key(rollup);
                // The null key (calls without a user or version) is a group of its own; no key holds U+0000.
                var slot = k ?? "\0";
                if (!rows.TryGetValue(slot, out var row))
                {
                    rows[slot] = row = (k, new UsageCounters?[count]);
                }
                var index = (int)Math.Clamp((rollup.Key.Start.UtcTicks - from.UtcTicks) / step.Ticks, 0, count - 1);
                (row.Buckets[index] ??= new UsageCounters()).Add(rollup.Counters);
            }
            var all = new UsageCounters?[count];
            var groups = new List<(UsageCounters Totals, UsageGroup Group)>(rows.Count);
            foreach (var (k, buckets) in rows.Values)
            {
                var totals = new UsageCounters();
                var series = new List<UsageBucket>();
                for (var i = 0; i < count; i++)
                {
                    if (buckets[i] is not { } sum) continue;
                    totals.Add(sum);
                    (all[i] ??= new UsageCounters()).Add(sum);
                    series.Add(new UsageBucket(from + step * i, UsageStatistics.Of(sum)));
                }
                groups.Add((totals, new UsageGroup(k, UsageStatistics.Of(totals), series)));
            }
            var grand = new UsageCounters();
            var overall = new List<UsageBucket>();
            for (var i = 0; i < count; i++)
            {
                if (all[i] is not { } sum) continue;
                grand.Add(sum);
                overall.Add(new UsageBucket(from + step * i, UsageStatistics.Of(sum)));
            }
            return new UsageGrid
            {
                Totals = grand,
                Series = overall,
                Groups = groups.OrderByDescending(g => g.Totals.Calls).ThenBy(g => g.Group.Key, StringComparer.Ordinal).Select(g => g.Group).ToList(),
            };
        }
    }

    private static TimeSpan Step(UsageGranularity granularity) => granularity == UsageGranularity.Hour ? TimeSpan.FromHours(1) : TimeSpan.FromDays(1);

    private static DateTimeOffset Floor(DateTimeOffset at, TimeSpan step) => new(at.UtcTicks - at.UtcTicks % step.Ticks, TimeSpan.Zero);

    private static DateTimeOffset Ceiling(DateTimeOffset at, TimeSpan step)
    {
        var floor = Floor(at, step);
        return floor == at.ToUniversalTime() ? floor : floor + step;
    }
}
