using ModelsHub.Core.Catalog;
using ModelsHub.Core.Common;

namespace ModelsHub.Infrastructure.Sqlite;

/// <summary>
/// The embedded profile's read cache over the model table. The embedded profile is one process
/// and every write goes through here, so the cache is exact: each write swaps in an empty cache
/// after it commits, and a reader fills only the cache it captured before it read the database
/// (a read racing a write lands in the discarded one). Expiry is compared at one-second steps.
/// </summary>
public sealed class CachedModelStore(IModelStore inner) : IModelStore
{
    private const int MaxEntries = 50_000;

    private sealed class Generation
    {
        public readonly System.Collections.Concurrent.ConcurrentDictionary<string, HubModel?> Models = new(StringComparer.Ordinal);
        public readonly System.Collections.Concurrent.ConcurrentDictionary<string, Page<ModelSummary>> Pages = new(StringComparer.Ordinal);
        public readonly System.Collections.Concurrent.ConcurrentDictionary<string, ModelCounts> Counts = new(StringComparer.Ordinal);
    }

    private Generation _current = new();

    public async Task<HubModel?> FindAsync(string name, CancellationToken cancellationToken)
    {
        var generation = Volatile.Read(ref _current);
        var id = HubModel.IdFor(name);
        if (!generation.Models.TryGetValue(id, out var model))
        {
            model = await inner.FindAsync(name, cancellationToken);
            if (generation.Models.Count < MaxEntries) generation.Models.TryAdd(id, model);
        }
        // Callers may change what they get; the cached copy stays as read.
        return model?.Clone();
    }

    public async Task<Page<ModelSummary>> QueryAsync(ModelQuery query, ModelVisibilityScope scope, CancellationToken cancellationToken)
    {
        var generation = Volatile.Read(ref _current);
        scope = Truncate(scope);
        var key = Key(scope) + "|" + string.Join("\u001f", query.Type, query.Tag, query.Framework, query.Visibility, query.Tier, query.Source,
            query.Status, query.Owner, query.Featured, string.Join("\u001e", query.Words), query.Sort, query.Descending, query.PageSize, query.ContinuationToken);
        if (generation.Pages.TryGetValue(key, out var page))
        {
            return page;
        }
        page = await inner.QueryAsync(query, scope, cancellationToken);
        if (generation.Pages.Count < MaxEntries) generation.Pages.TryAdd(key, page);
        return page;
    }

    public async Task<ModelCounts> CountAsync(ModelVisibilityScope scope, CancellationToken cancellationToken)
    {
        var generation = Volatile.Read(ref _current);
        scope = Truncate(scope);
        var key = Key(scope);
        if (!generation.Counts.TryGetValue(key, out var counts))
        {
            counts = await inner.CountAsync(scope, cancellationToken);
            if (generation.Counts.Count < MaxEntries) generation.Counts.TryAdd(key, counts);
        }
        return counts;
    }

    public Task<HubModel> CreateAsync(HubModel model, CancellationToken cancellationToken) =>
        AfterWrite(inner.CreateAsync(model, cancellationToken));

    public Task<HubModel> ReplaceAsync(HubModel model, string ifMatch, CancellationToken cancellationToken) =>
        AfterWrite(inner.ReplaceAsync(model, ifMatch, cancellationToken));

    public async Task DeleteAsync(string name, string? ifMatch, CancellationToken cancellationToken)
    {
        try
        {
            await inner.DeleteAsync(name, ifMatch, cancellationToken);
        }
        finally
        {
            Invalidate();
        }
    }

    private async Task<T> AfterWrite<T>(Task<T> write)
    {
        try
        {
            return await write;
        }
        finally
        {
            Invalidate();
        }
    }

    private void Invalidate() => Volatile.Write(ref _current, new Generation());

    private static ModelVisibilityScope Truncate(ModelVisibilityScope scope) =>
        scope with { Now = DateTimeOffset.FromUnixTimeSeconds(scope.Now.ToUnixTimeSeconds()) };

    private static string Key(ModelVisibilityScope s) =>
        $"{s.All}|{s.OwnerId}|{string.Join(",", s.PublicTiers.Order())}|{string.Join(",", s.UnlistedTiers.Order())}|{s.Now.ToUnixTimeSeconds()}";
}
