using System.Globalization;
using System.Text;

namespace ModelsHub.Core.Storage;

/// <summary>
/// Block ids of an upload: the base64 of the chunk's 0-based index written as six ASCII digits.
/// Every id of a blob has the same length (Blob Storage requires it), an id names its chunk (so
/// the embedded store writes it at its offset), and the alphabet needs no URL escaping.
/// </summary>
public static class BlockIds
{
    /// <summary>Blob Storage's limit of blocks per blob; chunk sizes grow so no file needs more.</summary>
    public const int MaxChunks = 50_000;

    public const string Scheme = "base64 of the 0-based chunk index written as six ASCII digits: chunk 0 is MDAwMDAw (\"000000\"), chunk 12 is MDAwMDEy (\"000012\")";

    public static string For(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, 1_000_000);
        return Convert.ToBase64String(Encoding.ASCII.GetBytes(index.ToString("D6", CultureInfo.InvariantCulture)));
    }

    public static bool TryParse(string? blockId, out int index)
    {
        index = -1;
        if (blockId is not { Length: 8 }) return false;
        Span<byte> bytes = stackalloc byte[6];
        if (!Convert.TryFromBase64String(blockId, bytes, out var written) || written != 6) return false;
        var value = 0;
        foreach (var b in bytes)
        {
            if (b is < (byte)'0' or > (byte)'9') return false;
            value = value * 10 + (b - '0');
        }
        index = value;
        return true;
    }

    /// <summary>The ids of chunks 0 to <paramref name="count"/> − 1: the only list an upload commits.</summary>
    public static IReadOnlyList<string> Sequence(int count) => Enumerable.Range(0, count).Select(For).ToArray();
}
