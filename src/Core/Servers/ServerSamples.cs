using System.Buffers.Binary;
using System.Text;

namespace ModelsHub.Core.Servers;

/// <summary>One poll of a server: when, whether it answered, and its nodes as it reported them.</summary>
public sealed record ServerSample(DateTimeOffset At, bool Reachable, IReadOnlyList<ServerNode> Nodes);

/// <summary>
/// A sample of a series as stored: the series (<c>server:{name}</c>), the start of its interval, the
/// sample's bytes, and a short summary of them (the cluster's totals) that views of the whole cluster
/// read instead. One document per series and interval, so polling twice in one interval replaces.
/// </summary>
public sealed record MetricSample(string Series, DateTimeOffset At, byte[] Data, byte[] Summary)
{
    /// <summary>A server's sample as stored.</summary>
    public static MetricSample Of(string series, ServerSample sample) =>
        new(series, sample.At, ServerSampleCodec.Encode(sample), ServerSampleCodec.Summarize(sample));
}

/// <summary>Where the monitoring series are kept: bounded by retention, read by time range.</summary>
public interface IMetricSeriesStore
{
    /// <summary>
    /// Stores the samples, each replacing any sample of its series at the same time; a sample lives
    /// for <paramref name="retention"/> (stores with expiry keep it that long; others are trimmed).
    /// </summary>
    Task AppendAsync(IReadOnlyList<MetricSample> samples, TimeSpan retention, CancellationToken cancellationToken);

    /// <summary>
    /// The series' samples with <paramref name="from"/> ≤ At &lt; <paramref name="to"/>, oldest first; with
    /// <paramref name="summariesOnly"/> their <see cref="MetricSample.Data"/> is left empty (and not read).
    /// </summary>
    Task<IReadOnlyList<MetricSample>> ReadAsync(string series, DateTimeOffset from, DateTimeOffset to, bool summariesOnly, CancellationToken cancellationToken);

    /// <summary>The series' newest sample, or null.</summary>
    Task<MetricSample?> LatestAsync(string series, CancellationToken cancellationToken);

    /// <summary>Deletes every sample older than <paramref name="olderThan"/> (a no-op where samples expire by themselves); how many went.</summary>
    Task<int> TrimAsync(DateTimeOffset olderThan, CancellationToken cancellationToken);

    /// <summary>Deletes the whole series (its server was deleted).</summary>
    Task DeleteSeriesAsync(string series, CancellationToken cancellationToken);
}

/// <summary>
/// The compact bytes of a <see cref="ServerSample"/>: a version byte, a reachable flag, then per node
/// its type, address and the figures as 32-bit floats (NaN for what the node did not report). Seven
/// days of one-minute samples of an eight-node cluster are a few megabytes, read in milliseconds.
/// </summary>
public static class ServerSampleCodec
{
    private const byte Version = 1;
    private const int Figures = 8;

    public static byte[] Encode(ServerSample sample)
    {
        using var stream = new MemoryStream(16 + sample.Nodes.Count * 64);
        stream.WriteByte(Version);
        stream.WriteByte(sample.Reachable ? (byte)1 : (byte)0);
        WriteVarint(stream, sample.Nodes.Count);
        Span<byte> number = stackalloc byte[4];
        foreach (var node in sample.Nodes)
        {
            WriteText(stream, node.NodeType);
            WriteText(stream, node.Address);
            WriteVarint(stream, Math.Max(0, node.GpuCount));
            foreach (var value in FiguresOf(node))
            {
                BinaryPrimitives.WriteSingleLittleEndian(number, value is { } v ? (float)v : float.NaN);
                stream.Write(number);
            }
        }
        return stream.ToArray();
    }

    public static ServerSample Decode(DateTimeOffset at, ReadOnlySpan<byte> data)
    {
        var reader = new Reader(data);
        if (reader.Byte() != Version)
        {
            throw new InvalidDataException("A server sample of an unknown format.");
        }
        var reachable = reader.Byte() == 1;
        var count = reader.Varint();
        var nodes = new ServerNode[count];
        Span<double?> figures = new double?[Figures];
        for (var i = 0; i < count; i++)
        {
            var type = reader.Text();
            var address = reader.Text();
            var gpus = reader.Varint();
            for (var f = 0; f < Figures; f++)
            {
                var value = reader.Single();
                figures[f] = float.IsNaN(value) ? null : value;
            }
            nodes[i] = new ServerNode(type, address, figures[0], figures[1], figures[2], figures[3], figures[4], gpus, figures[5], figures[6], figures[7]);
        }
        return new ServerSample(at, reachable, nodes);
    }

    /// <summary>
    /// Reads a sample without building its nodes: <paramref name="node"/> gets each node's type and
    /// address bytes (valid during the call), GPU count and figures (NaN for none). What a long range's
    /// aggregation uses, so reading a week of samples allocates next to nothing.
    /// </summary>
    public static bool Visit(ReadOnlySpan<byte> data, NodeVisitor node)
    {
        var reader = new Reader(data);
        if (reader.Byte() != Version)
        {
            throw new InvalidDataException("A server sample of an unknown format.");
        }
        var reachable = reader.Byte() == 1;
        var count = reader.Varint();
        Span<float> figures = stackalloc float[Figures];
        for (var i = 0; i < count; i++)
        {
            var type = reader.Bytes();
            var address = reader.Bytes();
            var gpus = reader.Varint();
            for (var f = 0; f < Figures; f++)
            {
                figures[f] = reader.Single();
            }
            node(i, type, address, gpus, figures);
        }
        return reachable;
    }

    /// <summary>One node of a sample being visited: figures in the order cpu count, cpu available, memory used, available, total, VRAM total, VRAM available, GPU utilization.</summary>
    public delegate void NodeVisitor(int index, ReadOnlySpan<byte> type, ReadOnlySpan<byte> address, int gpus, ReadOnlySpan<float> figures);

    private const byte SummaryVersion = 1;

    /// <summary>
    /// The cluster's totals of a sample in 34 bytes: CPUs, CPUs used, memory used and total, GPUs, VRAM used and
    /// total, and GPU utilization averaged over the GPUs that report it (NaN without).
    /// </summary>
    public static byte[] Summarize(ServerSample sample)
    {
        double cpu = 0, cpuUsed = 0, memUsed = 0, memTotal = 0, vramUsed = 0, vramTotal = 0, weighted = 0;
        int gpus = 0, reporting = 0;
        foreach (var n in sample.Nodes)
        {
            cpu += n.CpuCount ?? 0;
            cpuUsed += (n.CpuCount - n.CpuAvailable) ?? 0;
            memUsed += n.MemoryUsed ?? 0;
            memTotal += n.MemoryTotal ?? 0;
            gpus += n.GpuCount;
            if (n.GpuCount > 0)
            {
                vramUsed += (n.GpuVramTotal - n.GpuVramAvailable) ?? 0;
                vramTotal += n.GpuVramTotal ?? 0;
                if (n.GpuUtilization is { } u)
                {
                    weighted += u * n.GpuCount;
                    reporting += n.GpuCount;
                }
            }
        }
        var bytes = new byte[2 + 4 * SummaryFigures];
        bytes[0] = SummaryVersion;
        bytes[1] = sample.Reachable ? (byte)1 : (byte)0;
        ReadOnlySpan<double> figures = [cpu, cpuUsed, memUsed, memTotal, gpus, vramUsed, vramTotal, reporting == 0 ? double.NaN : weighted / reporting];
        for (var i = 0; i < SummaryFigures; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(2 + 4 * i), (float)figures[i]);
        }
        return bytes;
    }

    public const int SummaryFigures = 8;

    /// <summary>A summary's reachable flag and figures (in <see cref="Summarize"/>'s order).</summary>
    public static bool ReadSummary(ReadOnlySpan<byte> summary, Span<float> figures)
    {
        if (summary.Length != 2 + 4 * SummaryFigures || summary[0] != SummaryVersion)
        {
            throw new InvalidDataException("A sample summary of an unknown format.");
        }
        for (var i = 0; i < SummaryFigures; i++)
        {
            figures[i] = BinaryPrimitives.ReadSingleLittleEndian(summary[(2 + 4 * i)..]);
        }
        return summary[1] == 1;
    }

    private static double?[] FiguresOf(ServerNode n) =>
        [n.CpuCount, n.CpuAvailable, n.MemoryUsed, n.MemoryAvailable, n.MemoryTotal, n.GpuVramTotal, n.GpuVramAvailable, n.GpuUtilization];

    private static void WriteText(Stream stream, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        WriteVarint(stream, bytes.Length);
        stream.Write(bytes);
    }

    private static void WriteVarint(Stream stream, int value)
    {
        var v = (uint)value;
        while (v >= 0x80)
        {
            stream.WriteByte((byte)(v | 0x80));
            v >>= 7;
        }
        stream.WriteByte((byte)v);
    }

    private ref struct Reader(ReadOnlySpan<byte> data)
    {
        private readonly ReadOnlySpan<byte> _data = data;
        private int _at;

        public byte Byte() => _data[_at++];

        public int Varint()
        {
            uint result = 0;
            var shift = 0;
            while (true)
            {
                var b = _data[_at++];
                result |= (uint)(b & 0x7F) << shift;
                if (b < 0x80) return (int)result;
                shift += 7;
            }
        }

        public string Text() => Encoding.UTF8.GetString(Bytes());

        public ReadOnlySpan<byte> Bytes()
        {
            var length = Varint();
            var bytes = _data.Slice(_at, length);
            _at += length;
            return bytes;
        }

        public float Single()
        {
            var value = BinaryPrimitives.ReadSingleLittleEndian(_data.Slice(_at, 4));
            _at += 4;
            return value;
        }
    }
}
