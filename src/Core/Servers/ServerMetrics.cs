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
/// the cluster. Long ranges get wider steps (at most <see cref="MaxPoints"/> points by default: a
/// round multiple of the sampling interval, so seven days of one-minute samples answer as 336
/// half-hour points). Steps are aligned to the clock (a half-hour step starts at :00 or :30), so two
/// queries a minute apart share every step but the ones at their edges.
/// </summary>
public static class ServerMetrics
{
    public const int MaxPoints = 500;
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
            var multiple = RoundMultiples.FirstOrDefault(m => m >= needed, needed);
            step = TimeSpan.FromTicks(resolution.Ticks * Math.Max(1, multiple));
        }
        return new MetricWindow(start, end, step);
    }

    /// <summary>Step widths, in sampling intervals, that read well on a time axis (with one-minute samples: 1, 2, 3, 5, ... minutes; 1, 2, 3, 6, 12 hours; a day).</summary>
    private static readonly long[] RoundMultiples = [1, 2, 3, 5, 10, 15, 20, 30, 60, 120, 180, 360, 720, 1440];

    /// <summary>The start of the step <paramref name="at"/> falls in (steps are aligned to the clock).</summary>
    public static DateTimeOffset StepOf(DateTimeOffset at, TimeSpan step) => new(at.UtcTicks - at.UtcTicks % step.Ticks, TimeSpan.Zero);

    /// <summary>
    /// The samples (of one series, oldest first) as points of the window's width; a step without samples is left out.
    /// Without <paramref name="perNode"/> only the cluster's totals are summed (what a deployment's view shows).
    /// </summary>
    public static IReadOnlyList<ServerMetricStep> Aggregate(IEnumerable<MetricSample> samples, MetricWindow window, bool perNode = true)
    {
        var steps = new List<ServerMetricStep>();
        var bucket = new Bucket(perNode);
        var started = false;
        var current = DateTimeOffset.MinValue;
        foreach (var stored in samples)
        {
            if (stored.At < window.From || stored.At >= window.To) continue;
            var at = StepOf(stored.At, window.Step);
            if (!started || at != current)
            {
                if (started) steps.Add(bucket.Close(current));
                started = true;
                current = at;
            }
            if (perNode) bucket.Add(stored.Data);
            else bucket.AddSummary(stored.Summary);
        }
        if (started) steps.Add(bucket.Close(current));
        return steps;
    }

    /// <summary>A running mean of the values given (NaN and infinities are no value).</summary>
    private struct Mean
    {
        private double _sum;
        private int _count;

        public void Add(double value)
        {
            if (double.IsFinite(value))
            {
                _sum += value;
                _count++;
            }
        }

        public readonly double? Value => _count == 0 ? null : _sum / _count;
    }

    private sealed class NodeBucket(byte[] address, string type)
    {
        public byte[] AddressBytes { get; } = address;
        public string Address { get; } = System.Text.Encoding.UTF8.GetString(address);
        public string Type { get; } = type;
        public int Gpus;
        public Mean CpuCount, CpuUsed, MemoryUsed, MemoryTotal, Utilization, VramUsed, VramTotal;
    }

    /// <summary>
    /// The step being summed. Samples are visited in place (no node objects): a node is matched by its
    /// position in the previous sample first (clusters keep their order), by address otherwise.
    /// </summary>
    private sealed class Bucket
    {
        private readonly List<NodeBucket> _nodes = [];
        private readonly List<NodeBucket?> _previous = [];
        private Mean _cpuCount, _cpuUsed, _memUsed, _memTotal, _utilization, _vramUsed, _vramTotal;
        private int _polls, _reachable, _gpus;
        private double _sCpu, _sCpuUsed, _sMem, _sMemTotal, _sVram, _sVramTotal, _sUtil;
        private int _sGpus, _sUtilGpus;
        private readonly ServerSampleCodec.NodeVisitor _visit;
        private readonly bool _perNode;

        public Bucket(bool perNode)
        {
            _perNode = perNode;
            _visit = Visit;
        }

        public void Add(byte[] data)
        {
            _polls++;
            _sCpu = _sCpuUsed = _sMem = _sMemTotal = _sVram = _sVramTotal = _sUtil = 0;
            _sGpus = _sUtilGpus = 0;
            if (!ServerSampleCodec.Visit(data, _visit))
            {
                return;
            }
            _reachable++;
            _cpuCount.Add(_sCpu);
            _cpuUsed.Add(_sCpuUsed);
            _memUsed.Add(_sMem);
            _memTotal.Add(_sMemTotal);
            _vramUsed.Add(_sVram);
            _vramTotal.Add(_sVramTotal);
            _gpus = Math.Max(_gpus, _sGpus);
            _utilization.Add(_sUtilGpus == 0 ? double.NaN : _sUtil / _sUtilGpus);
        }

        /// <summary>A sample known only by its summary (the cluster's totals).</summary>
        public void AddSummary(byte[] summary)
        {
            _polls++;
            Span<float> f = stackalloc float[ServerSampleCodec.SummaryFigures];
            if (!ServerSampleCodec.ReadSummary(summary, f))
            {
                return;
            }
            _reachable++;
            _cpuCount.Add(f[0]);
            _cpuUsed.Add(f[1]);
            _memUsed.Add(f[2]);
            _memTotal.Add(f[3]);
            _gpus = Math.Max(_gpus, (int)f[4]);
            _vramUsed.Add(f[5]);
            _vramTotal.Add(f[6]);
            _utilization.Add(f[7]);
        }

        private void Visit(int index, ReadOnlySpan<byte> type, ReadOnlySpan<byte> address, int gpus, ReadOnlySpan<float> f)
        {
            double cpuCount = f[0], cpuUsed = f[0] - f[1], memUsed = f[2], memTotal = f[4], vramTotal = f[5], vramUsed = f[5] - f[6], utilization = f[7];
            if (_perNode)
            {
                var node = index < _previous.Count && _previous[index] is { } same && address.SequenceEqual(same.AddressBytes) ? same : Find(address, type);
                while (_previous.Count <= index) _previous.Add(null);
                _previous[index] = node;
                node.Gpus = Math.Max(node.Gpus, gpus);
                node.CpuCount.Add(cpuCount);
                node.CpuUsed.Add(cpuUsed);
                node.MemoryUsed.Add(memUsed);
                node.MemoryTotal.Add(memTotal);
                node.Utilization.Add(utilization);
                if (gpus > 0)
                {
                    node.VramUsed.Add(vramUsed);
                    node.VramTotal.Add(vramTotal);
                }
            }
            _sCpu += Finite(cpuCount);
            _sCpuUsed += Finite(cpuUsed);
            _sMem += Finite(memUsed);
            _sMemTotal += Finite(memTotal);
            _sGpus += gpus;
            if (gpus > 0)
            {
                _sVram += Finite(vramUsed);
                _sVramTotal += Finite(vramTotal);
                if (double.IsFinite(utilization))
                {
                    _sUtil += utilization * gpus;
                    _sUtilGpus += gpus;
                }
            }
        }

        private static double Finite(double value) => double.IsFinite(value) ? value : 0;

        private NodeBucket Find(ReadOnlySpan<byte> address, ReadOnlySpan<byte> type)
        {
            foreach (var node in _nodes)
            {
                if (address.SequenceEqual(node.AddressBytes)) return node;
            }
            var added = new NodeBucket(address.ToArray(), System.Text.Encoding.UTF8.GetString(type));
            _nodes.Add(added);
            return added;
        }

        /// <summary>The step's point; the bucket is then empty for the next step.</summary>
        public ServerMetricStep Close(DateTimeOffset at)
        {
            var step = new ServerMetricStep(at, _polls, _reachable,
                new ClusterTotals(_cpuCount.Value ?? 0, _cpuUsed.Value ?? 0, _memUsed.Value ?? 0, _memTotal.Value ?? 0, _gpus, _utilization.Value,
                    _vramUsed.Value ?? 0, _vramTotal.Value ?? 0),
                _nodes.Select(n => new NodeAverages(n.Address, n.Type, n.CpuCount.Value, n.CpuUsed.Value, n.MemoryUsed.Value, n.MemoryTotal.Value, n.Gpus,
                    n.Utilization.Value, n.VramUsed.Value, n.VramTotal.Value)).ToList());
            _nodes.Clear();
            _previous.Clear();
            _cpuCount = _cpuUsed = _memUsed = _memTotal = _utilization = _vramUsed = _vramTotal = default;
            _polls = _reachable = _gpus = 0;
            return step;
        }
    }
}
