using ModelsHub.Contracts.Webhooks;
using ModelsHub.Core.Common;
using ModelsHub.Core.Webhooks;
using ModelsHub.Infrastructure.Sqlite;

namespace ModelsHub.IntegrationTests.Contracts;

/// <summary>
/// What every <see cref="IWebhookStore"/> and <see cref="IWebhookDeliveryStore"/> adapter must do: unique ids,
/// ETag concurrency, owners' listings paged oldest first, the active webhooks, a webhook's deliveries paged
/// newest first, and deleting them all.
/// </summary>
public abstract class WebhookStoreContract
{
    protected abstract IWebhookStore Webhooks { get; }

    protected abstract IWebhookDeliveryStore Deliveries { get; }

    private static readonly DateTimeOffset T0 = new(2027, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Owners of their own per test instance, so suites sharing a store do not meet.</summary>
    private readonly string _owner = "own-" + Guid.NewGuid().ToString("N")[..8];

    private Webhook New(int minute, bool active = true, string? owner = null) => new()
    {
        Id = "wh_" + Guid.NewGuid().ToString("N"),
        Owner = owner ?? _owner,
        Url = "https://hooks.example.com/modelshub?x=1",
        Events = ["model.created", "version.ready"],
        Models = ["Qwen3", "模型"],
        Scope = WebhookScope.Owned,
        Active = active,
        ProtectedSecret = "CfDJ8protected",
        CreatedAt = T0.AddMinutes(minute),
        UpdatedAt = T0.AddMinutes(minute),
    };

    private static WebhookDelivery Delivery(string webhookId, int second) => new()
    {
        Id = "dlv_" + Guid.NewGuid().ToString("N"),
        WebhookId = webhookId,
        EventId = "evt_" + second,
        Event = "model.created",
        Subject = "models/qwen3",
        Payload = "{\"specversion\":\"1.0\",\"data\":{\"n\":12345678901234567890,\"t\":\"模型\"}}",
        WorkflowId = "webhook-x",
        CreatedAt = T0.AddSeconds(second),
        NextAttemptAt = T0.AddSeconds(second),
    };

    [Fact]
    public async Task WebhooksRoundTripWithETagConcurrency()
    {
        var created = await Webhooks.CreateAsync(New(1), CancellationToken.None);
        Assert.False(string.IsNullOrEmpty(created.ETag));
        await Assert.ThrowsAsync<ConflictException>(() => Webhooks.CreateAsync(created, CancellationToken.None));
        var found = (await Webhooks.FindAsync(created.Id, CancellationToken.None))!;
        Assert.Equal((created.ETag, created.Url, created.Owner, WebhookScope.Owned), (found.ETag, found.Url, found.Owner, found.Scope));
        Assert.Equal(["model.created", "version.ready"], found.Events);
        Assert.Equal(["Qwen3", "模型"], found.Models!);

        var next = found.Clone();
        next.Active = false;
        next.DisabledReason = "Turned off after 10 deliveries in a row failed";
        next.LastDeliveryStatus = DeliveryStatus.Failed;
        var replaced = await Webhooks.ReplaceAsync(next, found.ETag!, CancellationToken.None);
        Assert.NotEqual(found.ETag, replaced.ETag);
        await Assert.ThrowsAsync<PreconditionFailedException>(() => Webhooks.ReplaceAsync(next, found.ETag!, CancellationToken.None));
        await Assert.ThrowsAsync<NotFoundException>(() => Webhooks.ReplaceAsync(New(2), "whatever", CancellationToken.None));
        var again = (await Webhooks.FindAsync(created.Id, CancellationToken.None))!;
        Assert.Equal((false, DeliveryStatus.Failed), (again.Active, again.LastDeliveryStatus!.Value));

        await Assert.ThrowsAsync<PreconditionFailedException>(() => Webhooks.DeleteAsync(created.Id, found.ETag, CancellationToken.None));
        await Webhooks.DeleteAsync(created.Id, replaced.ETag, CancellationToken.None);
        await Webhooks.DeleteAsync(created.Id, null, CancellationToken.None);
        Assert.Null(await Webhooks.FindAsync(created.Id, CancellationToken.None));
        Assert.Null(await Webhooks.FindAsync("no such/id?", CancellationToken.None));
    }

    [Fact]
    public async Task AnOwnersWebhooksComeInPagesOldestFirstAndOnlyActiveOnesAreMatched()
    {
        var made = new List<Webhook>();
        foreach (var minute in new[] { 5, 1, 4, 2, 3 })
        {
            made.Add(await Webhooks.CreateAsync(New(minute, active: minute != 4), CancellationToken.None));
        }
        var other = await Webhooks.CreateAsync(New(0, owner: _owner + "-other"), CancellationToken.None);
        var ids = new List<string>();
        string? token = null;
        do
        {
            var page = await Webhooks.ListAsync(_owner, 2, token, CancellationToken.None);
            Assert.True(page.Items.Count <= 2);
            ids.AddRange(page.Items.Select(w => w.Id));
            token = page.ContinuationToken;
        }
        while (token is not null);
        Assert.Equal(made.OrderBy(w => w.CreatedAt).Select(w => w.Id), ids);
        var everyone = await Webhooks.ListAsync(null, 100, null, CancellationToken.None);
        Assert.Contains(everyone.Items, w => w.Id == other.Id);
        // A token continues only the listing that issued it.
        var mine = (await Webhooks.ListAsync(_owner, 2, null, CancellationToken.None)).ContinuationToken;
        await Assert.ThrowsAsync<ValidationException>(() => Webhooks.ListAsync(_owner + "-other", 2, mine, CancellationToken.None));

        var active = (await Webhooks.ListActiveAsync(CancellationToken.None)).Where(w => w.Owner == _owner).Select(w => w.Id).ToHashSet();
        Assert.Equal(made.Where(w => w.Active).Select(w => w.Id).ToHashSet(), active);
    }

    [Fact]
    public async Task DeliveriesComeNewestFirstPerWebhookKeepTheirPayloadAndGoWithTheirWebhook()
    {
        var hook = await Webhooks.CreateAsync(New(1), CancellationToken.None);
        var otherHook = await Webhooks.CreateAsync(New(2), CancellationToken.None);
        var made = new List<WebhookDelivery>();
        foreach (var second in new[] { 3, 1, 5, 2, 4 })
        {
            made.Add(await Deliveries.CreateAsync(Delivery(hook.Id, second), CancellationToken.None));
        }
        var foreign = await Deliveries.CreateAsync(Delivery(otherHook.Id, 9), CancellationToken.None);
        await Assert.ThrowsAsync<ConflictException>(() => Deliveries.CreateAsync(made[0], CancellationToken.None));

        var ids = new List<string>();
        string? token = null;
        do
        {
            var page = await Deliveries.ListAsync(hook.Id, 2, token, CancellationToken.None);
            ids.AddRange(page.Items.Select(d => d.Id));
            token = page.ContinuationToken;
        }
        while (token is not null);
        Assert.Equal(made.OrderByDescending(d => d.CreatedAt).Select(d => d.Id), ids);

        var found = (await Deliveries.FindAsync(hook.Id, made[0].Id, CancellationToken.None))!;
        Assert.Equal(made[0].Payload, found.Payload);
        Assert.Null(await Deliveries.FindAsync(otherHook.Id, made[0].Id, CancellationToken.None));
        var next = found.Clone();
        next.Status = DeliveryStatus.Failed;
        next.Attempts.Add(new DeliveryAttempt(1, T0, 500, 12, "The receiver answered 500.", "oops"));
        var replaced = await Deliveries.ReplaceAsync(next, found.ETag!, CancellationToken.None);
        await Assert.ThrowsAsync<PreconditionFailedException>(() => Deliveries.ReplaceAsync(next, found.ETag!, CancellationToken.None));
        var read = (await Deliveries.FindAsync(hook.Id, made[0].Id, CancellationToken.None))!;
        Assert.Equal((replaced.ETag, DeliveryStatus.Failed), (read.ETag, read.Status));
        Assert.Equal(next.Attempts, read.Attempts);

        await Deliveries.DeleteAllAsync(hook.Id, CancellationToken.None);
        Assert.Empty((await Deliveries.ListAsync(hook.Id, 100, null, CancellationToken.None)).Items);
        Assert.NotNull(await Deliveries.FindAsync(otherHook.Id, foreign.Id, CancellationToken.None));
    }
}

public sealed class SqliteWebhookStoreContract : WebhookStoreContract, IDisposable
{
    private readonly EmbeddedDatabase _db = new();

    public SqliteWebhookStoreContract()
    {
        Webhooks = new SqliteWebhookStore(_db.Database);
        Deliveries = new SqliteWebhookDeliveryStore(_db.Database);
    }

    protected override IWebhookStore Webhooks { get; }

    protected override IWebhookDeliveryStore Deliveries { get; }

    public void Dispose() => _db.Dispose();
}
