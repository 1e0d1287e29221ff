using System.Globalization;
using System.Text.Json;
using ModelsHub.Contracts;
using ModelsHub.Contracts.Training;
using ModelsHub.Core.Common;

namespace ModelsHub.Core.Training;

/// <summary>
/// Reads a batch of event lines as the trainer contract defines them (docs/trainer-contract.md): one
/// JSON object per line, <c>seq</c> and <c>type</c> always, the fields each type needs. The first
/// malformed line is named (<c>events[2].value</c>: the third line's value) with what is wrong.
/// Fields the contract does not define are ignored, so trainers may carry their own.
/// </summary>
public static class TrainerEventParser
{
    public const int MaxLines = 5000;
    public const int MaxText = 8192;

    public static IReadOnlyList<TrainerEvent> Parse(string body)
    {
        var lines = new List<TrainerEvent>();
        var index = 0;
        foreach (var raw in body.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.Length == 0)
            {
                continue;
            }
            if (lines.Count == MaxLines)
            {
                throw new ValidationException("events", $"A batch holds at most {MaxLines} lines; send the rest in another.");
            }
            lines.Add(ParseLine(line, index++));
        }
        if (lines.Count == 0)
        {
            throw new ValidationException("events", "The body holds no event lines (one JSON object per line).");
        }
        return lines;
    }

    private static TrainerEvent ParseLine(string line, int index)
    {
        var at = $"events[{index}]";
        JsonElement e;
        try
        {
            using var document = JsonDocument.Parse(line, new JsonDocumentOptions { MaxDepth = 8 });
            e = document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            throw new ValidationException(at, $"Is not JSON: {ex.Message}");
        }
        if (e.ValueKind != JsonValueKind.Object)
        {
            throw new ValidationException(at, "Must be a JSON object.");
        }
        var seq = Long(e, at, "seq") ?? throw new ValidationException($"{at}.seq", "Is required: the trainer numbers its lines 1, 2, 3, …");
        if (seq < 1)
        {
            throw new ValidationException($"{at}.seq", "Must be 1 or more.");
        }
        var typeText = String(e, at, "type") ?? throw new ValidationException($"{at}.type", $"Is required: {EnumNames<TrainerEventType>.Expected}.");
        if (!EnumNames<TrainerEventType>.TryParse(typeText, out var type) || typeText != EnumNames<TrainerEventType>.NameOf(type))
        {
            throw new ValidationException($"{at}.type", $"'{typeText}' is not an event type; expected {EnumNames<TrainerEventType>.Expected}.");
        }
        DateTimeOffset? when = null;
        if (String(e, at, "at") is { } time)
        {
            when = DateTimeOffset.TryParse(time, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)
                ? parsed : throw new ValidationException($"{at}.at", "Must be an ISO 8601 time.");
        }
        var step = Long(e, at, "step");
        var totalSteps = Long(e, at, "totalSteps");
        var epoch = Number(e, at, "epoch");
        var percent = Number(e, at, "percent");
        var eta = Number(e, at, "etaSeconds");
        NotNegative(step, $"{at}.step");
        NotNegative(epoch, $"{at}.epoch");
        NotNegative(eta, $"{at}.etaSeconds");
        if (totalSteps is < 1)
        {
            throw new ValidationException($"{at}.totalSteps", "Must be 1 or more.");
        }
        if (percent is < 0 or > 100)
        {
            throw new ValidationException($"{at}.percent", "Must be between 0 and 100.");
        }
        var name = String(e, at, "name");
        var value = Number(e, at, "value");
        var level = String(e, at, "level");
        var message = String(e, at, "message");
        var uri = String(e, at, "uri");
        var size = Long(e, at, "size");
        NotNegative(size, $"{at}.size");
        var sha256 = String(e, at, "sha256");
        if (sha256 is not null && (sha256.Length != 64 || !sha256.All(char.IsAsciiHexDigitLower)))
        {
            throw new ValidationException($"{at}.sha256", "Must be 64 lowercase hex digits.");
        }
        var uploadId = String(e, at, "uploadId");
        var fileName = String(e, at, "fileName");
        var metrics = Metrics(e, at);
        if (name is { Length: > 200 } || message is { Length: > MaxText } || uri is { Length: > 2048 })
        {
            throw new ValidationException(at, "A name is at most 200 characters, a message 8192, a URI 2048.");
        }
        switch (type)
        {
            case TrainerEventType.Progress when step is null && percent is null && epoch is null:
                throw new ValidationException(at, "A progress event needs step, percent or epoch.");
            case TrainerEventType.Metric when string.IsNullOrWhiteSpace(name):
                throw new ValidationException($"{at}.name", "A metric event needs the metric's name.");
            case TrainerEventType.Metric when value is null:
                throw new ValidationException($"{at}.value", "A metric event needs a finite number value.");
            case TrainerEventType.Log when message is null:
                throw new ValidationException($"{at}.message", "A log event needs a message.");
            case TrainerEventType.Log when level is not (null or "debug" or "info" or "warning" or "error"):
                throw new ValidationException($"{at}.level", "Must be debug, info, warning or error.");
            case TrainerEventType.Checkpoint when string.IsNullOrWhiteSpace(name):
                throw new ValidationException($"{at}.name", "A checkpoint event needs the checkpoint's name.");
            case TrainerEventType.Output when string.IsNullOrWhiteSpace(uploadId):
                throw new ValidationException($"{at}.uploadId", "An output event names the upload that holds the output (the id the output URL answered with).");
            case TrainerEventType.Output when string.IsNullOrWhiteSpace(fileName):
                throw new ValidationException($"{at}.fileName", "An output event needs the output's file name.");
            case TrainerEventType.Output when size is null:
                throw new ValidationException($"{at}.size", "An output event needs the output's size in bytes.");
            case TrainerEventType.Output when sha256 is null:
                throw new ValidationException($"{at}.sha256", "An output event needs the output's SHA-256 (64 lowercase hex digits).");
        }
        return new TrainerEvent(seq, type, when, step, totalSteps, epoch, percent, eta, name, value, level, message, uri, size, sha256, uploadId, fileName, metrics);
    }

    private static JsonElement? Field(JsonElement e, string name) =>
        e.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    private static string? String(JsonElement e, string at, string name) => Field(e, name) switch
    {
        null => null,
        { ValueKind: JsonValueKind.String } value => value.GetString(),
        _ => throw new ValidationException($"{at}.{name}", "Must be a string."),
    };

    private static long? Long(JsonElement e, string at, string name) => Field(e, name) switch
    {
        null => null,
        { ValueKind: JsonValueKind.Number } value when value.TryGetInt64(out var number) => number,
        _ => throw new ValidationException($"{at}.{name}", "Must be a whole number."),
    };

    private static double? Number(JsonElement e, string at, string name) => Field(e, name) switch
    {
        null => null,
        { ValueKind: JsonValueKind.Number } value when value.TryGetDouble(out var number) && double.IsFinite(number) => number,
        _ => throw new ValidationException($"{at}.{name}", "Must be a finite number."),
    };

    private static void NotNegative(double? value, string field)
    {
        if (value < 0)
        {
            throw new ValidationException(field, "Must not be negative.");
        }
    }

    private static Dictionary<string, double>? Metrics(JsonElement e, string at)
    {
        if (Field(e, "metrics") is not { } metrics)
        {
            return null;
        }
        if (metrics.ValueKind != JsonValueKind.Object)
        {
            throw new ValidationException($"{at}.metrics", "Must be an object of metric names and numbers.");
        }
        var result = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var p in metrics.EnumerateObject())
        {
            result[p.Name] = p.Value.ValueKind == JsonValueKind.Number && p.Value.TryGetDouble(out var number) && double.IsFinite(number)
                ? number : throw new ValidationException($"{at}.metrics.{p.Name}", "Must be a finite number.");
        }
        return result;
    }
}
