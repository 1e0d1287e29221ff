using System.Collections.ObjectModel;
using Microsoft.Azure.Cosmos;

namespace ModelsHub.Infrastructure.Cosmos;

/// <summary>
/// One container of the hub's database: its name, partition key path and what its queries need
/// indexed. docs/cosmos.md explains each choice; Bicep creates the same containers in Azure.
/// </summary>
public sealed record CosmosContainerSpec(string Name, string PartitionKeyPath)
{
    /// <summary>Paths no query filters or sorts on (large text): excluded to keep writes cheap.</summary>
    public IReadOnlyList<string> ExcludedPaths { get; init; } = [];

    /// <summary>ORDER BY on two properties needs a composite index: each entry is declared ascending and descending.</summary>
    public IReadOnlyList<IReadOnlyList<string>> CompositeIndexes { get; init; } = [];

    /// <summary>Paths unique within one partition key value (a unique key policy: fixed when the container is created).</summary>
    public IReadOnlyList<string> UniqueKeys { get; init; } = [];

    /// <summary>Cosmos TTL: null off; -1 on with each item's own <c>ttl</c> deciding.</summary>
    public int? DefaultTimeToLive { get; init; }

    internal ContainerProperties ToProperties()
    {
        var properties = new ContainerProperties(Name, PartitionKeyPath)
        {
            IndexingPolicy = new IndexingPolicy { Automatic = true, IndexingMode = IndexingMode.Consistent },
            DefaultTimeToLive = DefaultTimeToLive,
        };
        properties.IndexingPolicy.IncludedPaths.Add(new IncludedPath { Path = "/*" });
        foreach (var path in ExcludedPaths)
        {
            properties.IndexingPolicy.ExcludedPaths.Add(new ExcludedPath { Path = path });
        }
        foreach (var composite in CompositeIndexes)
        {
            // The service serves the reverse order from one index too; the stand-in matches exactly, so declare both.
            foreach (var order in new[] { CompositePathSortOrder.Ascending, CompositePathSortOrder.Descending })
            {
                properties.IndexingPolicy.CompositeIndexes.Add(new Collection<CompositePath>(
                    composite.Select(p => new CompositePath { Path = p, Order = order }).ToList()));
            }
        }
        foreach (var path in UniqueKeys)
        {
            var key = new UniqueKey();
            key.Paths.Add(path);
            properties.UniqueKeyPolicy.UniqueKeys.Add(key);
        }
        return properties;
    }
}

/// <summary>The containers the hub's document ports use. A new port adds its container here and registers it.</summary>
public static class HubContainers
{
    /// <summary>
    /// Models keyed by their own id (the lowercase name): every read and write by name is a point
    /// operation, and the partition key keeps names unique ignoring case. Listings fan out.
    /// </summary>
    public static CosmosContainerSpec Models { get; } = new("models", "/id")
    {
        ExcludedPaths = ["/readme/?", "/specText/?", "/summary/*", "/description/?"],
        CompositeIndexes = [["/createdUs", "/id"], ["/updatedUs", "/id"]],
    };

    /// <summary>Users keyed by their id (the token's object id): the user center is point reads.</summary>
    public static CosmosContainerSpec Users { get; } = new("users", "/id");

    /// <summary>
    /// Workflow instances keyed by id: the queue message carries it, so each step is a point read and
    /// an ETag-conditioned replace. The sweeper's due query fans out, ordered by (nextAttemptMs, id).
    /// </summary>
    public static CosmosContainerSpec Workflows { get; } = new("workflows", "/id")
    {
        CompositeIndexes = [["/nextAttemptMs", "/id"]],
    };

    /// <summary>
    /// Review submissions keyed by model: a model's revisions are listed together, and the unique key
    /// on /revision makes Cosmos itself refuse a second submission with the same number for a model.
    /// </summary>
    public static CosmosContainerSpec Submissions { get; } = new("submissions", "/modelId")
    {
        ExcludedPaths = ["/text/?"],
        CompositeIndexes = [["/submittedUs", "/id"]],
        UniqueKeys = ["/revision"],
    };

    /// <summary>
    /// Versions keyed by asset (<c>/modelId</c> holds the asset key: a model's id, <c>dataset:{id}</c>):
    /// an asset's versions (and its head document, which counts them so the last one is never deleted)
    /// are one partition; the id is the lowercase label, unique per asset.
    /// </summary>
    public static CosmosContainerSpec Versions { get; } = new("versions", "/modelId")
    {
        ExcludedPaths = ["/text/?"],
        CompositeIndexes = [["/createdUs", "/id"]],
    };

    /// <summary>
    /// Upload sessions keyed by asset, as versions are; the unique key on /activeKey holds one active
    /// session per file (the lowercase blob key while active, a per-session value once finished).
    /// </summary>
    public static CosmosContainerSpec Uploads { get; } = new("uploads", "/modelId")
    {
        ExcludedPaths = ["/text/?"],
        CompositeIndexes = [["/createdUs", "/id"], ["/dueMs", "/id"]],
        UniqueKeys = ["/activeKey"],
    };

    /// <summary>Upstream sync runs keyed by id: started, advanced and shown by id; the recent list sorts on /sequence.</summary>
    public static CosmosContainerSpec SyncRuns { get; } = new("syncRuns", "/id");

    /// <summary>Webhooks keyed by id: managed by id; the owner's listing and the active ones an event is matched against fan out.</summary>
    public static CosmosContainerSpec Webhooks { get; } = new("webhooks", "/id")
    {
        CompositeIndexes = [["/createdUs", "/id"]],
    };

    /// <summary>Deliveries keyed by webhook: a webhook's deliveries are one partition, listed newest first; the payload is not indexed.</summary>
    public static CosmosContainerSpec WebhookDeliveries { get; } = new("webhookDeliveries", "/webhookId")
    {
        ExcludedPaths = ["/text/?"],
        CompositeIndexes = [["/createdUs", "/id"]],
    };

    /// <summary>
    /// Datasets keyed by their own id (the lowercase name), as models are: reads and writes by name are
    /// point operations and names stay unique ignoring case; listings fan out, sorted by name, or by
    /// (createdUs, id) or (updatedUs, id).
    /// </summary>
    public static CosmosContainerSpec Datasets { get; } = new("datasets", "/id")
    {
        ExcludedPaths = ["/description/?"],
        CompositeIndexes = [["/createdUs", "/id"], ["/updatedUs", "/id"]],
    };

    /// <summary>Personal access tokens keyed by the hash of their secret: a request's token is one point read.</summary>
    public static CosmosContainerSpec AccessTokens { get; } = new("accessTokens", "/id");

    /// <summary>Recorded calls by model (the latest calls of a model sort on /atUs); each expires through its own <c>ttl</c>.</summary>
    public static CosmosContainerSpec UsageCalls { get; } = new("usageCalls", "/model")
    {
        ExcludedPaths = ["/call/*"],
        DefaultTimeToLive = -1,
    };

    /// <summary>Hourly usage rollups by model: a model's report is one partition; a user's and the hub's fan out.</summary>
    public static CosmosContainerSpec UsageRollups { get; } = new("usageRollups", "/model")
    {
        ExcludedPaths = ["/counters/*"],
    };

    /// <summary>Imports (Hugging Face) keyed by id: started, advanced, shown and cancelled by id; "my imports" sorts on /createdUs.</summary>
    public static CosmosContainerSpec Imports { get; } = new("imports", "/id");

    /// <summary>
    /// Training jobs keyed by id: the workflow's steps, the events URL and the API read and write one
    /// job by id (point operations); listings (newest first, by creator, model or state) fan out.
    /// </summary>
    public static CosmosContainerSpec TrainingJobs { get; } = new("trainingJobs", "/id")
    {
        ExcludedPaths = ["/lastLogLines/*", "/hyperparameters/*", "/protectedToken/?"],
        CompositeIndexes = [["/createdUs", "/id"]],
    };

    /// <summary>
    /// A job's events, partitioned by page: <c>{jobId}:{seq / 1000}</c>. A busy job's events spread over
    /// one bounded partition per thousand, so no partition grows without bound; the id is the seq,
    /// so Cosmos itself refuses a second event with the same number (409).
    /// </summary>
    public static CosmosContainerSpec TrainingEvents { get; } = new("trainingEvents", "/page")
    {
        ExcludedPaths = ["/line/*"],
    };

    /// <summary>Every container an adapter uses; infra/bicep/main.bicep must deploy each with the same key, indexes and unique keys.</summary>
    public static IReadOnlyList<CosmosContainerSpec> All { get; } = [Models, Users, Workflows, Submissions, Versions, Uploads, SyncRuns, AccessTokens, UsageCalls, UsageRollups, Webhooks, WebhookDeliveries, Datasets, Imports, TrainingJobs, TrainingEvents];
}
