using ModelsHub.Core.Common;

namespace ModelsHub.Core.Servers;

/// <summary>The range a metrics query covers and the width of each point.</summary>
public sealed record MetricWindow(DateTimeOffset From, DateTimeOffset To, TimeSpan Step);

/// <summary>One point of a server's series: the polls in it, the cluster's totals and each node's averages.</summary>
public sealed record ServerMetricStep(DateTimeOffset At, int Polls, int Reachable, ClusterTotals Totals, IReadOnlyList<NodeAverages> Nodes);

/// <summary>Averages over a step's answered polls of the sums over the cluster's nodes.</summary>
public sealed record ClusterTotals(double CpuCount, double CpuUsed, double MemoryUsed, double MemoryTotal, int GpuCount, double? GpuUtilization,
    double GpuVramUsed, double GpuVramTotal);

/// <summary>A node's averages over a step (null where it reported nothing).</summary>
public sealed record NodeAverages(string Address, string NodeType, double? CpuCount, double? CpuUsed, double? MemoryUsed, double? MemoryTotal,
    int GpuCount, double? GpuUtilization, double? GpuVramUsed, double? GpuVramTotal);

/// <summary>
/// Reads a series as points of a chosen width: the samples of each step averaged, per node and for
/// the cluster. Long ranges get wider steps (at most <see cref="MaxPoints"/> points by default), so
/// seven days of one-minute samples answer as a few hundred points.
/// </summary>
public static class ServerMetrics
{
    public const int MaxPoints = 720;
    public const int MaxExplicitPoints = 20_000;
    public static readonly TimeSpan DefaultRange = TimeSpan.FromHours(24);

    /// <summary>The window of a query; bad values are added to <paramref name="errors"/> (<c>from</c>, <c>to</c>, <c>step</c>).</summary>
    public static MetricWindow Window(DateTimeOffset? from, DateTimeOffset? to, int? stepSeconds, TimeSpan resolution, TimeSpan retention,
        DateTimeOffset now, ValidationErrors errors)
    {
        var end = to ?? now;
        var start = from ?? end - DefaultRange;
        if (start >= end)
        {
            errors.Add(from is null ? "to" : "from", "The range is empty: from must be before to.");
            return new MetricWindow(start, start + resolution, resolution);
        }
        var longest = retention + TimeSpan.FromDays(1);
        if (end - start > longest)
        {
            errors.Add("from", $"The range may span at most {longest.TotalDays:0.#} days (samples are kept {retention.TotalDays:0.#} days).");
            return new MetricWindow(end - resolution, end, resolution);
        }
        TimeSpan step;
        if (stepSeconds is { } seconds)
        {
            step = TimeSpan.FromSeconds(seconds);
            if (step < resolution || step.Ticks % resolution.Ticks != 0)
            {
                errors.Add("step", $"Must be a multiple of the sampling interval, {resolution.TotalSeconds:0} seconds.");
                return new MetricWindow(start, end, resolution);
            }
            if ((end - start).Ticks / step.Ticks > MaxExplicitPoints)
            {
                errors.Add("step", $"Gives more than {MaxExplicitPoints} points for this range; choose a wider step.");
                return new MetricWindow(start, end, resolution);
            }
        }
        else
        {
            var needed = (long)Math.Ceiling((double)(end - start).Ticks / MaxPoints / resolution.Ticks);
            step = TimeSpan.FromTicks(resolution.Ticks * Math.Max(1, needed));
        }
        return new MetricWindow(start, end, step);
    }

    /// <summary>The samples (of one series, oldest first) as points of the window's width; a step without samples is left out.</summary>
    public static IReadOnlyList<ServerMetricStep> Aggregate(IEnumerable<MetricSample> samples, MetricWindow window)
    {
        var steps = new List<ServerMetricStep>();
        Bucket? bucket = null;
        foreach (var stored in samples)
        {
            if (stored.At < window.From || stored.At >= window.To) continue;
            var index = (stored.At - window.From).Ticks / window.Step.Ticks;
            var at = window.From + TimeSpan.FromTicks(index * window.Step.Ticks);
            if (bucket is null || bucket.At != at)
            {
                if (bucket is not null) steps.Add(bucket.Close());
                bucket = new Bucket(at);
            }
            bucket.Add(ServerSampleCodec.Decode(stored.At, stored.Data));
        }
        if (bucket is not null) steps.Add(bucket.Close());
        return steps;
    }

    private sealed class Mean
    {
        private double _sum;
        private int _count;

        public void Add(double? value)
        {
            if (value is { } v && double.IsFinite(v))
            {
                _sum += v;
                _count++;
            }
        }

        public double? Value => _count == 0 ? null : _sum / _count;
    }

    private sealed class NodeBucket(string address, string type)
    {
        public string Address { get; } = address;
        public string Type { get; set; } = type;
        public int Gpus { get; set; }
        public readonly Mean CpuCount = new(), CpuUsed = new(), MemoryUsed = new(), MemoryTotal = new(), Utilization = new(), VramUsed = new(), VramTotal = new();
    }

    private sealed class Bucket(DateTimeOffset at)
    {
        private readonly List<NodeBucket> _nodes = [];
        private readonly Dictionary<string, NodeBucket> _byAddress = new(StringComparer.Ordinal);
        private readonly Mean _cpuCount = new(), _cpuUsed = new(), _memUsed = new(), _memTotal = new(), _utilization = new(), _vramUsed = new(), _vramTotal = new();
        private int _polls;
        private int _reachable;
        private int _gpus;

        public DateTimeOffset At { get; } = at;

        public void Add(ServerSample sample)
        {
            _polls++;
            if (!sample.Reachable) return;
            _reachable++;
            double cpuCount = 0, cpuUsed = 0, memUsed = 0, memTotal = 0, vramUsed = 0, vramTotal = 0, weightedUtilization = 0;
            int gpus = 0, utilizationGpus = 0;
            foreach (var n in sample.Nodes)
            {
                if (!_byAddress.TryGetValue(n.Address, out var node))
                {
                    _byAddress[n.Address] = node = new NodeBucket(n.Address, n.NodeType);
                    _nodes.Add(node);
                }
                var used = n.CpuCount - n.CpuAvailable;
                var vram = n.GpuVramTotal - n.GpuVramAvailable;
                node.Gpus = Math.Max(node.Gpus, n.GpuCount);
                node.CpuCount.Add(n.CpuCount);
                node.CpuUsed.Add(used);
                node.MemoryUsed.Add(n.MemoryUsed);
                node.MemoryTotal.Add(n.MemoryTotal);
                node.Utilization.Add(n.GpuUtilization);
                node.VramUsed.Add(n.GpuCount > 0 ? vram : null);
                node.VramTotal.Add(n.GpuCount > 0 ? n.GpuVramTotal : null);
                cpuCount += n.CpuCount ?? 0;
                cpuUsed += used ?? 0;
                memUsed += n.MemoryUsed ?? 0;
                memTotal += n.MemoryTotal ?? 0;
                gpus += n.GpuCount;
                vramUsed += n.GpuCount > 0 ? vram ?? 0 : 0;
                vramTotal += n.GpuCount > 0 ? n.GpuVramTotal ?? 0 : 0;
                if (n.GpuUtilization is { } u && n.GpuCount > 0)
                {
                    weightedUtilization += u * n.GpuCount;
                    utilizationGpus += n.GpuCount;
                }
            }
            _cpuCount.Add(cpuCount);
            _cpuUsed.Add(cpuUsed);
            _memUsed.Add(memUsed);
            _memTotal.Add(memTotal);
            _vramUsed.Add(vramUsed);
            _vramTotal.Add(vramTotal);
            _gpus = Math.Max(_gpus, gpus);
            _utilization.Add(utilizationGpus == 0 ? null : weightedUtilization / utilizationGpus);
        }

        public ServerMetricStep Close() => new(At, _polls, _reachable,
            new ClusterTotals(_cpuCount.Value ?? 0, _cpuUsed.Value ?? 0, _memUsed.Value ?? 0, _memTotal.Value ?? 0, _gpus, _utilization.Value,
                _vramUsed.Value ?? 0, _vramTotal.Value ?? 0),
            _nodes.Select(n => new NodeAverages(n.Address, n.Type, n.CpuCount.Value, n.CpuUsed.Value, n.MemoryUsed.Value, n.MemoryTotal.Value, n.Gpus,
                n.Utilization.Value, n.VramUsed.Value, n.VramTotal.Value)).ToList());
    }
}
