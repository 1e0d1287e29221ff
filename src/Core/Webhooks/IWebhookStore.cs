using ModelsHub.Core.Common;

namespace ModelsHub.Core.Webhooks;

/// <summary>Where webhooks live.</summary>
public interface IWebhookStore
{
    /// <summary>Stores a new webhook; <see cref="ConflictException"/> when the id is taken.</summary>
    Task<Webhook> CreateAsync(Webhook webhook, CancellationToken cancellationToken);

    /// <summary>The webhook, or null.</summary>
    Task<Webhook?> FindAsync(string id, CancellationToken cancellationToken);

    /// <summary>Replaces it if its ETag still matches (<see cref="PreconditionFailedException"/>; <see cref="NotFoundException"/> when gone).</summary>
    Task<Webhook> ReplaceAsync(Webhook webhook, string ifMatch, CancellationToken cancellationToken);

    /// <summary>Deletes it (only with that ETag, when given); deleting what is not there succeeds.</summary>
    Task DeleteAsync(string id, string? ifMatch, CancellationToken cancellationToken);

    /// <summary>One page of the webhooks of <paramref name="owner"/> (null: everyone's), oldest first.</summary>
    Task<Page<Webhook>> ListAsync(string? owner, int pageSize, string? continuationToken, CancellationToken cancellationToken);

    /// <summary>Every active webhook: what an event is matched against.</summary>
    Task<IReadOnlyList<Webhook>> ListActiveAsync(CancellationToken cancellationToken);
}

/// <summary>Where deliveries live, per webhook.</summary>
public interface IWebhookDeliveryStore
{
    Task<WebhookDelivery> CreateAsync(WebhookDelivery delivery, CancellationToken cancellationToken);

    Task<WebhookDelivery?> FindAsync(string webhookId, string id, CancellationToken cancellationToken);

    Task<WebhookDelivery> ReplaceAsync(WebhookDelivery delivery, string ifMatch, CancellationToken cancellationToken);

    /// <summary>One page of a webhook's deliveries, newest first.</summary>
    Task<Page<WebhookDelivery>> ListAsync(string webhookId, int pageSize, string? continuationToken, CancellationToken cancellationToken);

    /// <summary>Deletes every delivery of the webhook (it was deleted).</summary>
    Task DeleteAllAsync(string webhookId, CancellationToken cancellationToken);
}
