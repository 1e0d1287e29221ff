using ModelsHub.Core.Common;
using ModelsHub.Core.Servers;
using ModelsHub.Infrastructure.Sqlite;

namespace ModelsHub.IntegrationTests.Contracts;

/// <summary>What every <see cref="IInferenceServerStore"/> adapter must do: names unique ignoring case, ETag concurrency, a full round trip, the list by name.</summary>
public abstract class InferenceServerStoreContract
{
    protected abstract IInferenceServerStore Store { get; }

    private readonly string _prefix = "s" + Guid.NewGuid().ToString("N")[..8];

    private InferenceServer New(string name) => new()
    {
        Id = InferenceServer.IdFor(name),
        Name = name,
        Url = "http://xinference.internal:9997",
        Description = "GPU 集群 A",
        ProtectedApiKey = "CfDJ8-protected",
        ApiKeyLastFour = "9f3c",
        Version = "1.15.0",
        Revision = "7ecec16b",
        LastSeenAt = new DateTimeOffset(2027, 1, 2, 3, 4, 5, TimeSpan.Zero),
        Nodes = [new ServerNode("Worker", "10.0.0.2:30001", 64, 12.5, 1e10, 5e11, 5.49755813888e11, 8, 6.8719476736e11, 1e11, 37.5)],
        Registered = new Dictionary<string, string> { ["llm/team-chat"] = "abc123" },
        CreatedBy = "olga",
        CreatedAt = new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero),
        UpdatedAt = new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero),
    };

    [Fact]
    public async Task ServersRoundTripAndANameTakenIgnoringCaseConflicts()
    {
        var created = await Store.CreateAsync(New(_prefix + "-GPU"), CancellationToken.None);
        Assert.False(string.IsNullOrEmpty(created.ETag));
        var conflict = await Assert.ThrowsAsync<ConflictException>(() => Store.CreateAsync(New(_prefix + "-gpu"), CancellationToken.None));
        Assert.Equal("name", conflict.Field);

        var found = await Store.FindAsync(_prefix + "-gpu", CancellationToken.None);
        Assert.NotNull(found);
        Assert.Equal((created.ETag, _prefix + "-GPU", "GPU 集群 A", "CfDJ8-protected", "9f3c", "1.15.0", "7ecec16b"),
            (found!.ETag, found.Name, found.Description, found.ProtectedApiKey, found.ApiKeyLastFour, found.Version, found.Revision));
        Assert.Equal(New("x").Nodes, found.Nodes);
        Assert.Equal("abc123", found.Registered["llm/team-chat"]);
        Assert.Null(await Store.FindAsync(_prefix + "-none", CancellationToken.None));
    }

    [Fact]
    public async Task ReplacesNeedTheCurrentETagAndDeletesAreIdempotent()
    {
        var created = await Store.CreateAsync(New(_prefix + "-b"), CancellationToken.None);
        var next = created.Clone();
        next.Reachable = false;
        next.UnreachableSince = new DateTimeOffset(2027, 1, 3, 0, 0, 0, TimeSpan.Zero);
        next.LastError = "did not answer";
        var replaced = await Store.ReplaceAsync(next, created.ETag!, CancellationToken.None);
        Assert.NotEqual(created.ETag, replaced.ETag);
        await Assert.ThrowsAsync<PreconditionFailedException>(() => Store.ReplaceAsync(next, created.ETag!, CancellationToken.None));
        var read = await Store.FindAsync(_prefix + "-b", CancellationToken.None);
        Assert.Equal((false, "did not answer"), (read!.Reachable, read.LastError));

        await Assert.ThrowsAsync<PreconditionFailedException>(() => Store.DeleteAsync(_prefix + "-b", created.ETag, CancellationToken.None));
        await Store.DeleteAsync(_prefix + "-B", replaced.ETag, CancellationToken.None);
        Assert.Null(await Store.FindAsync(_prefix + "-b", CancellationToken.None));
        await Store.DeleteAsync(_prefix + "-b", null, CancellationToken.None);
        await Assert.ThrowsAsync<NotFoundException>(() => Store.ReplaceAsync(next, replaced.ETag!, CancellationToken.None));
    }

    [Fact]
    public async Task TheListHoldsEveryServerByName()
    {
        foreach (var name in new[] { "c", "a", "b" }) await Store.CreateAsync(New($"{_prefix}-{name}"), CancellationToken.None);
        var mine = (await Store.ListAsync(CancellationToken.None)).Where(s => s.Name.StartsWith(_prefix, StringComparison.Ordinal)).Select(s => s.Name).ToList();
        Assert.Equal([$"{_prefix}-a", $"{_prefix}-b", $"{_prefix}-c"], mine);
    }
}

public sealed class SqliteInferenceServerStoreContract : InferenceServerStoreContract, IDisposable
{
    private readonly EmbeddedDatabase _db = new();

    public SqliteInferenceServerStoreContract() => Store = new SqliteInferenceServerStore(_db.Database);

    protected override IInferenceServerStore Store { get; }

    public void Dispose() => _db.Dispose();
}
