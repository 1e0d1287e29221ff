using System.Buffers;
using System.Text.Json;
using Microsoft.Extensions.Options;
using ModelsHub.Core.Common;
using ModelsHub.Functions.Hosting;

namespace ModelsHub.Functions.Json;

/// <summary>
/// Reads a JSON request body with the size limit enforced while reading, so oversize bodies are
/// a 413 and malformed ones a 400 naming where the JSON broke, on any server.
/// </summary>
public static class JsonBody
{
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 64 };

    public static Task<JsonElement> ReadObjectAsync(HttpContext context, CancellationToken cancellationToken) =>
        ReadAsync(context, context.RequestServices.GetRequiredService<IOptions<ApiOptions>>().Value.MaxRequestBodyBytes, JsonValueKind.Object, cancellationToken);

    public static async Task<JsonElement> ReadAsync(HttpContext context, long limit, JsonValueKind expected, CancellationToken cancellationToken)
    {
        var request = context.Request;
        if (!IsJson(request.ContentType))
        {
            throw new UnsupportedFormatException($"Send the body as JSON (Content-Type: application/json), not '{request.ContentType ?? "nothing"}'.", ["application/json"]);
        }
        if (request.ContentLength > limit)
        {
            throw new PayloadTooLargeException($"The body is {request.ContentLength} bytes; the limit is {limit}.");
        }
        // Sized to the body when it says its length (one more byte sees the end): a small chat request then costs its own
        // size, not a 16 KiB buffer; an unsized body grows the buffer as it arrives.
        var buffer = new ArrayBufferWriter<byte>(request.ContentLength is { } length and >= 0 ? (int)Math.Min(length + 1, 64 * 1024) : 4096);
        while (true)
        {
            var memory = buffer.GetMemory(buffer.FreeCapacity > 0 ? 1 : 4096);
            var read = await request.Body.ReadAsync(memory, cancellationToken);
            if (read == 0) break;
            buffer.Advance(read);
            if (buffer.WrittenCount > limit)
            {
                throw new PayloadTooLargeException($"The body is over the limit of {limit} bytes.");
            }
        }
        if (buffer.WrittenCount == 0)
        {
            throw new ValidationException("body", "Is required: send a JSON " + (expected == JsonValueKind.Array ? "array." : "object."));
        }
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(buffer.WrittenMemory, DocumentOptions);
            root = document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            throw new ValidationException("body", $"Is not valid JSON (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1}).");
        }
        if (FindBrokenText(root, "") is { } broken)
        {
            throw new ValidationException(broken.Length == 0 ? "body" : broken, "Holds text that is not valid Unicode (an unpaired surrogate escape).");
        }
        if (JsonDuplicates.Find(root) is { } duplicate)
        {
            throw new ValidationException(duplicate, "Appears more than once in its object: send each property once.");
        }
        if (root.ValueKind != expected)
        {
            throw new ValidationException("body", $"Must be a JSON {(expected == JsonValueKind.Array ? "array" : "object")}, not {Describe(root.ValueKind)}.");
        }
        return root;
    }

    /// <summary>The path of the first string or property name that cannot be decoded, or null.</summary>
    private static string? FindBrokenText(JsonElement element, string path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                try { element.GetString(); } catch (InvalidOperationException) { return path; }
                return null;
            case JsonValueKind.Array:
                var i = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (FindBrokenText(item, $"{path}[{i++}]") is { } broken) return broken;
                }
                return null;
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    string name;
                    try { name = property.Name; } catch (InvalidOperationException) { return path.Length == 0 ? "body" : path; }
                    if (FindBrokenText(property.Value, path.Length == 0 ? name : $"{path}.{name}") is { } broken) return broken;
                }
                return null;
            default:
                return null;
        }
    }

    private static bool IsJson(string? contentType)
    {
        if (string.IsNullOrEmpty(contentType)) return false;
        var mediaType = contentType.Split(';', 2)[0].Trim();
        return mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase);
    }

    internal static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };
}
