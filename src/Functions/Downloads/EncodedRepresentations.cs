using System.Collections.Concurrent;
using System.IO.Compression;

namespace ModelsHub.Functions.Downloads;

/// <summary>
/// gzip and brotli encodings of a download list, made once per list version (ETag) and kept
/// while that version is current, so serving is writing bytes, never compressing.
/// </summary>
public sealed class EncodedRepresentations
{
    public enum Encoding { Identity, Gzip, Brotli }

    private readonly ConcurrentDictionary<(string Key, Encoding Encoding), (string ETag, Lazy<byte[]> Bytes)> _cache = new();

    public ReadOnlyMemory<byte> Get(string key, string etag, ReadOnlyMemory<byte> identity, Encoding encoding)
    {
        if (encoding == Encoding.Identity)
        {
            return identity;
        }
        var entry = _cache.AddOrUpdate((key, encoding),
            _ => (etag, new Lazy<byte[]>(() => Compress(identity, encoding))),
            (_, existing) => existing.ETag == etag ? existing : (etag, new Lazy<byte[]>(() => Compress(identity, encoding))));
        return entry.Bytes.Value;
    }

    private static byte[] Compress(ReadOnlyMemory<byte> data, Encoding encoding)
    {
        using var output = new MemoryStream(data.Length / 4);
        using (Stream compressor = encoding == Encoding.Gzip
            ? new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true)
            : new BrotliStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            compressor.Write(data.Span);
        }
        return output.ToArray();
    }
}
