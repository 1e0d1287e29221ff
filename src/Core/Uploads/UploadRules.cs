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

    /// <summary>The longest path an imported file may have (folders included), and its deepest nesting.</summary>
    public const int MaxFilePathLength = 1024;
    public const int MaxFolderDepth = 16;

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

    /// <summary>
    /// Media types a download is served with as declared: archives, plain data and text that no browser
    /// runs. Anything else an uploader declares (text/html, image/svg+xml, a script type) is served as
    /// application/octet-stream, so a file cannot act as a page of the hub.
    /// </summary>
    public static IReadOnlySet<string> ServedAsDeclared { get; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        DefaultContentType, "application/zip", "application/x-tar", "application/gzip", "application/x-gzip",
        "application/json", "application/x-ndjson", "application/jsonl", "application/vnd.apache.parquet",
        "text/plain", "text/markdown", "text/csv", "text/tab-separated-values",
    };

    /// <summary>The type a file is served with: its declared type without parameters when it is safe, else application/octet-stream.</summary>
    public static string ServedContentType(string declared)
    {
        var mediaType = declared.Split(';', 2)[0].Trim();
        return ServedAsDeclared.Contains(mediaType) ? mediaType.ToLowerInvariant() : DefaultContentType;
    }

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

    /// <summary>
    /// Slashes that compatibility normalization leaves alone but that read as '/' or '\' (division and
    /// fraction slashes, mathematical and box-drawing solidi).
    /// </summary>
    private static readonly char[] SlashLookAlikes = ['\u2215', '\u2044', '\u29F8', '\u29F9', '\u29F5', '\u2216', '\u2571', '\u2572', '\u27CB', '\u27CD'];

    /// <summary>
    /// Null when the name is a safe plain file name, else why not. The name is judged as written and as it
    /// reads once compatibility characters become the ASCII they stand for, so look-alikes such as '．．／'
    /// or '․․' are judged as the '../' and '..' they display as; slashes with no ASCII form are refused.
    /// </summary>
    public static string? ProblemWithFileName(string? name)
    {
        if (ProblemWithPlainName(name) is { } problem) return problem;
        if (name!.IndexOfAny(SlashLookAlikes) >= 0) return "Must not contain characters that look like '/' or '\\'.";
        var folded = FoldCompatibilityForms(name);
        if (!ReferenceEquals(folded, name) && ProblemWithPlainName(folded) is { } lookAlike)
            return $"Looks like a name that is refused ('{folded}'): {lookAlike}";
        return null;
    }

    /// <summary>
    /// The part of Unicode compatibility normalization (NFKC) that can spell path syntax: fullwidth ASCII,
    /// dot leaders and small form variants become the ASCII they stand for. (The hub runs with invariant
    /// globalization, where string.Normalize leaves non-ASCII text as it is, so this is done by hand.)
    /// Returns the same instance when nothing changes.
    /// </summary>
    public static string FoldCompatibilityForms(string name)
    {
        StringBuilder? folded = null;
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            var ascii = c switch
            {
                >= '\uFF01' and <= '\uFF5E' => ((char)(c - 0xFEE0)).ToString(),
                '\u3000' => " ",
                '\u2024' or '\uFE52' => ".",
                '\u2025' => "..",
                '\u2026' => "...",
                '\uFE55' => ":",
                '\uFE56' => "?",
                '\uFE61' => "*",
                '\uFE64' => "<",
                '\uFE65' => ">",
                '\uFE68' => "\\",
                _ => null,
            };
            if (ascii is null)
            {
                folded?.Append(c);
                continue;
            }
            folded ??= new StringBuilder(name, 0, i, name.Length + 8);
            folded.Append(ascii);
        }
        return folded?.ToString() ?? name;
    }

    private static string? ProblemWithPlainName(string? name)
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

    /// <summary>
    /// Null when the path is a safe relative path inside a version (an imported repository's file such as
    /// <c>onnx/model.onnx</c>), else why not. Each folder and the name follow the plain file name's rules,
    /// except that a name may start with '.' (<c>.gitattributes</c>) as long as it is not '.' or '..'.
    /// </summary>
    public static string? ProblemWithFilePath(string? path)
    {
        if (string.IsNullOrEmpty(path)) return "Is required.";
        if (path.Length > MaxFilePathLength || Encoding.UTF8.GetByteCount(path) > MaxFilePathLength)
            return $"Must be at most {MaxFilePathLength} bytes.";
        var segments = path.Split('/');
        if (segments.Length > MaxFolderDepth + 1) return $"Must be at most {MaxFolderDepth} folders deep.";
        foreach (var segment in segments)
        {
            if (segment.Length == 0) return "Must be a relative path without empty folders ('//', or a leading or trailing '/').";
            var problem = ProblemWithFileName(segment.StartsWith('.') && segment.Trim('.').Length > 0 ? "_" + segment[1..] : segment);
            if (problem is not null) return $"'{segment}': {problem}";
        }
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
        var imported = request.Origin == UploadOrigin.Import;
        if ((imported ? ProblemWithFilePath(request.FileName) : ProblemWithFileName(request.FileName)) is { } problem)
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

        // An imported repository's files are what that repository holds (configs, tokenizers, licenses): any format.
        var extension = imported ? ExtensionOf(request.FileName!, accepted) ?? "" : ExtensionOf(request.FileName!, accepted)
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
