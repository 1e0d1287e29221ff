using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Azure.Cosmos;
using ModelsHub.Contracts.Workflows;
using ModelsHub.Contracts;
using ModelsHub.Core.Common;
using ModelsHub.Core.Workflows;

namespace ModelsHub.Infrastructure.Cosmos;

/// <summary>
/// Workflow instances in the <c>workflows</c> container, partitioned by id: the runner's read and
/// ETag-conditioned write per step are point operations; the sweeper's due query and the counts
/// are bounded cross-partition queries.
/// </summary>
public sealed class CosmosWorkflowStore : IWorkflowStore
{
    private static readonly ItemRequestOptions NoContentBack = new() { EnableContentResponseOnWrite = false };

    private readonly CosmosDatabase _database;
    private readonly Container _container;

    public CosmosWorkflowStore(CosmosDatabase database)
    {
        _database = database;
        _container = database.Container(HubContainers.Workflows);
    }

    public async Task<WorkflowInstance> CreateAsync(WorkflowInstance instance, CancellationToken cancellationToken)
    {
        if (!CosmosOutcomes.IsValidId(instance.Id))
        {
            throw new ValidationException("id", "Cannot be stored as a document id.");
        }
        await _database.EnsureCreatedAsync(cancellationToken);
        using var content = Write(instance);
        using var response = await _container.CreateItemStreamAsync(content, new PartitionKey(instance.Id), NoContentBack, cancellationToken);
        if (response.StatusCode == HttpStatusCode.Conflict)
        {
            throw new ConflictException($"Workflow '{instance.Id}' already exists.");
        }
        return Stored(instance, response, "create workflow");
    }

    public async Task<WorkflowInstance?> FindAsync(string id, CancellationToken cancellationToken)
    {
        if (!CosmosOutcomes.IsValidId(id))
        {
            return null;
        }
        await _database.EnsureCreatedAsync(cancellationToken);
        using var response = await _container.ReadItemStreamAsync(id, new PartitionKey(id), cancellationToken: cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
        if (!response.IsSuccessStatusCode)
        {
            throw CosmosOutcomes.Unexpected(response, "read workflow");
        }
        var instance = (await JsonSerializer.DeserializeAsync<WorkflowInstance>(response.Content, HubJson.Options, cancellationToken))!;
        instance.ETag = CosmosOutcomes.FromCosmosETag(response.Headers.ETag);
        return instance;
    }

    public async Task<WorkflowInstance> ReplaceAsync(WorkflowInstance instance, string ifMatch, CancellationToken cancellationToken)
    {
        await _database.EnsureCreatedAsync(cancellationToken);
        if (!CosmosOutcomes.IsValidId(instance.Id) || !CosmosOutcomes.IsPlausibleETag(ifMatch))
        {
            throw await FindAsync(instance.Id, cancellationToken) is null ? new NotFoundException("Workflow", instance.Id) : new PreconditionFailedException("Workflow", instance.Id);
        }
        using var content = Write(instance);
        var options = new ItemRequestOptions { IfMatchEtag = CosmosOutcomes.ToCosmosETag(ifMatch), EnableContentResponseOnWrite = false };
        using var response = await _container.ReplaceItemStreamAsync(content, instance.Id, new PartitionKey(instance.Id), options, cancellationToken);
        return response.StatusCode switch
        {
            HttpStatusCode.NotFound => throw new NotFoundException("Workflow", instance.Id),
            HttpStatusCode.PreconditionFailed => throw new PreconditionFailedException("Workflow", instance.Id),
            _ => Stored(instance, response, "replace workflow"),
        };
    }

    public async Task<IReadOnlyList<string>> ListDueAsync(DateTimeOffset now, int maxItems, CancellationToken cancellationToken)
    {
        if (maxItems < 1)
        {
            return [];
        }
        await _database.EnsureCreatedAsync(cancellationToken);
        var query = new QueryDefinition("SELECT c.id FROM c WHERE c.status = 'running' AND c.nextAttemptMs <= @now ORDER BY c.nextAttemptMs, c.id")
            .WithParameter("@now", now.ToUnixTimeMilliseconds());
        var ids = new List<string>(maxItems);
        string? token = null;
        do
        {
            // The sweeper asks for a bounded batch; what is left is due again on its next run.
            var page = await CosmosPaging.ReadPageAsync<IdRow, string>(_container, query, "due", token, maxItems - ids.Count,
                row => row.Id, null, cancellationToken);
            ids.AddRange(page.Items);
            token = page.ContinuationToken;
        }
        while (token is not null && ids.Count < maxItems);
        return ids;
    }

    /// <summary>One COUNT per status: the Cosmos stand-in has no GROUP BY.</summary>
    public async Task<IReadOnlyDictionary<WorkflowStatus, int>> CountAsync(CancellationToken cancellationToken)
    {
        await _database.EnsureCreatedAsync(cancellationToken);
        var statuses = Enum.GetValues<WorkflowStatus>();
        var counts = await Task.WhenAll(statuses.Select(status => CosmosPaging.SumAsync(_container,
            new QueryDefinition("SELECT VALUE COUNT(1) FROM c WHERE c.status = @status").WithParameter("@status", EnumNames<WorkflowStatus>.NameOf(status)),
            cancellationToken)));
        return statuses.Select((s, i) => (s, (int)counts[i])).ToDictionary(p => p.s, p => p.Item2);
    }

    private sealed record IdRow(string Id);

    /// <summary>The instance in the hub's JSON plus the sweeper's sort key (a running instance without a due time is never due).</summary>
    private static MemoryStream Write(WorkflowInstance instance)
    {
        var document = JsonSerializer.SerializeToNode(instance, HubJson.Options)!.AsObject();
        document["nextAttemptMs"] = instance.NextAttemptAt?.ToUnixTimeMilliseconds() ?? ModelDocuments.NeverMs;
        return ToStream(document);
    }

    internal static MemoryStream ToStream(JsonObject document)
    {
        var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            document.WriteTo(writer, HubJson.Options);
        }
        stream.Position = 0;
        return stream;
    }

    private static WorkflowInstance Stored(WorkflowInstance instance, ResponseMessage response, string operation)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw CosmosOutcomes.Unexpected(response, operation);
        }
        var stored = instance.Clone();
        stored.ETag = CosmosOutcomes.FromCosmosETag(response.Headers.ETag);
        return stored;
    }
}
