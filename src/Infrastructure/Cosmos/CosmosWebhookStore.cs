using System.Text.Json.Nodes;
using Microsoft.Azure.Cosmos;
using ModelsHub.Core.Common;
using ModelsHub.Core.Webhooks;
using ModelsHub.Infrastructure.Documents;

namespace ModelsHub.Infrastructure.Cosmos;

/// <summary>
/// Webhooks in the <c>webhooks</c> container, partitioned by id: managed by id; an owner's listing and
/// the active webhooks an event is matched against are small cross-partition queries.
/// </summary>
public sealed class CosmosWebhookStore(CosmosDatabase database) : IWebhookStore
{
    private readonly CosmosDocumentContainer<Webhook> _webhooks = new(database, HubContainers.Webhooks, StoredDocuments.Webhooks,
        CosmosDocumentShape<Webhook>.Inline((w, doc) => doc["createdUs"] = CosmosDocumentShape.Microseconds(w.CreatedAt)), w => w.Id);

    public Task<Webhook> CreateAsync(Webhook webhook, CancellationToken cancellationToken) => _webhooks.CreateAsync(webhook, cancellationToken);

    public Task<Webhook?> FindAsync(string id, CancellationToken cancellationToken) => _webhooks.FindAsync(id, id, cancellationToken);

    public Task<Webhook> ReplaceAsync(Webhook webhook, string ifMatch, CancellationToken cancellationToken) => _webhooks.ReplaceAsync(webhook, ifMatch, cancellationToken);

    public Task DeleteAsync(string id, string? ifMatch, CancellationToken cancellationToken) => _webhooks.DeleteAsync(id, id, id, ifMatch, cancellationToken);

    public Task<Page<Webhook>> ListAsync(string? owner, int pageSize, string? continuationToken, CancellationToken cancellationToken) =>
        _webhooks.QueryPageAsync(owner is null
                ? _webhooks.Select("ORDER BY c.createdUs, c.id")
                : _webhooks.Select("WHERE c.owner = @owner ORDER BY c.createdUs, c.id").WithParameter("@owner", owner),
            "webhooks:" + owner, continuationToken, pageSize, null, cancellationToken);

    public async Task<IReadOnlyList<Webhook>> ListActiveAsync(CancellationToken cancellationToken) =>
        await _webhooks.QueryAsync(_webhooks.Select("WHERE c.active = true ORDER BY c.createdUs, c.id"), null, cancellationToken);
}

/// <summary>Deliveries in the <c>webhookDeliveries</c> container, partitioned by webhook: a webhook's deliveries are one partition, newest first.</summary>
public sealed class CosmosWebhookDeliveryStore(CosmosDatabase database) : IWebhookDeliveryStore
{
    private readonly CosmosDocumentContainer<WebhookDelivery> _deliveries = new(database, HubContainers.WebhookDeliveries, StoredDocuments.WebhookDeliveries,
        CosmosDocumentShape<WebhookDelivery>.Text(d => new JsonObject
        {
            ["id"] = d.Id,
            ["webhookId"] = d.WebhookId,
            ["createdUs"] = CosmosDocumentShape.Microseconds(d.CreatedAt),
        }),
        d => d.Id, d => d.WebhookId);

    public Task<WebhookDelivery> CreateAsync(WebhookDelivery delivery, CancellationToken cancellationToken) => _deliveries.CreateAsync(delivery, cancellationToken);

    public Task<WebhookDelivery?> FindAsync(string webhookId, string id, CancellationToken cancellationToken) => _deliveries.FindAsync(id, webhookId, cancellationToken);

    public Task<WebhookDelivery> ReplaceAsync(WebhookDelivery delivery, string ifMatch, CancellationToken cancellationToken) =>
        _deliveries.ReplaceAsync(delivery, ifMatch, cancellationToken);

    public Task<Page<WebhookDelivery>> ListAsync(string webhookId, int pageSize, string? continuationToken, CancellationToken cancellationToken) =>
        _deliveries.QueryPageAsync(_deliveries.Select("ORDER BY c.createdUs DESC, c.id DESC"), "deliveries:" + webhookId, continuationToken, pageSize,
            webhookId, cancellationToken);

    public async Task DeleteAllAsync(string webhookId, CancellationToken cancellationToken)
    {
        if (!CosmosOutcomes.IsValidId(webhookId))
        {
            return;
        }
        var ids = await _deliveries.QueryRowsAsync<IdRow, string>(new QueryDefinition("SELECT c.id FROM c"), r => r.Id, webhookId, cancellationToken);
        foreach (var id in ids)
        {
            await _deliveries.DeleteAsync(id, webhookId, id, null, cancellationToken);
        }
    }

    private sealed record IdRow(string Id);
}
