using ModelsHub.Contracts.Sync;
using ModelsHub.Core.Common;
using ModelsHub.Core.Upstream;
using ModelsHub.Infrastructure.Sqlite;

namespace ModelsHub.IntegrationTests.Contracts;

/// <summary>
/// What every <see cref="ISyncRunStore"/> adapter must do: ids are unique (the sync's single-flight
/// rests on a refused create), ETag concurrency, and the latest runs by sequence.
/// </summary>
public abstract class SyncRunStoreContract
{
    protected abstract ISyncRunStore Store { get; }

    private static readonly DateTimeOffset T0 = new(2026, 4, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Sequences far apart per test instance, so suites sharing one store do not meet.</summary>
    private readonly long _base = Random.Shared.NextInt64(1, 1L << 40) * 1000;

    private SyncRun New(long offset, SyncRunStatus status = SyncRunStatus.Running) => new()
    {
        Id = SyncRun.IdFor(_base + offset),
        Sequence = _base + offset,
        Trigger = SyncTrigger.Manual,
        RequestedBy = "ada",
        Status = status,
        Repository = "xorbitsai/inference",
        Ref = "main",
        StartedAt = T0.AddMinutes(offset),
    };

    [Fact]
    public async Task RunsRoundTripAndATakenIdConflicts()
    {
        var run = New(1);
        run.Commit = "abc123";
        run.Counts = new SyncCounts(Added: 331, Updated: 1, Unchanged: 2, Removed: 3, UnderReview: 4, Errors: 1);
        run.PullRequests = new PullRequestCounts(Checked: 5, Merged: 2, Closed: 1, Errors: 0);
        run.Errors = [new SyncError("llm", "bad-model", "model_specs[0]: is required — 必填")];
        run.Entries = 355;
        var created = await Store.CreateAsync(run, CancellationToken.None);
        Assert.False(string.IsNullOrEmpty(created.ETag));
        await Assert.ThrowsAsync<ConflictException>(() => Store.CreateAsync(New(1), CancellationToken.None));

        var found = await Store.FindAsync(run.Id, CancellationToken.None);
        Assert.NotNull(found);
        Assert.Equal(created.ETag, found!.ETag);
        Assert.Equal((run.Sequence, SyncTrigger.Manual, "ada", SyncRunStatus.Running, "abc123", T0.AddMinutes(1), 355),
            (found.Sequence, found.Trigger, found.RequestedBy, found.Status, found.Commit, found.StartedAt, found.Entries));
        Assert.Equal(run.Counts, found.Counts);
        Assert.Equal(run.PullRequests, found.PullRequests);
        Assert.Equal(run.Errors, found.Errors);
        Assert.Null(await Store.FindAsync(SyncRun.IdFor(_base + 999), CancellationToken.None));
    }

    [Fact]
    public async Task ReplaceNeedsTheCurrentETag()
    {
        var created = await Store.CreateAsync(New(2), CancellationToken.None);
        var next = created.Clone();
        next.Status = SyncRunStatus.Succeeded;
        next.FinishedAt = T0.AddMinutes(3);
        next.DurationMs = 1234;
        var replaced = await Store.ReplaceAsync(next, created.ETag!, CancellationToken.None);
        Assert.NotEqual(created.ETag, replaced.ETag);
        await Assert.ThrowsAsync<PreconditionFailedException>(() => Store.ReplaceAsync(next, created.ETag!, CancellationToken.None));
        await Assert.ThrowsAsync<NotFoundException>(() => Store.ReplaceAsync(New(998), "whatever", CancellationToken.None));
        var found = (await Store.FindAsync(created.Id, CancellationToken.None))!;
        Assert.Equal((SyncRunStatus.Succeeded, 1234L, T0.AddMinutes(3)), (found.Status, found.DurationMs!.Value, found.FinishedAt!.Value));
    }

    [Fact]
    public async Task TheLatestRunsComeHighestSequenceFirst()
    {
        // Created out of order: the sequence decides, not the insertion or the start time.
        foreach (var offset in new long[] { 12, 10, 14, 11, 13 })
        {
            await Store.CreateAsync(New(offset, offset == 14 ? SyncRunStatus.Running : SyncRunStatus.Succeeded), CancellationToken.None);
        }
        var all = (await Store.ListRecentAsync(100, CancellationToken.None)).ToList();
        Assert.Equal(all.Select(r => r.Sequence).OrderDescending(), all.Select(r => r.Sequence));
        Assert.Equal([14L, 13L, 12L, 11L, 10L], all.Where(r => r.Sequence >= _base && r.Sequence < _base + 1000).Select(r => r.Sequence - _base));
        Assert.Equal(SyncRunStatus.Running, all.Single(r => r.Sequence == _base + 14).Status);

        var latest = await Store.ListRecentAsync(3, CancellationToken.None);
        Assert.Equal(all.Take(3).Select(r => r.Id), latest.Select(r => r.Id));
    }
}

public sealed class SqliteSyncRunStoreContract : SyncRunStoreContract, IDisposable
{
    private readonly EmbeddedDatabase _db = new();

    public SqliteSyncRunStoreContract() => Store = new SqliteSyncRunStore(_db.Database);

    protected override ISyncRunStore Store { get; }

    public void Dispose() => _db.Dispose();
}
