using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.Options;
using ModelsHub.Core.Common;
using ModelsHub.Core.Usage;

namespace ModelsHub.Infrastructure.Cosmos;

/// <summary>
/// Usage in two containers partitioned by model: <c>usageCalls</c> (each call, expiring after
/// <c>Usage:CallRetention</c> through Cosmos TTL) and <c>usageRollups</c> (one document per hour,
/// model, version, deployment and user). A rollup is incremented by read, add, and replace with
/// its ETag (create when new), retried when another instance wrote in between, so no count is lost.
/// </summary>
public sealed class CosmosUsageStore : IUsageStore
{
    private const int MaxAttempts = 20;
    private static readonly ItemRequestOptions NoContentBack = new() { EnableContentResponseOnWrite = false };

    private readonly CosmosDatabase _database;
    private readonly Container _calls;
    private readonly Container _rollups;
    private readonly UsageOptions _options;

    public CosmosUsageStore(CosmosDatabase database, IOptions<UsageOptions> options)
    {
        _database = database;
        _calls = database.Container(HubContainers.UsageCalls);
        _rollups = database.Container(HubContainers.UsageRollups);
        _options = options.Value;
    }

    public async Task RecordAsync(IReadOnlyList<UsageRecord> calls, IReadOnlyList<UsageRollup> deltas, CancellationToken cancellationToken)
    {
        await _database.EnsureCreatedAsync(cancellationToken);
        var ttl = (int)Math.Min(int.MaxValue, _options.CallRetention.TotalSeconds);
        foreach (var chunk in calls.Chunk(32))
        {
            await Task.WhenAll(chunk.Select(async call =>
            {
                var document = new CallDocument(call.Id, call.Model.ToLowerInvariant(), (call.At.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10, !call.Success, ttl, call);
                using var content = new MemoryStream(JsonSerializer.SerializeToUtf8Bytes(document, HubJson.Options));
                using var response = await _calls.UpsertItemStreamAsync(content, new PartitionKey(document.Model), NoContentBack, cancellationToken);
                if (!response.IsSuccessStatusCode)
                {
                    throw CosmosOutcomes.Unexpected(response, "record usage call");
                }
            }));
        }
        foreach (var chunk in deltas.Chunk(16))
        {
            await Task.WhenAll(chunk.Select(delta => AddAsync(delta, cancellationToken)));
        }
    }

    private async Task AddAsync(UsageRollup delta, CancellationToken cancellationToken)
    {
        var model = delta.Key.Model.ToLowerInvariant();
        var id = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(delta.Key.Text)))[..40];
        var partition = new PartitionKey(model);
        for (var attempt = 1; ; attempt++)
        {
            using var read = await _rollups.ReadItemStreamAsync(id, partition, cancellationToken: cancellationToken);
            ResponseMessage write;
            if (read.StatusCode == HttpStatusCode.NotFound)
            {
                var created = RollupDocument.For(id, model, delta.Key, delta.Counters.Clone());
                using var content = new MemoryStream(JsonSerializer.SerializeToUtf8Bytes(created, HubJson.Options));
                write = await _rollups.CreateItemStreamAsync(content, partition, NoContentBack, cancellationToken);
            }
            else if (read.IsSuccessStatusCode)
            {
                var current = (await JsonSerializer.DeserializeAsync<RollupDocument>(read.Content, HubJson.Options, cancellationToken))!;
                current.Counters.Add(delta.Counters);
                using var content = new MemoryStream(JsonSerializer.SerializeToUtf8Bytes(current, HubJson.Options));
                write = await _rollups.ReplaceItemStreamAsync(content, id, partition,
                    new ItemRequestOptions { IfMatchEtag = read.Headers.ETag, EnableContentResponseOnWrite = false }, cancellationToken);
            }
            else
            {
                throw CosmosOutcomes.Unexpected(read, "read usage rollup");
            }
            using (write)
            {
                if (write.IsSuccessStatusCode)
                {
                    return;
                }
                // Another writer created or changed the rollup first: read its counts again and add to them.
                var lost = write.StatusCode is HttpStatusCode.Conflict or HttpStatusCode.PreconditionFailed;
                if (!lost || attempt >= MaxAttempts)
                {
                    throw lost
                        ? CosmosOutcomes.Busy("increment usage rollup", TimeSpan.FromSeconds(1), null)
                        : CosmosOutcomes.Unexpected(write, "write usage rollup");
                }
            }
            await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, 5 * attempt)), cancellationToken);
        }
    }

    public async Task<IReadOnlyList<UsageRollup>> QueryAsync(UsageRollupQuery query, CancellationToken cancellationToken)
    {
        await _database.EnsureCreatedAsync(cancellationToken);
        var sql = "SELECT * FROM c WHERE c.hour >= @from AND c.hour < @to";
        var definition = new QueryDefinition(sql)
            .WithParameter("@from", query.From.ToUnixTimeSeconds()).WithParameter("@to", query.To.ToUnixTimeSeconds());
        if (query.User is not null)
        {
            sql += " AND c.user = @user";
            definition = new QueryDefinition(sql)
                .WithParameter("@from", query.From.ToUnixTimeSeconds()).WithParameter("@to", query.To.ToUnixTimeSeconds())
                .WithParameter("@user", query.User);
        }
        var rows = await CosmosPaging.ReadAllAsync<RollupDocument>(_rollups, definition,
            query.Model is null ? null : new PartitionKey(query.Model.ToLowerInvariant()), cancellationToken);
        return rows.Select(r => r.ToRollup()).ToList();
    }

    public async Task<IReadOnlyList<UsageRecord>> RecentCallsAsync(string model, int maxItems, bool failuresOnly, CancellationToken cancellationToken)
    {
        await _database.EnsureCreatedAsync(cancellationToken);
        var definition = new QueryDefinition($"SELECT TOP @max * FROM c{(failuresOnly ? " WHERE c.failed = true" : "")} ORDER BY c.atUs DESC")
            .WithParameter("@max", maxItems);
        var rows = await CosmosPaging.ReadAllAsync<CallDocument>(_calls, definition, new PartitionKey(model.ToLowerInvariant()), cancellationToken);
        return rows.Select(r => r.Call).ToList();
    }

    private sealed record CallDocument(string Id, string Model, long AtUs, bool Failed, int Ttl, UsageRecord Call);

    private sealed record RollupDocument(string Id, string Model, long Hour, string ModelName, string? Version, string? Deployment, string? User, UsageCounters Counters)
    {
        public static RollupDocument For(string id, string model, UsageRollupKey key, UsageCounters counters) =>
            new(id, model, key.Hour.ToUnixTimeSeconds(), key.Model, key.Version, key.Deployment, key.User, counters);

        public UsageRollup ToRollup() =>
            new(new UsageRollupKey(DateTimeOffset.FromUnixTimeSeconds(Hour), ModelName, Version, Deployment, User), Counters);
    }
}
