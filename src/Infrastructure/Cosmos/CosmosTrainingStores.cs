using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Azure.Cosmos;
using ModelsHub.Contracts;
using ModelsHub.Contracts.Training;
using ModelsHub.Core.Catalog;
using ModelsHub.Core.Common;
using ModelsHub.Core.Training;
using ModelsHub.Infrastructure.Documents;

namespace ModelsHub.Infrastructure.Cosmos;

/// <summary>
/// Training jobs in the <c>trainingJobs</c> container, partitioned by id: every step, event batch and
/// API call on one job is a point read and an ETag-conditioned replace; listings are bounded
/// cross-partition queries ordered by <c>(createdUs, id)</c>.
/// </summary>
public sealed class CosmosTrainingJobStore(CosmosDatabase database) : ITrainingJobStore
{
    private readonly CosmosDocumentContainer<TrainingJob> _jobs = new(database, HubContainers.TrainingJobs, StoredDocuments.TrainingJobs,
        CosmosDocumentShape<TrainingJob>.Inline((j, d) =>
        {
            d["createdUs"] = CosmosDocumentShape.Microseconds(j.CreatedAt);
            d["modelId"] = HubModel.IdFor(j.Model);
        }), j => j.Id);

    public Task<TrainingJob> CreateAsync(TrainingJob job, CancellationToken cancellationToken) => _jobs.CreateAsync(job, cancellationToken);

    public Task<TrainingJob?> FindAsync(string id, CancellationToken cancellationToken) => _jobs.FindAsync(id, id, cancellationToken);

    public Task<TrainingJob> ReplaceAsync(TrainingJob job, string ifMatch, CancellationToken cancellationToken) => _jobs.ReplaceAsync(job, ifMatch, cancellationToken);

    public Task<Page<TrainingJob>> ListAsync(TrainingJobQuery query, int pageSize, string? continuationToken, CancellationToken cancellationToken)
    {
        var conditions = new List<string>();
        var parameters = new List<(string, object)>();
        void Equal(string field, string? value)
        {
            if (value is not null)
            {
                conditions.Add($"c.{field} = @{field}");
                parameters.Add(("@" + field, value));
            }
        }
        Equal("state", query.State is { } s ? EnumNames<TrainingJobState>.NameOf(s) : null);
        Equal("modelId", query.Model is { } m ? HubModel.IdFor(m) : null);
        Equal("createdBy", query.CreatedBy);
        Equal("compute", query.Compute);
        var definition = _jobs.Select($"{(conditions.Count > 0 ? "WHERE " + string.Join(" AND ", conditions) : "")} ORDER BY c.createdUs DESC, c.id DESC");
        foreach (var (name, value) in parameters)
        {
            definition = definition.WithParameter(name, value);
        }
        return _jobs.QueryPageAsync(definition, "tj" + QueryFingerprints.Of(query), continuationToken, pageSize, null, cancellationToken);
    }

    public async Task<IReadOnlyList<TrainingJob>> ListInStatesAsync(string compute, IReadOnlyCollection<TrainingJobState> states, int maxItems, CancellationToken cancellationToken) =>
        await _jobs.QueryAsync(_jobs.Select("WHERE c.compute = @compute AND ARRAY_CONTAINS(@states, c.state) ORDER BY c.createdUs, c.id")
            .WithParameter("@compute", compute).WithParameter("@states", states.Select(EnumNames<TrainingJobState>.NameOf).ToArray()), null, cancellationToken, maxItems);
}

/// <summary>
/// A job's events in the <c>trainingEvents</c> container, one partition per page of a thousand
/// sequence numbers (<c>{jobId}:{page}</c>): id = seq, so Cosmos refuses a second event with the
/// same number (409) and the store reads the one it holds. Reading after a seq walks the pages from
/// the one that seq is in, a single-partition query each, until a page is empty.
/// </summary>
public sealed class CosmosTrainingEventStore(CosmosDatabase database) : ITrainingEventStore
{
    private const int Parallelism = 16;
    private readonly Container _container = database.Container(HubContainers.TrainingEvents);

    public async Task<(IReadOnlyList<TrainingEvent> Stored, IReadOnlyList<TrainingEvent> Existing)> AppendAsync(string jobId, IReadOnlyList<TrainingEvent> events,
        CancellationToken cancellationToken)
    {
        await database.EnsureCreatedAsync(cancellationToken);
        var outcomes = new TrainingEvent?[events.Count];
        var existing = new TrainingEvent?[events.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, events.Count), new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken },
            async (i, token) =>
            {
                var e = events[i];
                using var content = Write(jobId, e);
                using var response = await _container.CreateItemStreamAsync(content, new PartitionKey(PageKey(jobId, e.Seq)),
                    new ItemRequestOptions { EnableContentResponseOnWrite = false }, token);
                if (response.IsSuccessStatusCode)
                {
                    outcomes[i] = e;
                    return;
                }
                if (response.StatusCode != HttpStatusCode.Conflict)
                {
                    throw CosmosOutcomes.Unexpected(response, "store a training event");
                }
                using var held = await _container.ReadItemStreamAsync(Id(e.Seq), new PartitionKey(PageKey(jobId, e.Seq)), cancellationToken: token);
                if (!held.IsSuccessStatusCode)
                {
                    throw CosmosOutcomes.Unexpected(held, "read a training event");
                }
                using var document = await JsonDocument.ParseAsync(held.Content, cancellationToken: token);
                existing[i] = Read(document.RootElement);
            });
        return (outcomes.OfType<TrainingEvent>().ToList(), existing.OfType<TrainingEvent>().ToList());
    }

    public async Task<IReadOnlyList<TrainingEvent>> ListAsync(string jobId, long afterSeq, int maxItems, IReadOnlyCollection<TrainerEventType>? types,
        CancellationToken cancellationToken)
    {
        await database.EnsureCreatedAsync(cancellationToken);
        var result = new List<TrainingEvent>();
        var typeNames = types?.Select(EnumNames<TrainerEventType>.NameOf).ToArray();
        for (var page = TrainingEvent.PageOf(afterSeq + 1); result.Count < maxItems; page++)
        {
            var query = new QueryDefinition(
                    $"SELECT * FROM c WHERE c.seq > @after{(typeNames is { Length: > 0 } ? " AND ARRAY_CONTAINS(@types, c.type)" : "")} ORDER BY c.seq")
                .WithParameter("@after", afterSeq);
            if (typeNames is { Length: > 0 })
            {
                query = query.WithParameter("@types", typeNames);
            }
            var rows = await CosmosPaging.ReadAllAsync<JsonElement>(_container, query, new PartitionKey($"{jobId}:{page}"), cancellationToken);
            if (rows.Count == 0 && !await PageHoldsAnyAsync(jobId, page, cancellationToken))
            {
                break;
            }
            result.AddRange(rows.Take(maxItems - result.Count).Select(Read));
        }
        return result;
    }

    public async Task<long> CountAsync(string jobId, long upToSeq, CancellationToken cancellationToken)
    {
        await database.EnsureCreatedAsync(cancellationToken);
        long total = 0;
        for (var page = 0L; page <= TrainingEvent.PageOf(upToSeq); page++)
        {
            total += await CosmosPaging.SumAsync(_container, new QueryDefinition("SELECT VALUE COUNT(1) FROM c WHERE c.page = @page AND c.seq <= @upTo")
                .WithParameter("@page", $"{jobId}:{page}").WithParameter("@upTo", upToSeq), cancellationToken);
        }
        return total;
    }

    /// <summary>Whether a page holds any event at all (a type filter may find none on a page that continues).</summary>
    private async Task<bool> PageHoldsAnyAsync(string jobId, long page, CancellationToken cancellationToken) =>
        await CosmosPaging.SumAsync(_container, new QueryDefinition("SELECT VALUE COUNT(1) FROM c WHERE c.page = @page").WithParameter("@page", $"{jobId}:{page}"),
            cancellationToken) > 0;

    private static string PageKey(string jobId, long seq) => $"{jobId}:{TrainingEvent.PageOf(seq)}";

    private static string Id(long seq) => seq.ToString(CultureInfo.InvariantCulture);

    private static MemoryStream Write(string jobId, TrainingEvent e)
    {
        var node = JsonSerializer.SerializeToNode(e, HubJson.Options)!.AsObject();
        node["id"] = Id(e.Seq);
        node["page"] = PageKey(jobId, e.Seq);
        node["seq"] = e.Seq;
        node["type"] = EnumNames<TrainerEventType>.NameOf(e.Type);
        return CosmosDocumentShape.ToStream(node);
    }

    private static TrainingEvent Read(JsonElement row) => row.Deserialize<TrainingEvent>(HubJson.Options)!;
}
