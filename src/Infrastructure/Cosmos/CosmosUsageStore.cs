using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using ModelsHub.Contracts;
using ModelsHub.Contracts.Usage;
using ModelsHub.Core.Common;
using ModelsHub.Core.Usage;
using ModelsHub.Infrastructure.Documents;

namespace ModelsHub.Infrastructure.Cosmos;

/// <summary>
/// Usage in two containers partitioned by model: <c>usageCalls</c> (each call, expiring after
/// <c>Usage:CallRetention</c> through Cosmos TTL) and <c>usageRollups</c> (one document per hour, and
/// one per day, per model, version, deployment and user). A rollup is incremented by read, add, and replace with
/// its ETag (create when new), retried when another instance wrote in between, so no count is lost.
/// </summary>
public sealed class CosmosUsageStore : IUsageStore
{
    private const int MaxAttempts = 20;

    private static readonly DocumentKind<RollupDocument> Rollups = new("Usage rollup", r => r.Id, r => new ConflictException($"Usage rollup '{r.Id}' exists."));
    private static readonly DocumentKind<CallDocument> Calls = new("Usage call", c => c.Id, c => new ConflictException($"Usage call '{c.Id}' exists."));

    private readonly CosmosDocumentContainer<CallDocument> _calls;
    private readonly CosmosDocumentContainer<RollupDocument> _rollups;
    private readonly UsageOptions _options;

    public CosmosUsageStore(CosmosDatabase database, IOptions<UsageOptions> options)
    {
        _calls = new(database, HubContainers.UsageCalls, Calls, CosmosDocumentShape<CallDocument>.Inline(), c => c.Id, c => c.Model);
        _rollups = new(database, HubContainers.UsageRollups, Rollups, CosmosDocumentShape<RollupDocument>.Inline(), r => r.Id, r => r.Model);
        _options = options.Value;
    }

    public async Task RecordAsync(IReadOnlyList<UsageRecord> calls, IReadOnlyList<UsageRollup> deltas, CancellationToken cancellationToken)
    {
        var ttl = (int)Math.Min(int.MaxValue, _options.CallRetention.TotalSeconds);
        foreach (var chunk in calls.Chunk(32))
        {
            await Task.WhenAll(chunk.Select(async call =>
            {
                try
                {
                    await _calls.CreateAsync(new CallDocument(call.Id, call.Model.ToLowerInvariant(), CosmosDocumentShape.Microseconds(call.At), !call.Success, ttl, call), cancellationToken);
                }
                catch (ConflictException)
                {
                    // Recorded already: a batch retried after it failed half way.
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
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                if (await _rollups.FindAsync(id, model, cancellationToken) is { } current)
                {
                    current.Counters.Add(delta.Counters);
                    await _rollups.ReplaceAsync(current, current.ETag!, cancellationToken);
                }
                else
                {
                    await _rollups.CreateAsync(RollupDocument.For(id, model, delta.Key, delta.Counters.Clone()), cancellationToken);
                }
                return;
            }
            catch (Exception ex) when (ex is PreconditionFailedException or ConflictException && attempt < MaxAttempts)
            {
                // Another writer created or changed the rollup first: read its counts again and add to them.
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, 5 * attempt)), cancellationToken);
            }
        }
    }

    public async Task<IReadOnlyList<UsageRollup>> QueryAsync(UsageRollupQuery query, CancellationToken cancellationToken)
    {
        var definition = _rollups.Select("WHERE c.span = @span AND c.start >= @from AND c.start < @to" + (query.User is null ? "" : " AND c.user = @user"))
            .WithParameter("@span", EnumNames<UsageGranularity>.NameOf(query.Span))
            .WithParameter("@from", query.From.ToUnixTimeSeconds()).WithParameter("@to", query.To.ToUnixTimeSeconds());
        if (query.User is not null)
        {
            definition = definition.WithParameter("@user", query.User);
        }
        var rows = await _rollups.QueryAsync(definition, query.Model?.ToLowerInvariant(), cancellationToken);
        return rows.Select(r => r.ToRollup()).ToList();
    }

    public async Task<IReadOnlyList<UsageRecord>> RecentCallsAsync(string model, int maxItems, bool failuresOnly, CancellationToken cancellationToken)
    {
        var rows = await _calls.QueryAsync(_calls.Select((failuresOnly ? "WHERE c.failed = true " : "") + "ORDER BY c.atUs DESC"),
            model.ToLowerInvariant(), cancellationToken, maxItems);
        return rows.Select(r => r.Call).ToList();
    }

    private sealed class CallDocument(string id, string model, long atUs, bool failed, int ttl, UsageRecord call) : IStoredDocument<CallDocument>
    {
        public string Id { get; } = id;
        public string Model { get; } = model;
        public long AtUs { get; } = atUs;
        public bool Failed { get; } = failed;
        public int Ttl { get; } = ttl;
        public UsageRecord Call { get; } = call;

        [System.Text.Json.Serialization.JsonIgnore]
        public string? ETag { get; set; }

        public CallDocument Clone() => new(Id, Model, AtUs, Failed, Ttl, Call) { ETag = ETag };
    }

    private sealed class RollupDocument(string id, string model, UsageGranularity span, long start, string modelName, string? version, string? deployment, string? user,
        UsageCounters counters) : IStoredDocument<RollupDocument>
    {
        public string Id { get; } = id;
        public string Model { get; } = model;
        public UsageGranularity Span { get; } = span;
        public long Start { get; } = start;
        public string ModelName { get; } = modelName;
        public string? Version { get; } = version;
        public string? Deployment { get; } = deployment;
        public string? User { get; } = user;
        public UsageCounters Counters { get; } = counters;

        [System.Text.Json.Serialization.JsonIgnore]
        public string? ETag { get; set; }

        public static RollupDocument For(string id, string model, UsageRollupKey key, UsageCounters counters) =>
            new(id, model, key.Span, key.Start.ToUnixTimeSeconds(), key.Model, key.Version, key.Deployment, key.User, counters);

        public RollupDocument Clone() => new(Id, Model, Span, Start, ModelName, Version, Deployment, User, Counters.Clone()) { ETag = ETag };

        public UsageRollup ToRollup() =>
            new(new UsageRollupKey(Span, DateTimeOffset.FromUnixTimeSeconds(Start), ModelName, Version, Deployment, User), Counters);
    }
}
