using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModelsHub.Contracts.Webhooks;
using ModelsHub.Core.Common;
using ModelsHub.Core.GitHub;
using ModelsHub.Core.Workflows;

namespace ModelsHub.Core.Webhooks;

/// <summary>
/// Sends one delivery, at least once: each try signs the stored CloudEvent afresh and POSTs it; a 2xx
/// ends it, anything else is recorded on the delivery and retried with the runner's back-off
/// (<see cref="WebhookOptions.MaxAttempts"/>, <see cref="WebhookOptions.RetryDelay"/> doubling). A
/// delivery out of tries (or refused by the SSRF rules) fails visibly and counts against its webhook,
/// which is turned off, with the reason, after <see cref="WebhookOptions.DisableAfterFailures"/> in a row.
/// </summary>
public sealed partial class WebhookDeliveryWorkflow(
    IWebhookStore webhooks,
    IWebhookDeliveryStore deliveries,
    ISecretProtector secrets,
    IWebhookSender sender,
    IOptions<WebhookOptions> options,
    TimeProvider clock,
    ILogger<WebhookDeliveryWorkflow> logger) : IWorkflowDefinition
{
    public const string KindName = "webhook-delivery";

    private const int MaxResponseBody = 1024;

    public static class Steps
    {
        public const string Send = "send";
    }

    public string Kind => KindName;

    public string FirstStep => Steps.Send;

    public WorkflowRetryPolicy RetryPolicy => new(options.Value.MaxAttempts, options.Value.RetryDelay, options.Value.MaxRetryDelay);

    public static string WorkflowIdFor(string deliveryId) => "webhook-" + deliveryId;

    public static IReadOnlyDictionary<string, string> DataFor(WebhookDelivery delivery) => new Dictionary<string, string>
    {
        ["webhookId"] = delivery.WebhookId,
        ["deliveryId"] = delivery.Id,
    };

    public async Task<StepOutcome> RunStepAsync(WorkflowInstance instance, CancellationToken cancellationToken)
    {
        var delivery = await deliveries.FindAsync(instance.Get("webhookId")!, instance.Get("deliveryId")!, cancellationToken);
        if (delivery is null || delivery.Status != DeliveryStatus.Pending)
        {
            return StepOutcome.Complete(note: delivery is null ? "The delivery no longer exists." : "The delivery was already settled.");
        }
        var webhook = await webhooks.FindAsync(delivery.WebhookId, cancellationToken);
        if (webhook is null)
        {
            await SettleAsync(delivery, null, DeliveryStatus.Failed, "The webhook was deleted.", cancellationToken);
            return StepOutcome.Complete(note: "The webhook was deleted; nothing sent.");
        }
        if (!webhook.Active && !delivery.Manual)
        {
            await SettleAsync(delivery, null, DeliveryStatus.Failed, "The webhook was turned off before this delivery was sent.", cancellationToken);
            return StepOutcome.Complete(note: "The webhook is turned off; nothing sent.");
        }
        var attempt = instance.Attempt + 1;
        var secret = secrets.Unprotect(webhook.ProtectedSecret);
        if (secret is null)
        {
            const string lost = "The webhook's secret can no longer be decrypted (the key ring changed); set a new secret.";
            await FailAsync(delivery, new DeliveryAttempt(attempt, clock.GetUtcNow(), null, 0, lost, null), lost, cancellationToken);
            throw new PermanentStepException(lost);
        }

        var now = clock.GetUtcNow();
        var timestamp = now.ToUnixTimeSeconds();
        var body = Encoding.UTF8.GetBytes(delivery.Payload);
        var headers = new Dictionary<string, string>
        {
            [WebhookSignature.IdHeader] = delivery.EventId,
            [WebhookSignature.TimestampHeader] = timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture),
            [WebhookSignature.SignatureHeader] = WebhookSignature.Sign(secret, delivery.EventId, timestamp, body),
            [WebhookSignature.DeliveryHeader] = delivery.Id,
        };
        var response = await sender.SendAsync(new WebhookMessage(new Uri(webhook.Url), body, "application/cloudevents+json; charset=utf-8", headers), cancellationToken);
        var record = new DeliveryAttempt(attempt, now, response.StatusCode, (long)response.Duration.TotalMilliseconds,
            response.IsSuccess ? null : response.Error ?? $"The receiver answered {response.StatusCode}.", Shorten(response.Body));
        if (response.IsSuccess)
        {
            await SettleAsync(delivery, record, DeliveryStatus.Succeeded, null, cancellationToken);
            return StepOutcome.Complete(note: $"Delivered: {response.StatusCode} in {record.DurationMs} ms.");
        }
        var reason = record.Error!;
        if (response.Refused || attempt >= options.Value.MaxAttempts)
        {
            await FailAsync(delivery, record, reason, cancellationToken);
            throw new PermanentStepException(response.Refused ? reason : $"Gave up after {attempt} tries: {reason}");
        }
        await RecordAsync(delivery, d =>
        {
            d.Attempts.Add(record);
            d.NextAttemptAt = clock.GetUtcNow() + RetryPolicy.DelayAfter(attempt);
        }, cancellationToken);
        throw new WebhookDeliveryException(reason);
    }

    /// <summary>The delivery failed for good: recorded, and counted against its webhook (which may be turned off).</summary>
    private async Task FailAsync(WebhookDelivery delivery, DeliveryAttempt record, string reason, CancellationToken cancellationToken)
    {
        await SettleAsync(delivery, record, DeliveryStatus.Failed, reason, cancellationToken);
        LogDeliveryFailed(logger, delivery.Id, delivery.WebhookId, reason);
    }

    private async Task SettleAsync(WebhookDelivery delivery, DeliveryAttempt? record, DeliveryStatus status, string? reason, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        await RecordAsync(delivery, d =>
        {
            if (record is not null)
            {
                d.Attempts.Add(record);
            }
            else if (reason is not null)
            {
                d.Attempts.Add(new DeliveryAttempt(d.Attempts.Count + 1, now, null, 0, reason, null));
            }
            d.Status = status;
            d.CompletedAt = now;
            d.NextAttemptAt = null;
        }, cancellationToken);
        if (record is null)
        {
            // Not sent at all (the webhook is gone or off): nothing to count against it.
            return;
        }
        var disableAfter = options.Value.DisableAfterFailures;
        for (var attempt = 0; attempt < 10; attempt++)
        {
            var webhook = await webhooks.FindAsync(delivery.WebhookId, cancellationToken);
            if (webhook is null)
            {
                return;
            }
            var next = webhook.Clone();
            next.LastDeliveryAt = now;
            next.LastDeliveryStatus = status;
            if (status == DeliveryStatus.Succeeded)
            {
                next.ConsecutiveFailures = 0;
            }
            else
            {
                next.ConsecutiveFailures++;
                if (next.Active && next.ConsecutiveFailures >= disableAfter)
                {
                    next.Active = false;
                    next.DisabledAt = now;
                    next.DisabledReason = $"Turned off after {next.ConsecutiveFailures} deliveries in a row failed; the last ({delivery.Id}): {reason}";
                    LogDisabled(logger, webhook.Id, next.ConsecutiveFailures);
                }
            }
            try
            {
                await webhooks.ReplaceAsync(next, webhook.ETag!, cancellationToken);
                return;
            }
            catch (PreconditionFailedException)
            {
            }
        }
    }

    private async Task RecordAsync(WebhookDelivery delivery, Action<WebhookDelivery> change, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var current = attempt == 0 ? delivery : await deliveries.FindAsync(delivery.WebhookId, delivery.Id, cancellationToken);
            if (current is null)
            {
                return;
            }
            var next = current.Clone();
            change(next);
            try
            {
                await deliveries.ReplaceAsync(next, current.ETag!, cancellationToken);
                return;
            }
            catch (PreconditionFailedException) when (attempt < 5)
            {
            }
        }
    }

    private static string? Shorten(string? body) => body is null || body.Length <= MaxResponseBody ? body : body[..MaxResponseBody] + "…";

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook delivery {Delivery} to {Webhook} failed for good: {Reason}")]
    private static partial void LogDeliveryFailed(ILogger logger, string delivery, string webhook, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook {Webhook} turned off after {Failures} failed deliveries in a row")]
    private static partial void LogDisabled(ILogger logger, string webhook, int failures);
}

/// <summary>A try of a delivery failed and will be retried.</summary>
public sealed class WebhookDeliveryException(string message) : Exception(message);
