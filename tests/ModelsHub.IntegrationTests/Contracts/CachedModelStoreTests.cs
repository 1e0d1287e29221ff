using Microsoft.Extensions.Time.Testing;
using ModelsHub.Contracts.Models;
using ModelsHub.Core.Catalog;
using ModelsHub.Core.Common;
using ModelsHub.Infrastructure.Sqlite;

namespace ModelsHub.IntegrationTests.Contracts;

/// <summary>The embedded read cache: it sees writes made beside it, and stays bounded under read-only traffic.</summary>
public sealed class CachedModelStoreTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly ModelVisibilityScope Everything = new(true, null, new HashSet<ModelTier>(), new HashSet<ModelTier>(), T0);

    private readonly EmbeddedDatabase _db = new();

    public void Dispose() => _db.Dispose();

    private static HubModel New(string name) => new()
    {
        Id = HubModel.IdFor(name),
        Name = name,
        Type = ModelType.Custom,
        Visibility = ModelVisibility.Public,
        Owner = "olivia",
        CreatedAt = T0,
        UpdatedAt = T0,
    };

    [Fact]
    public async Task AWriteByAnotherProcessOnTheSameFileIsSeenAfterTheCheckInterval()
    {
        var clock = new FakeTimeProvider(T0);
        var server = new CachedModelStore(new SqliteModelStore(_db.Database), _db.Database.DataVersion, clock, TimeSpan.FromSeconds(1));
        // The other process: its own database handle and cache on the same file (the CLI's import-upstream).
        using var otherDatabase = new SqliteDatabase(_db.Options);
        var cli = new CachedModelStore(new SqliteModelStore(otherDatabase), otherDatabase.DataVersion, clock, TimeSpan.FromSeconds(1));

        Assert.Null(await server.FindAsync("imported", CancellationToken.None));
        Assert.Empty((await server.QueryAsync(new ModelQuery(), Everything, CancellationToken.None)).Items);
        Assert.Equal(0, (await server.CountAsync(Everything, CancellationToken.None)).Total);

        await cli.CreateAsync(New("imported"), CancellationToken.None);

        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.NotNull(await server.FindAsync("imported", CancellationToken.None));
        Assert.Equal(["imported"], (await server.QueryAsync(new ModelQuery(), Everything, CancellationToken.None)).Items.Select(m => m.Name));
        Assert.Equal(1, (await server.CountAsync(Everything, CancellationToken.None)).Total);
    }

    [Fact]
    public async Task ReadsOverManySecondsKeepTheCacheBoundedAndStillCaching()
    {
        var inner = new CountingStore();
        var cache = new CachedModelStore(inner);
        var query = new ModelQuery();
        const int seconds = CachedModelStore.MaxEntries + 1_000;
        for (var s = 0; s < seconds; s++)
        {
            var scope = Everything with { Now = T0.AddSeconds(s) };
            await cache.QueryAsync(query, scope, CancellationToken.None);
            await cache.CountAsync(scope, CancellationToken.None);
        }
        Assert.Equal(2, cache.Count);

        var last = Everything with { Now = T0.AddSeconds(seconds - 1).AddMilliseconds(500) };
        var before = inner.Reads;
        await cache.QueryAsync(query, last, CancellationToken.None);
        await cache.CountAsync(last, CancellationToken.None);
        Assert.Equal(before, inner.Reads);
    }

    [Fact]
    public async Task AFullCacheStartsAfreshAndKeepsCaching()
    {
        var inner = new CountingStore();
        var cache = new CachedModelStore(inner);
        for (var i = 0; i <= CachedModelStore.MaxEntries; i++)
        {
            await cache.QueryAsync(new ModelQuery { Owner = "o" + i }, Everything, CancellationToken.None);
        }
        Assert.True(cache.Count <= CachedModelStore.MaxEntries);
        await cache.QueryAsync(new ModelQuery { Owner = "again" }, Everything, CancellationToken.None);
        var before = inner.Reads;
        await cache.QueryAsync(new ModelQuery { Owner = "again" }, Everything, CancellationToken.None);
        Assert.Equal(before, inner.Reads);
    }

    private sealed class CountingStore : IModelStore
    {
        public int Reads;

        public Task<HubModel?> FindAsync(string name, CancellationToken cancellationToken)
        {
            Reads++;
            return Task.FromResult<HubModel?>(null);
        }

        public Task<Page<ModelSummary>> QueryAsync(ModelQuery query, ModelVisibilityScope scope, CancellationToken cancellationToken)
        {
            Reads++;
            return Task.FromResult(new Page<ModelSummary>([], null));
        }

        public Task<ModelCounts> CountAsync(ModelVisibilityScope scope, CancellationToken cancellationToken)
        {
            Reads++;
            return Task.FromResult(new ModelCounts(0, new Dictionary<ModelType, int>()));
        }

        public Task<HubModel> CreateAsync(HubModel model, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<HubModel> ReplaceAsync(HubModel model, string ifMatch, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task DeleteAsync(string name, string? ifMatch, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
