using ModelsHub.Core.Workflows;
using ModelsHub.Infrastructure.Sqlite;

namespace ModelsHub.IntegrationTests.Contracts;

/// <summary>What every <see cref="IWorkQueue"/> adapter must do (at-least-once, visibility, dequeue count, poison).</summary>
public abstract class WorkQueueContract
{
    protected abstract IWorkQueue Queue { get; }

    private static readonly TimeSpan Hide = TimeSpan.FromSeconds(30);

    private async Task<IReadOnlyList<WorkItem>> ReceiveEventuallyAsync(int max, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (true)
        {
            var items = await Queue.ReceiveAsync(max, Hide, CancellationToken.None);
            if (items.Count > 0 || DateTime.UtcNow > deadline) return items;
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task AReceivedMessageIsHiddenUntilCompletedOrReleased()
    {
        await Queue.EnqueueAsync("first", null, CancellationToken.None);
        var item = Assert.Single(await ReceiveEventuallyAsync(10, TimeSpan.FromSeconds(5)));
        Assert.Equal(("first", 1), (item.Body, item.DequeueCount));
        Assert.Empty(await Queue.ReceiveAsync(10, Hide, CancellationToken.None));

        await Queue.ReleaseAsync(item, TimeSpan.Zero, CancellationToken.None);
        var again = Assert.Single(await ReceiveEventuallyAsync(10, TimeSpan.FromSeconds(5)));
        Assert.Equal(2, again.DequeueCount);

        // The first receipt is stale now: completing with it must not remove the message.
        await Queue.CompleteAsync(item, CancellationToken.None);
        await Queue.ReleaseAsync(again, TimeSpan.Zero, CancellationToken.None);
        var third = Assert.Single(await ReceiveEventuallyAsync(10, TimeSpan.FromSeconds(5)));
        await Queue.CompleteAsync(third, CancellationToken.None);
        Assert.Empty(await Queue.ReceiveAsync(10, TimeSpan.Zero, CancellationToken.None));
    }

    [Fact]
    public async Task ADelayedMessageAppearsOnlyAfterItsDelay()
    {
        await Queue.EnqueueAsync("later", TimeSpan.FromSeconds(2), CancellationToken.None);
        Assert.Empty(await Queue.ReceiveAsync(10, Hide, CancellationToken.None));
        var item = Assert.Single(await ReceiveEventuallyAsync(10, TimeSpan.FromSeconds(10)));
        Assert.Equal("later", item.Body);
        await Queue.CompleteAsync(item, CancellationToken.None);
    }

    [Fact]
    public async Task APoisonedMessageLeavesTheQueue()
    {
        await Queue.EnqueueAsync("bad", null, CancellationToken.None);
        var item = Assert.Single(await ReceiveEventuallyAsync(10, TimeSpan.FromSeconds(5)));
        await Queue.MoveToPoisonAsync(item, "kept failing", CancellationToken.None);
        Assert.Equal(0, await Queue.CountAsync(CancellationToken.None));
    }

    [Fact]
    public async Task ConcurrentReceiversNeverGetTheSameMessage()
    {
        for (var i = 0; i < 40; i++) await Queue.EnqueueAsync($"m{i}", null, CancellationToken.None);
        var received = new System.Collections.Concurrent.ConcurrentBag<string>();
        await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
        {
            for (var round = 0; round < 40; round++)
            {
                foreach (var item in await Queue.ReceiveAsync(5, Hide, CancellationToken.None))
                {
                    received.Add(item.Body);
                    await Queue.CompleteAsync(item, CancellationToken.None);
                }
            }
        }));
        Assert.Equal(40, received.Count);
        Assert.Equal(40, received.Distinct().Count());
    }
}

public sealed class SqliteWorkQueueContract : WorkQueueContract, IDisposable
{
    private readonly EmbeddedDatabase _db = new();

    public SqliteWorkQueueContract() => Queue = new SqliteWorkQueue(_db.Database, TimeProvider.System);

    protected override IWorkQueue Queue { get; }

    public void Dispose() => _db.Dispose();
}
