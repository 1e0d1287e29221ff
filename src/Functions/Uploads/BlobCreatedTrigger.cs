using System.Text.Json;
using ModelsHub.Contracts;
using ModelsHub.Core.Common;
using ModelsHub.Core.Storage;
using ModelsHub.Core.Uploads;
using ModelsHub.Functions.Triggers;

namespace ModelsHub.Functions.Uploads;

/// <summary>
/// The <c>BlobCreated</c> function: Event Grid's <c>Microsoft.Storage.BlobCreated</c> (Event Grid
/// or CloudEvents schema) delivered as <c>{"Data": {"event": …}}</c>. Completes the upload whose
/// client committed its chunks itself and never called complete; handling an event again changes nothing.
/// </summary>
public sealed partial class BlobCreatedTrigger(IServiceProvider services, ILogger<BlobCreatedTrigger> logger) : IFunctionTrigger
{
    public const string EventType = "Microsoft.Storage.BlobCreated";

    public string Name => "BlobCreated";

    public async Task<object?> InvokeAsync(InvocationRequest request, TriggerLog log, CancellationToken cancellationToken)
    {
        var ev = request.Binding("event");
        if (ev.ValueKind == JsonValueKind.String)
        {
            try
            {
                using var document = JsonDocument.Parse(ev.GetString()!);
                ev = document.RootElement.Clone();
            }
            catch (JsonException)
            {
                throw new TriggerPayloadException("Data.event", "The event is a string that is not JSON.");
            }
        }
        if (ev.ValueKind != JsonValueKind.Object)
        {
            throw new TriggerPayloadException("Data.event", "The event must be an Event Grid event object.");
        }
        var type = Text(ev, "eventType") ?? Text(ev, "type");
        if (type != EventType)
        {
            log.Add($"Ignored a {type ?? "typeless"} event: this function handles {EventType}.");
            return "ignored";
        }
        var key = BlobKeyOf(ev) ?? throw new TriggerPayloadException("Data.event.subject",
            "A BlobCreated event names its blob in subject (/blobServices/default/containers/{container}/blobs/{name}) or data.url.");
        var data = Property(ev, "data");
        var length = data is { ValueKind: JsonValueKind.Object } d && Property(d, "contentLength") is { ValueKind: JsonValueKind.Number } n && n.TryGetInt64(out var l) ? l : 0;
        // Resolved per event: triggers are built at start, and the upload service's graph (every store) need not slow the start down.
        var outcome = await services.GetRequiredService<UploadService>().HandleBlobCreatedAsync(new BlobCreated(key, length), cancellationToken);
        var name = EnumNames<BlobEventOutcome>.NameOf(outcome);
        LogHandled(logger, key, name);
        log.Add($"BlobCreated {key}: {name}.");
        return name;
    }

    /// <summary>The blob's name inside its container, from the subject or else from the URL.</summary>
    internal static string? BlobKeyOf(JsonElement ev)
    {
        const string marker = "/blobs/";
        if (Text(ev, "subject") is { } subject && subject.IndexOf(marker, StringComparison.Ordinal) is var at and >= 0 && subject.Length > at + marker.Length)
        {
            return subject[(at + marker.Length)..];
        }
        if (Property(ev, "data") is { ValueKind: JsonValueKind.Object } data && Text(data, "url") is { } url
            && Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.AbsolutePath.Split('/', 3) is [_, _, { Length: > 0 } name])
        {
            return Uri.UnescapeDataString(name);
        }
        return null;
    }

    private static JsonElement? Property(JsonElement obj, string name)
    {
        foreach (var property in obj.EnumerateObject())
        {
            if (property.Name.Equals(name, StringComparison.OrdinalIgnoreCase)) return property.Value;
        }
        return null;
    }

    private static string? Text(JsonElement obj, string name) =>
        Property(obj, name) is { ValueKind: JsonValueKind.String } value ? value.GetString() : null;

    [LoggerMessage(Level = LogLevel.Information, Message = "BlobCreated for {Key}: {Outcome}")]
    private static partial void LogHandled(ILogger logger, string key, string outcome);
}
