using Microsoft.Extensions.Options;
using ModelsHub.Contracts.Usage;
using ModelsHub.Core.Usage;
using ModelsHub.Infrastructure.Sqlite;

namespace ModelsHub.IntegrationTests.Contracts;

/// <summary>What every <see cref="IUsageStore"/> adapter must do: keep calls, add up rollups, and lose no count to concurrent writers.</summary>
public abstract class UsageStoreContract
{
    protected abstract IUsageStore Store { get; }

    /// <summary>A second writer on the same data (another instance of the hub).</summary>
    protected abstract IUsageStore OtherInstance { get; }

    private static readonly DateTimeOffset Hour = new(2027, 3, 1, 10, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Day = new(2027, 3, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly string _model = "Usage-" + Guid.NewGuid().ToString("N")[..8];

    private UsageRecord Call(string user, int minute, double latency, string? version = "v1", ModelsHub.Contracts.Usage.UsageErrorClass? error = null) => new()
    {
        Id = Guid.NewGuid().ToString("N"),
        At = Hour.AddMinutes(minute),
        Model = _model,
        Version = version,
        User = user,
        Operation = UsageOperation.Chat,
        ErrorClass = error,
        LatencyMs = latency,
        TokensIn = 10,
        TokensOut = 5,
    };

    private Task RecordAsync(IUsageStore store, params UsageRecord[] calls) =>
        store.RecordAsync(calls, UsageRecorder.Rollups(calls), CancellationToken.None);

    [Fact]
    public async Task CallsRollUpPerHourModelVersionAndUser()
    {
        await RecordAsync(Store, Call("ann", 1, 12), Call("ann", 2, 40), Call("bob", 3, 900, error: UsageErrorClass.RateLimited), Call("ann", 70, 5, "v2"));
        await RecordAsync(Store, Call("ann", 4, 20));

        var rollups = await Store.QueryAsync(new UsageRollupQuery(UsageGranularity.Hour, Hour, Hour.AddHours(2), Model: _model.ToUpperInvariant()), CancellationToken.None);
        var annFirstHour = rollups.Single(r => r.Key is { User: "ann", Version: "v1" } && r.Key.Start == Hour);
        Assert.Equal((3, 3, 30, 15), (annFirstHour.Counters.Calls, annFirstHour.Counters.Successes, annFirstHour.Counters.TokensIn, annFirstHour.Counters.TokensOut));
        Assert.Equal(72, annFirstHour.Counters.LatencyMsSum);
        Assert.Equal(3, annFirstHour.Counters.Latency.Sum());
        var bob = rollups.Single(r => r.Key.User == "bob");
        Assert.Equal(1, bob.Counters.Errors["rate_limited"]);
        Assert.Equal(Hour.AddHours(1), rollups.Single(r => r.Key.Version == "v2").Key.Start);
        Assert.Equal(_model, annFirstHour.Key.Model);

        Assert.Equal(2, (await Store.QueryAsync(new UsageRollupQuery(UsageGranularity.Hour, Hour, Hour.AddHours(2), Model: _model, User: "ann"), CancellationToken.None)).Count);
        Assert.Single(await Store.QueryAsync(new UsageRollupQuery(UsageGranularity.Hour, Hour.AddHours(1), Hour.AddHours(2), Model: _model), CancellationToken.None));
        Assert.Contains(await Store.QueryAsync(new UsageRollupQuery(UsageGranularity.Hour, Hour, Hour.AddHours(2), User: "bob"), CancellationToken.None), r => r.Key.Model == _model);
        Assert.Empty(await Store.QueryAsync(new UsageRollupQuery(UsageGranularity.Hour, Hour.AddHours(2), Hour.AddHours(3), Model: _model), CancellationToken.None));
        // The day's rollups hold the same calls, one document per version and user.
        var days = await Store.QueryAsync(new UsageRollupQuery(UsageGranularity.Day, Day, Day.AddDays(1), Model: _model), CancellationToken.None);
        Assert.Equal(3, days.Count);
        Assert.Equal(3, days.Single(r => r.Key is { User: "ann", Version: "v1" }).Counters.Calls);
        Assert.All(days, r => Assert.Equal(Day, r.Key.Start));
    }

    [Fact]
    public async Task RecentCallsComeNewestFirstAndFailuresAlone()
    {
        await RecordAsync(Store, Call("ann", 1, 12), Call("bob", 2, 30, error: UsageErrorClass.Timeout), Call("ann", 3, 14));

        var recent = await Store.RecentCallsAsync(_model.ToLowerInvariant(), 2, failuresOnly: false, CancellationToken.None);
        var failures = await Store.RecentCallsAsync(_model, 10, failuresOnly: true, CancellationToken.None);

        Assert.Equal([Hour.AddMinutes(3), Hour.AddMinutes(2)], recent.Select(c => c.At));
        Assert.Equal(UsageErrorClass.Timeout, Assert.Single(failures).ErrorClass);
    }

    [Fact]
    public async Task ConcurrentWritersToTheSameRollupLoseNoCount()
    {
        var writers = new[] { Store, OtherInstance };
        await Task.WhenAll(Enumerable.Range(0, 40).Select(i => RecordAsync(writers[i % 2], Call("ann", i % 60, i), Call("bob", i % 60, i))));

        var rollups = await Store.QueryAsync(new UsageRollupQuery(UsageGranularity.Hour, Hour, Hour.AddHours(1), Model: _model), CancellationToken.None);
        Assert.Equal(40, rollups.Single(r => r.Key.User == "ann").Counters.Calls);
        Assert.Equal(40, rollups.Single(r => r.Key.User == "bob").Counters.Latency.Sum());
        Assert.Equal(Enumerable.Range(0, 40).Sum(), rollups.Single(r => r.Key.User == "bob").Counters.LatencyMsSum);
    }
}

public sealed class SqliteUsageStoreContract : UsageStoreContract, IDisposable
{
    private readonly EmbeddedDatabase _db = new();
    private readonly SqliteDatabase _second;

    public SqliteUsageStoreContract()
    {
        var options = Options.Create(new UsageOptions());
        Store = new SqliteUsageStore(_db.Database, options, TimeProvider.System);
        // Another process on the same file: its own connection pool and its own writer gate.
        _second = new SqliteDatabase(_db.Options);
        OtherInstance = new SqliteUsageStore(_second, options, TimeProvider.System);
    }

    protected override IUsageStore Store { get; }

    protected override IUsageStore OtherInstance { get; }

    public void Dispose()
    {
        _second.Dispose();
        _db.Dispose();
    }
}
