using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using ModelsHub.Core.Common;
using ModelsHub.Core.Storage;

namespace ModelsHub.Core.Uploads;

/// <summary>What an upload may declare: a plain file name of a format the version accepts, a size within the limit, a well-formed hash.</summary>
public static partial class UploadRules
{
    public const string DefaultContentType = "application/octet-stream";
    public const int MaxFileNameLength = 255;

    /// <summary>What a model version accepts: seed 003's archives and PyTorch files, seed 004's other frameworks, and config/tokenizer/readme files.</summary>
    public static IReadOnlyList<string> AcceptedExtensions { get; } =
    [
        ".zip", ".tar", ".tar.gz", ".tgz", ".pth", ".pt", ".ckpt", ".safetensors", ".onnx", ".pb", ".h5", ".bin", ".gguf",
        ".json", ".txt", ".md",
    ];

    private static readonly Dictionary<string, string> ContentTypes = new(StringComparer.Ordinal)
    {
        [".zip"] = "application/zip",
        [".tar"] = "application/x-tar",
        [".tar.gz"] = "application/gzip",
        [".tgz"] = "application/gzip",
        [".json"] = "application/json",
        [".txt"] = "text/plain",
        [".md"] = "text/markdown",
        [".jsonl"] = "application/jsonl",
        [".csv"] = "text/csv",
        [".parquet"] = "application/vnd.apache.parquet",
    };

    // Names Windows reserves for devices: the embedded store may run there.
    private static readonly HashSet<string> DeviceNames = new(StringComparer.OrdinalIgnoreCase)
    {
        "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9",
        "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
    };

    [GeneratedRegex(@"^[A-Za-z0-9!#$&^_.+-]+/[A-Za-z0-9!#$&^_.+-]+(\s*;\s*[A-Za-z0-9!#$&^_.+-]+=(""[^""\\\r\n]*""|[A-Za-z0-9!#$&^_.+-]+))*$")]
    private static partial Regex MediaType();

    [GeneratedRegex("^[0-9a-fA-F]{64}$")]
    private static partial Regex Sha256Hex();

    /// <summary>The accepted extension the name ends with (longest first, so .tar.gz wins over .gz), or null.</summary>
    public static string? ExtensionOf(string fileName, IReadOnlyList<string>? accepted = null)
    {
        var lower = fileName.ToLowerInvariant();
        return (accepted ?? AcceptedExtensions).Where(e => lower.EndsWith(e, StringComparison.Ordinal) && lower.Length > e.Length)
            .OrderByDescending(e => e.Length).FirstOrDefault();
    }

    /// <summary>Null when the name is a safe plain file name, else why not.</summary>
    public static string? ProblemWithFileName(string? name)
    {
        if (string.IsNullOrEmpty(name)) return "Is required.";
        if (name.Length > MaxFileNameLength || Encoding.UTF8.GetByteCount(name) > MaxFileNameLength)
            return $"Must be at most {MaxFileNameLength} bytes.";
        if (name.IndexOfAny(['/', '\\']) >= 0) return "Must be a plain file name: no '/' or '\\' (folders come from the model and version).";
        if (name.Contains("..", StringComparison.Ordinal)) return "Must not contain '..'.";
        if (HasControlOrBrokenText(name)) return "Must not contain control or invisible formatting characters.";
        if (name.IndexOfAny([':', '*', '?', '"', '<', '>', '|']) >= 0) return "Must not contain any of : * ? \" < > |.";
        if (name.StartsWith('.') || name.StartsWith(' ') || name.EndsWith('.') || name.EndsWith(' '))
            return "Must not start with '.' or a space, nor end with '.' or a space.";
        if (DeviceNames.Contains(name.Split('.')[0])) return $"'{name.Split('.')[0]}' is a reserved device name.";
        return null;
    }

    private static bool HasControlOrBrokenText(string name)
    {
        var rest = name.AsSpan();
        while (!rest.IsEmpty)
        {
            if (Rune.DecodeFromUtf16(rest, out var rune, out var consumed) != OperationStatus.Done) return true;
            if (Rune.GetUnicodeCategory(rune) is UnicodeCategory.Control or UnicodeCategory.Format
                or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator) return true;
            rest = rest[consumed..];
        }
        return false;
    }

    /// <summary>
    /// Validates a declaration: a 400 naming each malformed field first, then 415 for a format the
    /// version does not accept (<paramref name="accepted"/>, a model's <see cref="AcceptedExtensions"/>
    /// unless given), then 413 for a size over the limit. An empty file is refused unless <paramref name="allowEmpty"/>.
    /// </summary>
    public static UploadRequest Validate(UploadRequest request, UploadOptions options, string prefix = "", IReadOnlyList<string>? accepted = null, bool allowEmpty = false)
    {
        accepted ??= AcceptedExtensions;
        var errors = new ValidationErrors();
        if (ProblemWithFileName(request.FileName) is { } problem)
        {
            errors.Add(prefix + "fileName", problem);
        }
        if (request.Size < (allowEmpty ? 0 : 1))
        {
            errors.Add(prefix + "size", allowEmpty ? "Must not be negative." : "Must be at least 1 byte.");
        }
        if (request.Sha256 is { } sha && !Sha256Hex().IsMatch(sha))
        {
            errors.Add(prefix + "sha256", "Must be the file's SHA-256 as 64 hexadecimal digits.");
        }
        if (request.ContentType is { } type && (type.Length > 200 || !MediaType().IsMatch(type)))
        {
            errors.Add(prefix + "contentType", "Must be a media type such as application/octet-stream.");
        }
        errors.ThrowIfAny();

        var extension = ExtensionOf(request.FileName!, accepted)
            ?? throw new UnsupportedFormatException(
                $"{prefix}fileName: '{request.FileName}' is not an accepted format; upload one of: {string.Join(" ", accepted)}.",
                accepted);
        if (request.Size > options.MaxFileBytes)
        {
            throw new PayloadTooLargeException(
                $"A file of {request.Size} bytes is over this hub's limit of {options.MaxFileBytes} bytes ({options.MaxFileBytes / (double)(1L << 30):0.#} GiB).",
                prefix + "size");
        }
        return request with
        {
            Sha256 = request.Sha256?.ToLowerInvariant(),
            ContentType = request.ContentType ?? ContentTypes.GetValueOrDefault(extension, DefaultContentType),
        };
    }

    /// <summary>The chunk size for a file: the configured one, raised (in whole MiB) so no file needs more than 50,000 chunks.</summary>
    public static (long ChunkSize, int ChunkCount) Layout(long size, long preferredChunkSize)
    {
        var chunk = preferredChunkSize;
        var smallest = (size + BlockIds.MaxChunks - 1) / BlockIds.MaxChunks;
        if (chunk < smallest)
        {
            chunk = (smallest + UploadOptions.MiB - 1) / UploadOptions.MiB * UploadOptions.MiB;
        }
        return (chunk, (int)((size + chunk - 1) / chunk));
    }
}
