using System.Net;
using System.Text.Json;
using Microsoft.Azure.Cosmos;
using ModelsHub.Core.Common;
using ModelsHub.Infrastructure.Documents;

namespace ModelsHub.Infrastructure.Cosmos;

/// <summary>
/// The mechanics every Cosmos store shares, for one kind of document in its container: point
/// reads, creates, ETag-conditioned replaces and deletes, with Cosmos' answers turned into Core's
/// outcomes (404 → <see cref="NotFoundException"/>, 409 → the kind's <see cref="ConflictException"/>,
/// 412 → <see cref="PreconditionFailedException"/>, ids Cosmos cannot hold → not there or a
/// <see cref="ValidationException"/>, 429/503 → <see cref="ServiceBusyException"/>), and queries read
/// as documents, pages (with the hub's continuation tokens) or counts. A store holds its queries.
/// </summary>
internal sealed class CosmosDocumentContainer<T> where T : class, IStoredDocument<T>
{
    private static readonly ItemRequestOptions NoContentBack = new() { EnableContentResponseOnWrite = false };

    private readonly CosmosDatabase _database;
    private readonly DocumentKind<T> _kind;
    private readonly CosmosDocumentShape<T> _shape;
    private readonly Func<T, string> _id;
    private readonly Func<T, string> _partition;
    private readonly string _idField;

    /// <param name="id">The document's id in the container.</param>
    /// <param name="partition">Its partition key value; the id when null (containers partitioned by <c>/id</c>).</param>
    /// <param name="idField">The request field an id Cosmos cannot hold is blamed on.</param>
    public CosmosDocumentContainer(CosmosDatabase database, CosmosContainerSpec spec, DocumentKind<T> kind, CosmosDocumentShape<T> shape,
        Func<T, string> id, Func<T, string>? partition = null, string idField = "id")
    {
        _database = database;
        Container = database.Container(spec);
        _kind = kind;
        _shape = shape;
        _id = id;
        _partition = partition ?? id;
        _idField = idField;
    }

    /// <summary>The SDK's container, for what only one store does (the version count's head document).</summary>
    public Container Container { get; }

    /// <summary>A query that reads whole documents: <c>SELECT {projection} FROM c {rest}</c>.</summary>
    public QueryDefinition Select(string rest) => new($"SELECT {_shape.Projection} FROM c {rest}");

    public Task EnsureCreatedAsync(CancellationToken cancellationToken) => _database.EnsureCreatedAsync(cancellationToken);

    /// <summary>The document, or null when there is none (or the id cannot be one).</summary>
    public async Task<T?> FindAsync(string id, string partition, CancellationToken cancellationToken)
    {
        if (!CosmosOutcomes.IsValidId(id) || !CosmosOutcomes.IsValidId(partition))
        {
            return null;
        }
        await _database.EnsureCreatedAsync(cancellationToken);
        using var response = await Container.ReadItemStreamAsync(id, new PartitionKey(partition), cancellationToken: cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
        if (!response.IsSuccessStatusCode)
        {
            throw CosmosOutcomes.Unexpected(response, "read " + Noun);
        }
        using var document = await JsonDocument.ParseAsync(response.Content, cancellationToken: cancellationToken);
        var found = _shape.Read(document.RootElement);
        found.ETag = CosmosOutcomes.FromCosmosETag(response.Headers.ETag) ?? found.ETag;
        return found;
    }

    /// <summary>Stores a new document; the kind's conflict when one with its id (or a unique field) exists.</summary>
    public async Task<T> CreateAsync(T document, CancellationToken cancellationToken)
    {
        var (id, partition) = (_id(document), _partition(document));
        if (!CosmosOutcomes.IsValidId(id) || !CosmosOutcomes.IsValidId(partition))
        {
            throw new ValidationException(_idField, "Cannot be stored as a document id.");
        }
        await _database.EnsureCreatedAsync(cancellationToken);
        using var content = _shape.Write(document);
        using var response = await Container.CreateItemStreamAsync(content, new PartitionKey(partition), NoContentBack, cancellationToken);
        return response.StatusCode == HttpStatusCode.Conflict ? throw _kind.Conflict(document) : Stored(document, response, "create ");
    }

    /// <summary>Replaces the document if it still has the ETag <paramref name="ifMatch"/>.</summary>
    public async Task<T> ReplaceAsync(T document, string ifMatch, CancellationToken cancellationToken)
    {
        var (id, partition, name) = (_id(document), _partition(document), _kind.NameOf(document));
        await _database.EnsureCreatedAsync(cancellationToken);
        if (!CosmosOutcomes.IsPlausibleETag(ifMatch))
        {
            // Garbage cannot match and must not reach a header: say what a real mismatch would.
            throw await ExistsAsync(id, partition, cancellationToken) ? _kind.Changed(name) : _kind.NotFound(name);
        }
        if (!CosmosOutcomes.IsValidId(id) || !CosmosOutcomes.IsValidId(partition))
        {
            throw _kind.NotFound(name);
        }
        using var content = _shape.Write(document);
        var options = new ItemRequestOptions { IfMatchEtag = CosmosOutcomes.ToCosmosETag(ifMatch), EnableContentResponseOnWrite = false };
        using var response = await Container.ReplaceItemStreamAsync(content, id, new PartitionKey(partition), options, cancellationToken);
        return response.StatusCode switch
        {
            HttpStatusCode.NotFound => throw _kind.NotFound(name),
            HttpStatusCode.PreconditionFailed => throw _kind.Changed(name),
            HttpStatusCode.Conflict => throw _kind.Conflict(document),
            _ => Stored(document, response, "replace "),
        };
    }

    /// <summary>
    /// Deletes the document (only if it has the ETag <paramref name="ifMatch"/>, when given); deleting
    /// what is not there succeeds. <paramref name="name"/> names it in a precondition failure.
    /// </summary>
    public async Task DeleteAsync(string id, string partition, string name, string? ifMatch, CancellationToken cancellationToken)
    {
        if (!CosmosOutcomes.IsValidId(id) || !CosmosOutcomes.IsValidId(partition))
        {
            return;
        }
        await _database.EnsureCreatedAsync(cancellationToken);
        if (ifMatch is not null && !CosmosOutcomes.IsPlausibleETag(ifMatch))
        {
            if (await ExistsAsync(id, partition, cancellationToken))
            {
                throw _kind.Changed(name);
            }
            return;
        }
        var options = new ItemRequestOptions { IfMatchEtag = ifMatch is null ? null : CosmosOutcomes.ToCosmosETag(ifMatch) };
        using var response = await Container.DeleteItemStreamAsync(id, new PartitionKey(partition), options, cancellationToken);
        if (response.StatusCode == HttpStatusCode.PreconditionFailed)
        {
            throw _kind.Changed(name);
        }
        if (!response.IsSuccessStatusCode && response.StatusCode != HttpStatusCode.NotFound)
        {
            throw CosmosOutcomes.Unexpected(response, "delete " + Noun);
        }
    }

    /// <summary>The document a query that matches at most one finds (a cross-partition lookup by id), or null.</summary>
    public async Task<T?> FindOneAsync(QueryDefinition query, CancellationToken cancellationToken)
    {
        await _database.EnsureCreatedAsync(cancellationToken);
        return await CosmosPaging.FindOneAsync<JsonElement, T>(Container, query, _shape.Read, cancellationToken);
    }

    /// <summary>One page of documents; <paramref name="fingerprint"/> names the listing its continuation token belongs to.</summary>
    public async Task<Page<T>> QueryPageAsync(QueryDefinition query, string fingerprint, string? continuationToken, int pageSize,
        string? partition, CancellationToken cancellationToken)
    {
        await _database.EnsureCreatedAsync(cancellationToken);
        return await CosmosPaging.ReadPageAsync<JsonElement, T>(Container, query, fingerprint, continuationToken, pageSize, _shape.Read,
            partition is null ? null : new PartitionKey(partition), cancellationToken);
    }

    /// <summary>Every document a query finds (at most <paramref name="maxItems"/>, when given), in its order.</summary>
    public Task<List<T>> QueryAsync(QueryDefinition query, string? partition, CancellationToken cancellationToken, int? maxItems = null) =>
        QueryRowsAsync<JsonElement, T>(query, _shape.Read, partition, cancellationToken, maxItems);

    /// <summary>Every row of a query of other shape (ids, projections), mapped; at most <paramref name="maxItems"/> when given.</summary>
    public async Task<List<TValue>> QueryRowsAsync<TRow, TValue>(QueryDefinition query, Func<TRow, TValue> map, string? partition,
        CancellationToken cancellationToken, int? maxItems = null)
    {
        var rows = new List<TValue>();
        if (maxItems < 1)
        {
            return rows;
        }
        await _database.EnsureCreatedAsync(cancellationToken);
        string? token = null;
        do
        {
            // Bounded pages, however many round trips it takes; a bounded batch stops when it is full.
            var size = Math.Min(Paging.MaxPageSize, (maxItems ?? int.MaxValue) - rows.Count);
            var page = await CosmosPaging.ReadPageAsync(Container, query, "all", token, size, map,
                partition is null ? null : new PartitionKey(partition), cancellationToken);
            rows.AddRange(page.Items);
            token = page.ContinuationToken;
        }
        while (token is not null && rows.Count < (maxItems ?? int.MaxValue));
        return rows;
    }

    /// <summary>The total of a <c>SELECT VALUE COUNT(1)</c> query.</summary>
    public async Task<long> CountAsync(QueryDefinition query, CancellationToken cancellationToken)
    {
        await _database.EnsureCreatedAsync(cancellationToken);
        return await CosmosPaging.SumAsync(Container, query, cancellationToken);
    }

    private string Noun => _kind.Noun.ToLowerInvariant();

    private async Task<bool> ExistsAsync(string id, string partition, CancellationToken cancellationToken)
    {
        if (!CosmosOutcomes.IsValidId(id) || !CosmosOutcomes.IsValidId(partition))
        {
            return false;
        }
        using var response = await Container.ReadItemStreamAsync(id, new PartitionKey(partition), cancellationToken: cancellationToken);
        return response.StatusCode == HttpStatusCode.NotFound ? false
            : response.IsSuccessStatusCode ? true
            : throw CosmosOutcomes.Unexpected(response, "read " + Noun);
    }

    private T Stored(T document, ResponseMessage response, string operation) =>
        response.IsSuccessStatusCode
            ? DocumentKind<T>.WithETag(document, CosmosOutcomes.FromCosmosETag(response.Headers.ETag))
            : throw CosmosOutcomes.Unexpected(response, operation + Noun);
}
