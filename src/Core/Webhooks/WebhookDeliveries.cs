using System.Net.Mime;
using System.Text;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.SystemTextJson;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModelsHub.Contracts;
using ModelsHub.Contracts.Webhooks;
using ModelsHub.Core.Events;
using ModelsHub.Core.GitHub;
using ModelsHub.Core.Workflows;

namespace ModelsHub.Core.Webhooks;

/// <summary>
/// Turns events into deliveries: each matching active webhook gets the event as a CloudEvent 1.0
/// (structured JSON mode), stored as a delivery and sent by its own <see cref="WebhookDeliveryWorkflow"/>
/// on the workflow runner, so the request that raised the event only writes (never waits on a receiver)
/// and every delivery is retried with back-off until it succeeds or fails visibly.
/// </summary>
public sealed partial class WebhookDeliveries(
    IWebhookStore webhooks,
    IWebhookDeliveryStore deliveries,
    WorkflowStarter workflows,
    IOptions<HubOptions> hub,
    TimeProvider clock,
    ILogger<WebhookDeliveries> logger) : IHubEventListener
{
    private static readonly JsonEventFormatter Formatter = new(ContractJson.Options, default);

    public async Task OnEventAsync(HubEvent hubEvent, CancellationToken cancellationToken)
    {
        foreach (var webhook in await webhooks.ListActiveAsync(cancellationToken))
        {
            if (!webhook.Wants(hubEvent.Type, hubEvent.Model, hubEvent.Owner))
            {
                continue;
            }
            try
            {
                await StartAsync(webhook, hubEvent.Id, hubEvent.Type, hubEvent.Subject, Encode(hubEvent), manual: false, redeliveryOf: null, startedBy: null, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // One webhook's store trouble must not keep the event from the others.
                LogFanOutFailed(logger, ex, hubEvent.Type, webhook.Id);
            }
        }
    }

    /// <summary>A <c>ping</c> to this webhook only.</summary>
    public Task<WebhookDelivery> PingAsync(Webhook webhook, string? by, CancellationToken cancellationToken)
    {
        var ping = HubEvent.Create(WebhookEventTypes.Ping, $"webhooks/{webhook.Id}", null, webhook.Owner, by,
            new PingEventData(webhook.Id, "The hub can reach this webhook; check that the signature verifies."), clock.GetUtcNow());
        return StartAsync(webhook, ping.Id, ping.Type, ping.Subject, Encode(ping), manual: true, redeliveryOf: null, by, cancellationToken);
    }

    /// <summary>The same CloudEvent again (same event id, so a receiver may tell it has seen it), as a new delivery.</summary>
    public Task<WebhookDelivery> RedeliverAsync(Webhook webhook, WebhookDelivery original, string? by, CancellationToken cancellationToken) =>
        StartAsync(webhook, original.EventId, original.Event, original.Subject, original.Payload, manual: true, original.Id, by, cancellationToken);

    private async Task<WebhookDelivery> StartAsync(Webhook webhook, string eventId, string type, string subject, string payload, bool manual, string? redeliveryOf,
        string? startedBy, CancellationToken cancellationToken)
    {
        var id = "dlv_" + Guid.NewGuid().ToString("N");
        var now = clock.GetUtcNow();
        var delivery = await deliveries.CreateAsync(new WebhookDelivery
        {
            Id = id,
            WebhookId = webhook.Id,
            EventId = eventId,
            Event = type,
            Subject = subject,
            Payload = payload,
            Manual = manual,
            RedeliveryOf = redeliveryOf,
            WorkflowId = WebhookDeliveryWorkflow.WorkflowIdFor(id),
            CreatedAt = now,
            NextAttemptAt = now,
        }, cancellationToken);
        await workflows.StartAsync(WebhookDeliveryWorkflow.KindName, WebhookDeliveryWorkflow.Steps.Send, delivery.WorkflowId,
            WebhookDeliveryWorkflow.DataFor(delivery), startedBy, cancellationToken);
        return delivery;
    }

    /// <summary>The event as a CloudEvent 1.0 in structured JSON mode.</summary>
    private string Encode(HubEvent hubEvent)
    {
        var cloudEvent = new CloudEvent(CloudEventsSpecVersion.V1_0)
        {
            Id = hubEvent.Id,
            Source = new Uri(hub.Value.PublicBaseUrl.TrimEnd('/') + "/api", UriKind.Absolute),
            Type = WebhookEventTypes.CloudEventType(hubEvent.Type),
            Subject = hubEvent.Subject,
            Time = hubEvent.Time,
            DataContentType = MediaTypeNames.Application.Json,
            Data = hubEvent.Data,
        };
        return Encoding.UTF8.GetString(Formatter.EncodeStructuredModeMessage(cloudEvent, out _).Span);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Event {Type} could not be queued for webhook {Webhook}")]
    private static partial void LogFanOutFailed(ILogger logger, Exception exception, string type, string webhook);
}
