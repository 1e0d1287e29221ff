using ModelsHub.Core.Servers;
using ModelsHub.Infrastructure.Sqlite;

namespace ModelsHub.IntegrationTests.Contracts;

/// <summary>
/// What every <see cref="IMetricSeriesStore"/> adapter must do: one sample per series and time (a second write replaces it),
/// bytes kept exactly, reads by half-open range in time order, the newest sample, trimming by age, deleting a series.
/// </summary>
public abstract class MetricSeriesStoreContract
{
    protected abstract IMetricSeriesStore Store { get; }

    private static readonly DateTimeOffset T0 = new(2027, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly string _series = "server:" + Guid.NewGuid().ToString("N")[..10];

    private MetricSample Sample(int minute, byte marker, string? series = null) =>
        new(series ?? _series, T0.AddMinutes(minute), [1, marker, 0, 255, marker], [marker, 2]);

    [Fact]
    public async Task SamplesAreReadByRangeInOrderAndASecondWriteReplaces()
    {
        await Store.AppendAsync([Sample(2, 2), Sample(0, 0), Sample(1, 1), Sample(0, 9, _series + "-other")], TimeSpan.FromDays(7), CancellationToken.None);
        await Store.AppendAsync([Sample(1, 7)], TimeSpan.FromDays(7), CancellationToken.None);

        var all = await Store.ReadAsync(_series, T0, T0.AddMinutes(10), false, CancellationToken.None);
        Assert.Equal([T0, T0.AddMinutes(1), T0.AddMinutes(2)], all.Select(s => s.At));
        Assert.Equal([1, 7, 0, 255, 7], all[1].Data);
        Assert.Equal([7, 2], all[1].Summary);
        var summaries = await Store.ReadAsync(_series, T0, T0.AddMinutes(10), true, CancellationToken.None);
        Assert.Equal([[0, 2], [7, 2], [2, 2]], summaries.Select(s => s.Summary));
        Assert.All(summaries, s => Assert.Empty(s.Data));
        Assert.All(all, s => Assert.Equal(_series, s.Series));
        Assert.Equal([T0.AddMinutes(1)], (await Store.ReadAsync(_series, T0.AddMinutes(1), T0.AddMinutes(2), false, CancellationToken.None)).Select(s => s.At));
        Assert.Empty(await Store.ReadAsync(_series + "-none", T0, T0.AddMinutes(10), false, CancellationToken.None));

        var latest = await Store.LatestAsync(_series, CancellationToken.None);
        Assert.Equal((T0.AddMinutes(2), (byte)2, (byte)2), (latest!.At, latest.Data[1], latest.Summary[0]));
        Assert.Null(await Store.LatestAsync(_series + "-none", CancellationToken.None));
        await Store.AppendAsync([], TimeSpan.FromDays(7), CancellationToken.None);
    }

    [Fact]
    public async Task TrimmingRemovesOldSamplesAndASeriesCanBeDeleted()
    {
        await Store.AppendAsync([Sample(0, 0), Sample(60, 1), Sample(120, 2), Sample(0, 3, _series + "-b")], TimeSpan.FromDays(7), CancellationToken.None);
        var trimmed = await Store.TrimAsync(T0.AddMinutes(60), CancellationToken.None);
        Assert.True(trimmed >= 2, $"trimmed {trimmed}");
        Assert.Equal([T0.AddMinutes(60), T0.AddMinutes(120)], (await Store.ReadAsync(_series, T0.AddDays(-1), T0.AddDays(1), false, CancellationToken.None)).Select(s => s.At));
        Assert.Empty(await Store.ReadAsync(_series + "-b", T0.AddDays(-1), T0.AddDays(1), false, CancellationToken.None));

        await Store.DeleteSeriesAsync(_series, CancellationToken.None);
        Assert.Empty(await Store.ReadAsync(_series, T0.AddDays(-1), T0.AddDays(1), false, CancellationToken.None));
        Assert.Null(await Store.LatestAsync(_series, CancellationToken.None));
    }
}

public sealed class SqliteMetricSeriesStoreContract : MetricSeriesStoreContract, IDisposable
{
    private readonly EmbeddedDatabase _db = new();

    public SqliteMetricSeriesStoreContract() => Store = new SqliteMetricSeriesStore(_db.Database);

    protected override IMetricSeriesStore Store { get; }

    public void Dispose() => _db.Dispose();
}
