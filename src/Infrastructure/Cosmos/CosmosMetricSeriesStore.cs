using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Azure.Cosmos;
using ModelsHub.Core.Servers;

namespace ModelsHub.Infrastructure.Cosmos;

/// <summary>
/// The monitoring series in the <c>metricSamples</c> container: one item per series and interval
/// (<c>id</c> = the interval's start in Unix milliseconds, partition = the series), upserted so a
/// second poll replaces the first; each carries <c>ttl</c> = the retention, so Cosmos removes old
/// samples by itself and <see cref="TrimAsync"/> finds only what TTL has not reached yet.
/// </summary>
public sealed class CosmosMetricSeriesStore(CosmosDatabase database) : IMetricSeriesStore
{
    private readonly Container _container = database.Container(HubContainers.MetricSamples);

    public async Task AppendAsync(IReadOnlyList<MetricSample> samples, TimeSpan retention, CancellationToken cancellationToken)
    {
        await database.EnsureCreatedAsync(cancellationToken);
        var ttl = (int)Math.Min(int.MaxValue, Math.Ceiling(retention.TotalSeconds));
        foreach (var sample in samples)
        {
            var at = sample.At.ToUnixTimeMilliseconds();
            var item = new JsonObject
            {
                ["id"] = at.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["series"] = sample.Series,
                ["atMs"] = at,
                ["data"] = Convert.ToBase64String(sample.Data),
                ["summary"] = Convert.ToBase64String(sample.Summary),
                ["ttl"] = ttl,
            };
            using var content = CosmosDocumentShape.ToStream(item);
            using var response = await _container.UpsertItemStreamAsync(content, new PartitionKey(sample.Series),
                new ItemRequestOptions { EnableContentResponseOnWrite = false }, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw CosmosOutcomes.Unexpected(response, "upsert metric sample");
            }
        }
    }

    public async Task<IReadOnlyList<MetricSample>> ReadAsync(string series, DateTimeOffset from, DateTimeOffset to, bool summariesOnly, CancellationToken cancellationToken)
    {
        await database.EnsureCreatedAsync(cancellationToken);
        var query = new QueryDefinition($"SELECT c.id, c.series, c.atMs, {(summariesOnly ? "" : "c.data, ")}c.summary FROM c WHERE c.series = @series AND c.atMs >= @from AND c.atMs < @to ORDER BY c.atMs")
            .WithParameter("@series", series)
            .WithParameter("@from", from.ToUnixTimeMilliseconds())
            .WithParameter("@to", to.ToUnixTimeMilliseconds());
        var rows = await CosmosPaging.ReadAllAsync<JsonElement>(_container, query, new PartitionKey(series), cancellationToken);
        return rows.Select(ToSample).ToList();
    }

    public async Task<MetricSample?> LatestAsync(string series, CancellationToken cancellationToken)
    {
        await database.EnsureCreatedAsync(cancellationToken);
        var query = new QueryDefinition("SELECT TOP 1 c.id, c.series, c.atMs, c.data, c.summary FROM c WHERE c.series = @series ORDER BY c.atMs DESC")
            .WithParameter("@series", series);
        var rows = await CosmosPaging.ReadAllAsync<JsonElement>(_container, query, new PartitionKey(series), cancellationToken);
        return rows.Count == 0 ? null : ToSample(rows[0]);
    }

    public async Task<int> TrimAsync(DateTimeOffset olderThan, CancellationToken cancellationToken)
    {
        await database.EnsureCreatedAsync(cancellationToken);
        var query = new QueryDefinition("SELECT c.id, c.series FROM c WHERE c.atMs < @before").WithParameter("@before", olderThan.ToUnixTimeMilliseconds());
        var rows = await CosmosPaging.ReadAllAsync<JsonElement>(_container, query, null, cancellationToken);
        foreach (var row in rows)
        {
            await DeleteAsync(row.GetProperty("id").GetString()!, row.GetProperty("series").GetString()!, cancellationToken);
        }
        return rows.Count;
    }

    public async Task DeleteSeriesAsync(string series, CancellationToken cancellationToken)
    {
        await database.EnsureCreatedAsync(cancellationToken);
        var query = new QueryDefinition("SELECT c.id FROM c WHERE c.series = @series").WithParameter("@series", series);
        foreach (var row in await CosmosPaging.ReadAllAsync<JsonElement>(_container, query, new PartitionKey(series), cancellationToken))
        {
            await DeleteAsync(row.GetProperty("id").GetString()!, series, cancellationToken);
        }
    }

    private async Task DeleteAsync(string id, string series, CancellationToken cancellationToken)
    {
        using var response = await _container.DeleteItemStreamAsync(id, new PartitionKey(series), cancellationToken: cancellationToken);
        if (!response.IsSuccessStatusCode && response.StatusCode != HttpStatusCode.NotFound)
        {
            throw CosmosOutcomes.Unexpected(response, "delete metric sample");
        }
    }

    private static MetricSample ToSample(JsonElement row) =>
        new(row.GetProperty("series").GetString()!, DateTimeOffset.FromUnixTimeMilliseconds(row.GetProperty("atMs").GetInt64()),
            row.TryGetProperty("data", out var data) ? Convert.FromBase64String(data.GetString()!) : [],
            Convert.FromBase64String(row.GetProperty("summary").GetString()!));
}
