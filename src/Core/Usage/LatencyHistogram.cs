namespace ModelsHub.Core.Usage;

/// <summary>
/// Fixed latency buckets (milliseconds, upper bounds; roughly 25% apart from 1 ms to 2 minutes, then
/// everything slower). Fixed bounds make histograms of different hours, users and instances add up
/// by plain per-bucket sums, which is what lets rollups be incremented concurrently and merged.
/// </summary>
public static class LatencyHistogram
{
    public static IReadOnlyList<double> UpperBounds { get; } =
    [
        1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 25, 30, 40, 50, 60, 80, 100, 120, 150, 200, 250, 300, 400, 500, 600, 800,
        1_000, 1_200, 1_500, 2_000, 2_500, 3_000, 4_000, 5_000, 6_000, 8_000, 10_000, 12_000, 15_000, 20_000, 25_000,
        30_000, 40_000, 50_000, 60_000, 80_000, 100_000, 120_000, double.PositiveInfinity,
    ];

    public static int BucketCount => UpperBounds.Count;

    public static int BucketOf(double milliseconds)
    {
        var bounds = UpperBounds;
        int lo = 0, hi = bounds.Count - 1;
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            if (milliseconds <= bounds[mid]) hi = mid; else lo = mid + 1;
        }
        return lo;
    }

    /// <summary>
    /// The <paramref name="quantile"/> (0–1) of the counts, interpolated linearly inside its bucket;
    /// null when there are no counts. The last bucket has no upper bound and answers its lower one.
    /// </summary>
    public static double? Quantile(IReadOnlyList<long> counts, double quantile)
    {
        long total = 0;
        foreach (var c in counts) total += c;
        if (total == 0) return null;
        var rank = quantile * total;
        long seen = 0;
        for (var i = 0; i < counts.Count; i++)
        {
            if (counts[i] == 0) continue;
            if (seen + counts[i] >= rank)
            {
                var lower = i == 0 ? 0 : UpperBounds[i - 1];
                var upper = UpperBounds[i];
                if (double.IsPositiveInfinity(upper)) return lower;
                var within = Math.Clamp((rank - seen) / counts[i], 0, 1);
                return Math.Round(lower + (upper - lower) * within, 3);
            }
            seen += counts[i];
        }
        return UpperBounds[^2];
    }
}
