using ModelsHub.Core.Catalog;
using ModelsHub.Core.Common;

namespace ModelsHub.Infrastructure.Sqlite;

/// <summary>
/// The embedded profile's read cache over the model table. Each write through here swaps in an
/// empty cache after it commits, and a reader fills only the cache it captured before it read the
/// database (a read racing a write lands in the discarded one). Writes by another process on the
/// same file (the CLI's <c>import-upstream</c> beside a running server) are noticed through a change
/// stamp that only catalog writes move (<see cref="SqliteDatabase.CatalogVersion"/>) looked at most once per check interval, which empties the
/// cache too. Pages and counts depend on the time (expiry), so each is kept for the second it was
/// read in, under a key without the time; the cache holds at most <see cref="MaxEntries"/> entries
/// per kind and starts afresh when full.
/// </summary>
public sealed class CachedModelStore : IModelStore
{
    internal const int MaxEntries = 50_000;

    /// <summary>How stale a foreign write may be seen by default.</summary>
    public static readonly TimeSpan DefaultForeignWriteCheckInterval = TimeSpan.FromMilliseconds(250);

    private sealed record Timed<T>(long Second, T Value);

    private sealed class Generation
    {
        public readonly System.Collections.Concurrent.ConcurrentDictionary<string, HubModel?> Models = new(StringComparer.Ordinal);
        public readonly System.Collections.Concurrent.ConcurrentDictionary<string, Timed<Page<ModelSummary>>> Pages = new(StringComparer.Ordinal);
        public readonly System.Collections.Concurrent.ConcurrentDictionary<string, Timed<ModelCounts>> Counts = new(StringComparer.Ordinal);
    }

    private readonly IModelStore _inner;
    private readonly Func<long>? _changeStamp;
    private readonly TimeProvider _clock;
    private readonly TimeSpan _checkInterval;
    private Generation _current = new();
    private long _lastStamp;
    private long _lastCheck;
    private int _checking;

    /// <summary>A cache for a store only this instance writes to.</summary>
    public CachedModelStore(IModelStore inner)
        : this(inner, null, TimeProvider.System, TimeSpan.Zero)
    {
    }

    /// <param name="changeStamp">A value that changes whenever anyone commits to the store (null: only this instance writes).</param>
    /// <param name="checkInterval">Looks at <paramref name="changeStamp"/> at most this often; zero looks on every read.</param>
    public CachedModelStore(IModelStore inner, Func<long>? changeStamp, TimeProvider clock, TimeSpan checkInterval)
    {
        _inner = inner;
        _changeStamp = changeStamp;
        _clock = clock;
        _checkInterval = checkInterval;
        if (changeStamp is not null)
        {
            _lastStamp = changeStamp();
            _lastCheck = clock.GetTimestamp();
        }
    }

    public async Task<HubModel?> FindAsync(string name, CancellationToken cancellationToken)
    {
        var generation = Current();
        var id = HubModel.IdFor(name);
        if (!generation.Models.TryGetValue(id, out var model))
        {
            model = await _inner.FindAsync(name, cancellationToken);
            Keep(generation, generation.Models, id, model);
        }
        // Callers may change what they get; the cached copy stays as read.
        return model?.Clone();
    }

    public async Task<Page<ModelSummary>> QueryAsync(ModelQuery query, ModelVisibilityScope scope, CancellationToken cancellationToken)
    {
        var generation = Current();
        scope = Truncate(scope);
        var second = scope.Now.ToUnixTimeSeconds();
        var key = Key(scope) + "|" + string.Join("\u001f", query.Type, query.Tag, query.Framework, query.Visibility, query.Tier, query.Source,
            query.Status, query.Owner, query.Featured, string.Join("\u001e", query.Words), query.Sort, query.Descending, query.PageSize, query.ContinuationToken);
        if (generation.Pages.TryGetValue(key, out var cached) && cached.Second == second)
        {
            return cached.Value;
        }
        var page = await _inner.QueryAsync(query, scope, cancellationToken);
        Keep(generation, generation.Pages, key, new Timed<Page<ModelSummary>>(second, page));
        return page;
    }

    public async Task<ModelCounts> CountAsync(ModelVisibilityScope scope, CancellationToken cancellationToken)
    {
        var generation = Current();
        scope = Truncate(scope);
        var second = scope.Now.ToUnixTimeSeconds();
        var key = Key(scope);
        if (generation.Counts.TryGetValue(key, out var cached) && cached.Second == second)
        {
            return cached.Value;
        }
        var counts = await _inner.CountAsync(scope, cancellationToken);
        Keep(generation, generation.Counts, key, new Timed<ModelCounts>(second, counts));
        return counts;
    }

    public Task<HubModel> CreateAsync(HubModel model, CancellationToken cancellationToken) =>
        AfterWrite(_inner.CreateAsync(model, cancellationToken));

    public Task<HubModel> ReplaceAsync(HubModel model, string ifMatch, CancellationToken cancellationToken) =>
        AfterWrite(_inner.ReplaceAsync(model, ifMatch, cancellationToken));

    public async Task DeleteAsync(string name, string? ifMatch, CancellationToken cancellationToken)
    {
        try
        {
            await _inner.DeleteAsync(name, ifMatch, cancellationToken);
        }
        finally
        {
            Invalidate();
        }
    }

    /// <summary>Entries held now, over all kinds (for tests of the bound).</summary>
    internal int Count
    {
        get
        {
            var generation = Volatile.Read(ref _current);
            return generation.Models.Count + generation.Pages.Count + generation.Counts.Count;
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

    /// <summary>The generation to read through, emptied first when someone else committed since the last look.</summary>
    private Generation Current()
    {
        if (_changeStamp is not null && _clock.GetElapsedTime(Volatile.Read(ref _lastCheck)) >= _checkInterval
            && Interlocked.Exchange(ref _checking, 1) == 0)
        {
            try
            {
                Volatile.Write(ref _lastCheck, _clock.GetTimestamp());
                var stamp = _changeStamp();
                if (stamp != Volatile.Read(ref _lastStamp))
                {
                    Volatile.Write(ref _lastStamp, stamp);
                    Invalidate();
                }
            }
            finally
            {
                Volatile.Write(ref _checking, 0);
            }
        }
        return Volatile.Read(ref _current);
    }

    private void Keep<T>(Generation generation, System.Collections.Concurrent.ConcurrentDictionary<string, T> entries, string key, T value)
    {
        if (entries.Count < MaxEntries || entries.ContainsKey(key))
        {
            entries[key] = value;
        }
        else
        {
            // Full: start afresh (unless a write already did) rather than stop caching while holding the memory.
            Interlocked.CompareExchange(ref _current, new Generation(), generation);
        }
    }

    private void Invalidate() => Volatile.Write(ref _current, new Generation());

    private static ModelVisibilityScope Truncate(ModelVisibilityScope scope) =>
        scope with { Now = DateTimeOffset.FromUnixTimeSeconds(scope.Now.ToUnixTimeSeconds()) };

    private static string Key(ModelVisibilityScope s) =>
        $"{s.All}|{s.OwnerId}|{string.Join(",", s.PublicTiers.Order())}|{string.Join(",", s.UnlistedTiers.Order())}";
}
