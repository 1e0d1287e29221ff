using ModelsHub.Contracts.Workflows;
using ModelsHub.Core.Common;
using ModelsHub.Core.Workflows;
using ModelsHub.Infrastructure.Sqlite;

namespace ModelsHub.IntegrationTests.Contracts;

/// <summary>What every <see cref="IWorkflowStore"/> adapter must do: ETag concurrency and the sweeper's due query.</summary>
public abstract class WorkflowStoreContract
{
    protected abstract IWorkflowStore Store { get; }

    private readonly string _prefix = "w" + Guid.NewGuid().ToString("N")[..6] + "-";
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);

    private WorkflowInstance New(string id, DateTimeOffset? due) => new()
    {
        Id = _prefix + id,
        Kind = "test",
        Step = "one",
        Data = new Dictionary<string, string> { ["model"] = "é-model" },
        NextAttemptAt = due,
        History = [new WorkflowEvent(T0, "one", "started")],
        CreatedAt = T0,
        UpdatedAt = T0,
    };

    [Fact]
    public async Task InstancesRoundTripAndReplaceNeedsTheCurrentETag()
    {
        var created = await Store.CreateAsync(New("a", T0), CancellationToken.None);
        await Assert.ThrowsAsync<ConflictException>(() => Store.CreateAsync(New("a", T0), CancellationToken.None));
        var found = await Store.FindAsync(_prefix + "a", CancellationToken.None);
        Assert.Equal((created.ETag, "one", "é-model", T0), (found!.ETag, found.Step, found.Data["model"], found.NextAttemptAt));
        Assert.Single(found.History);

        var next = found.Clone();
        next.Step = "two";
        next.History.Add(new WorkflowEvent(T0, "one", "done"));
        var replaced = await Store.ReplaceAsync(next, found.ETag!, CancellationToken.None);
        Assert.NotEqual(found.ETag, replaced.ETag);
        await Assert.ThrowsAsync<PreconditionFailedException>(() => Store.ReplaceAsync(next, found.ETag!, CancellationToken.None));
        await Assert.ThrowsAsync<NotFoundException>(() => Store.ReplaceAsync(New("ghost", null), "x", CancellationToken.None));
        Assert.Equal(2, (await Store.FindAsync(_prefix + "a", CancellationToken.None))!.History.Count);
        Assert.Null(await Store.FindAsync(_prefix + "missing", CancellationToken.None));
    }

    [Fact]
    public async Task ListsTheInstancesOfOneStatusPageByPage()
    {
        foreach (var id in new[] { "f3", "f1", "f2" })
        {
            var failed = New(id, null);
            failed.Status = WorkflowStatus.Failed;
            failed.LastError = "GitHub is down";
            await Store.CreateAsync(failed, CancellationToken.None);
        }
        await Store.CreateAsync(New("r1", T0), CancellationToken.None);

        var seen = new List<WorkflowInstance>();
        string? token = null;
        do
        {
            var page = await Store.ListAsync(WorkflowStatus.Failed, 2, token, CancellationToken.None);
            Assert.InRange(page.Items.Count, 0, 2);
            seen.AddRange(page.Items);
            token = page.ContinuationToken;
        }
        while (token is not null);

        Assert.All(seen, w => Assert.Equal(WorkflowStatus.Failed, w.Status));
        Assert.Equal([_prefix + "f1", _prefix + "f2", _prefix + "f3"], seen.Select(w => w.Id).Where(id => id.StartsWith(_prefix, StringComparison.Ordinal)));
        Assert.Equal("GitHub is down", seen.First(w => w.Id == _prefix + "f1").LastError);
        var running = await Store.ListAsync(WorkflowStatus.Running, 100, null, CancellationToken.None);
        await Assert.ThrowsAsync<ValidationException>(() => Store.ListAsync(WorkflowStatus.Failed, 2, running.ContinuationToken ?? "bm90LWEtdG9rZW4", CancellationToken.None));
    }

    [Fact]
    public async Task DueListsOnlyRunningInstancesPastTheirTimeOldestFirst()
    {
        await Store.CreateAsync(New("late", T0.AddMinutes(-10)), CancellationToken.None);
        await Store.CreateAsync(New("later", T0.AddMinutes(-20)), CancellationToken.None);
        await Store.CreateAsync(New("future", T0.AddMinutes(10)), CancellationToken.None);
        var done = New("done", T0.AddMinutes(-30));
        done.Status = WorkflowStatus.Completed;
        await Store.CreateAsync(done, CancellationToken.None);
        var due = (await Store.ListDueAsync(T0, 100, CancellationToken.None)).Where(id => id.StartsWith(_prefix, StringComparison.Ordinal)).ToList();
        Assert.Equal([_prefix + "later", _prefix + "late"], due);
        var counts = await Store.CountAsync(CancellationToken.None);
        Assert.True(counts[WorkflowStatus.Running] >= 3 && counts[WorkflowStatus.Completed] >= 1);
    }
}

public sealed class SqliteWorkflowStoreContract : WorkflowStoreContract, IDisposable
{
    private readonly EmbeddedDatabase _db = new();

    public SqliteWorkflowStoreContract() => Store = new SqliteWorkflowStore(_db.Database);

    protected override IWorkflowStore Store { get; }

    public void Dispose() => _db.Dispose();
}
