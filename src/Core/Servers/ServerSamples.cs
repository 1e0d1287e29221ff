using System.Buffers.Binary;
using System.Text;

namespace ModelsHub.Core.Servers;

/// <summary>One poll of a server: when, whether it answered, and its nodes as it reported them.</summary>
public sealed record ServerSample(DateTimeOffset At, bool Reachable, IReadOnlyList<ServerNode> Nodes);

/// <summary>
/// A sample of a series as stored: the series (<c>server:{name}</c>), the start of its interval, and the
/// sample's bytes. One document per series and interval, so polling twice in one interval replaces.
/// </summary>
public sealed record MetricSample(string Series, DateTimeOffset At, byte[] Data);

/// <summary>Where the monitoring series are kept: bounded by retention, read by time range.</summary>
public interface IMetricSeriesStore
{
    /// <summary>
    /// Stores the samples, each replacing any sample of its series at the same time; a sample lives
    /// for <paramref name="retention"/> (stores with expiry keep it that long; others are trimmed).
    /// </summary>
    Task AppendAsync(IReadOnlyList<MetricSample> samples, TimeSpan retention, CancellationToken cancellationToken);

    /// <summary>The series' samples with <paramref name="from"/> ≤ At &lt; <paramref name="to"/>, oldest first.</summary>
    Task<IReadOnlyList<MetricSample>> ReadAsync(string series, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken);

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

        public string Text()
        {
            var length = Varint();
            var text = Encoding.UTF8.GetString(_data.Slice(_at, length));
            _at += length;
            return text;
        }

        public float Single()
        {
            var value = BinaryPrimitives.ReadSingleLittleEndian(_data.Slice(_at, 4));
            _at += 4;
            return value;
        }
    }
}
