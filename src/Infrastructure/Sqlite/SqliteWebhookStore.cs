using ModelsHub.Core.Common;
using ModelsHub.Core.Webhooks;
using ModelsHub.Infrastructure.Documents;

namespace ModelsHub.Infrastructure.Sqlite;

/// <summary>Webhooks in the <c>webhooks</c> table (owner and active indexed), their deliveries in <c>webhook_deliveries</c>.</summary>
public sealed class SqliteWebhookStore(SqliteDatabase database) : IWebhookStore
{
    private readonly SqliteDocumentTable<Webhook> _webhooks = new SqliteDocumentTable<Webhook>(database, "webhooks", StoredDocuments.Webhooks)
        .Key("id", w => w.Id)
        .Column("owner", w => w.Owner)
        .Column("active", w => w.Active ? 1 : 0)
        .Column("created_at", w => SqliteDatabase.SortKey(w.CreatedAt));

    public Task<Webhook> CreateAsync(Webhook webhook, CancellationToken cancellationToken) => _webhooks.CreateAsync(webhook, cancellationToken);

    public Task<Webhook?> FindAsync(string id, CancellationToken cancellationToken) => _webhooks.FindAsync(cancellationToken, id);

    public Task<Webhook> ReplaceAsync(Webhook webhook, string ifMatch, CancellationToken cancellationToken) => _webhooks.ReplaceAsync(webhook, ifMatch, cancellationToken);

    public Task DeleteAsync(string id, string? ifMatch, CancellationToken cancellationToken) => _webhooks.DeleteAsync(id, ifMatch, cancellationToken, id);

    public Task<Page<Webhook>> ListAsync(string? owner, int pageSize, string? continuationToken, CancellationToken cancellationToken) =>
        _webhooks.QueryPageAsync(new SqliteKeyset("webhooks:" + owner, "created_at"), continuationToken, pageSize, (command, where) =>
        {
            if (owner is not null)
            {
                where.Add("owner = $owner");
                command.Parameters.AddWithValue("$owner", owner);
            }
        }, cancellationToken);

    public async Task<IReadOnlyList<Webhook>> ListActiveAsync(CancellationToken cancellationToken) =>
        await _webhooks.QueryAsync("WHERE active = 1 ORDER BY created_at, id", null, cancellationToken);
}

public sealed class SqliteWebhookDeliveryStore(SqliteDatabase database) : IWebhookDeliveryStore
{
    private readonly SqliteDocumentTable<WebhookDelivery> _deliveries = new SqliteDocumentTable<WebhookDelivery>(database, "webhook_deliveries", StoredDocuments.WebhookDeliveries)
        .Key("webhook_id", d => d.WebhookId)
        .Key("id", d => d.Id)
        .Column("created_at", d => SqliteDatabase.SortKey(d.CreatedAt));

    public Task<WebhookDelivery> CreateAsync(WebhookDelivery delivery, CancellationToken cancellationToken) => _deliveries.CreateAsync(delivery, cancellationToken);

    public Task<WebhookDelivery?> FindAsync(string webhookId, string id, CancellationToken cancellationToken) => _deliveries.FindAsync(cancellationToken, webhookId, id);

    public Task<WebhookDelivery> ReplaceAsync(WebhookDelivery delivery, string ifMatch, CancellationToken cancellationToken) =>
        _deliveries.ReplaceAsync(delivery, ifMatch, cancellationToken);

    public Task<Page<WebhookDelivery>> ListAsync(string webhookId, int pageSize, string? continuationToken, CancellationToken cancellationToken) =>
        _deliveries.QueryPageAsync(new SqliteKeyset("deliveries:" + webhookId, "created_at", descending: true), continuationToken, pageSize, (command, where) =>
        {
            where.Add("webhook_id = $webhook");
            command.Parameters.AddWithValue("$webhook", webhookId);
        }, cancellationToken);

    public Task DeleteAllAsync(string webhookId, CancellationToken cancellationToken) =>
        database.WriteAsync((c, tx) =>
        {
            using var command = c.CreateCommand();
            command.Transaction = tx;
            command.CommandText = "DELETE FROM webhook_deliveries WHERE webhook_id = $webhook;";
            command.Parameters.AddWithValue("$webhook", webhookId);
            return command.ExecuteNonQuery();
        }, cancellationToken);
}
