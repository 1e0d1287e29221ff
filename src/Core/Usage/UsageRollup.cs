using ModelsHub.Contracts.Usage;
using ModelsHub.Contracts;
namespace ModelsHub.Core.Usage;

/// <summary>
/// The key of one rollup: every call of one hour (or one day) to one model (version, deployment) by
/// one user lands in the same rollup. Each call is added to its hour's and its day's rollup, so a
/// daily report reads 24 times fewer documents; reports sum rollups over time, users or versions.
/// </summary>
public sealed record UsageRollupKey(UsageGranularity Span, DateTimeOffset Start, string Model, string? Version, string? Deployment, string? User)
{
    public static DateTimeOffset StartOf(UsageGranularity span, DateTimeOffset at)
    {
        var ticks = span == UsageGranularity.Hour ? TimeSpan.TicksPerHour : TimeSpan.TicksPerDay;
        return new DateTimeOffset(at.UtcTicks - at.UtcTicks % ticks, TimeSpan.Zero);
    }

    public static UsageRollupKey For(UsageGranularity span, UsageRecord call) =>
        new(span, StartOf(span, call.At), call.Model, call.Version, call.Deployment, call.User);

    /// <summary>A stable text form (the store's key): fields joined by a separator names cannot hold.</summary>
    public string Text => string.Join('\u001f', EnumNames<UsageGranularity>.NameOf(Span), Start.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
        Model.ToLowerInvariant(), Version ?? "", Deployment ?? "", User ?? "");
}

/// <summary>
/// The counts of a rollup, or a delta to add to one. Every field is a sum, so two deltas (from two
/// instances, or two flushes) merge by adding: no field depends on the order calls arrived in.
/// </summary>
public sealed class UsageCounters
{
    public long Calls { get; set; }

    public long Successes { get; set; }

    /// <summary>Failed calls per error class (its wire name).</summary>
    public Dictionary<string, long> Errors { get; set; } = new(StringComparer.Ordinal);

    public long TokensIn { get; set; }

    public long TokensOut { get; set; }

    public double LatencyMsSum { get; set; }

    /// <summary>Calls per <see cref="LatencyHistogram"/> bucket.</summary>
    public long[] Latency { get; set; } = new long[LatencyHistogram.BucketCount];

    public long StreamedCalls { get; set; }

    /// <summary>Streamed calls per bucket of their time to first token.</summary>
    public long[] TimeToFirstToken { get; set; } = new long[LatencyHistogram.BucketCount];

    public void Add(UsageRecord call)
    {
        Calls++;
        if (call.ErrorClass is { } error)
        {
            var name = EnumNames<UsageErrorClass>.NameOf(error);
            Errors[name] = Errors.GetValueOrDefault(name) + 1;
        }
        else
        {
            Successes++;
        }
        TokensIn += call.TokensIn;
        TokensOut += call.TokensOut;
        LatencyMsSum += call.LatencyMs;
        Latency[LatencyHistogram.BucketOf(call.LatencyMs)]++;
        if (call.TimeToFirstTokenMs is { } ttft)
        {
            StreamedCalls++;
            TimeToFirstToken[LatencyHistogram.BucketOf(ttft)]++;
        }
    }

    public void Add(UsageCounters other)
    {
        Calls += other.Calls;
        Successes += other.Successes;
        foreach (var (name, count) in other.Errors)
        {
            Errors[name] = Errors.GetValueOrDefault(name) + count;
        }
        TokensIn += other.TokensIn;
        TokensOut += other.TokensOut;
        LatencyMsSum += other.LatencyMsSum;
        AddBuckets(Latency, other.Latency);
        StreamedCalls += other.StreamedCalls;
        AddBuckets(TimeToFirstToken, other.TimeToFirstToken);
    }

    public UsageCounters Clone()
    {
        var copy = new UsageCounters();
        copy.Add(this);
        return copy;
    }

    private static void AddBuckets(long[] into, long[] from)
    {
        // A histogram stored by an older build may have fewer buckets; never more than the fixed bounds.
        for (var i = 0; i < Math.Min(into.Length, from.Length); i++)
        {
            into[i] += from[i];
        }
    }
}

/// <summary>One stored hourly rollup.</summary>
public sealed record UsageRollup(UsageRollupKey Key, UsageCounters Counters);
