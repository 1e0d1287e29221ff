using System.Text.Json;
using ModelsHub.Contracts;
using ModelsHub.Contracts.Webhooks;
using ModelsHub.Core.Webhooks;

namespace ModelsHub.Functions.Webhooks;

public static class WebhookMappings
{
    public static WebhookDto ToDto(this Webhook w, string? secret = null) => new(
        w.Id, w.Url, w.Events, w.Models, w.Active, w.Owner, EnumNames<WebhookScope>.NameOf(w.Scope), w.DisabledReason, w.DisabledAt,
        w.ConsecutiveFailures, w.LastDeliveryAt, w.LastDeliveryStatus, w.CreatedAt, w.UpdatedAt, w.ETag, secret);

    public static DeliveryDto ToDto(this WebhookDelivery d, bool details)
    {
        var last = d.Attempts.Count > 0 ? d.Attempts[^1] : null;
        JsonElement? payload = null;
        if (details)
        {
            using var document = JsonDocument.Parse(d.Payload);
            payload = document.RootElement.Clone();
        }
        return new DeliveryDto(d.Id, d.WebhookId, d.EventId, d.Event, d.Subject, d.Status, d.Attempts.Count, last?.ResponseCode, last?.DurationMs, last?.Error,
            d.Manual, d.RedeliveryOf, d.CreatedAt, d.CompletedAt, d.NextAttemptAt,
            details ? d.Attempts.Select(a => new DeliveryAttemptDto(a.Attempt, a.At, a.ResponseCode, a.DurationMs, a.Error, a.ResponseBody)).ToList() : null,
            payload);
    }
}
