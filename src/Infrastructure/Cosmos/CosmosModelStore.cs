using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Azure.Cosmos;
using ModelsHub.Contracts.Models;
using ModelsHub.Contracts;
using ModelsHub.Core.Catalog;
using ModelsHub.Core.Common;

namespace ModelsHub.Infrastructure.Cosmos;

/// <summary>
/// Models in the <c>models</c> container, partitioned by id (the lowercase name): finds, creates,
/// replaces and deletes are point operations with ETag preconditions; listings and counts are
/// bounded cross-partition queries.
/// </summary>
public sealed class CosmosModelStore : IModelStore
{
    private static readonly ItemRequestOptions NoContentBack = new() { EnableContentResponseOnWrite = false };

    private readonly CosmosDatabase _database;
    private readonly Container _container;

    public CosmosModelStore(CosmosDatabase database)
    {
        _database = database;
        _container = database.Container(HubContainers.Models);
    }

    public async Task<HubModel?> FindAsync(string name, CancellationToken cancellationToken)
    {
        var id = HubModel.IdFor(name);
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
            throw CosmosOutcomes.Unexpected(response, "read model");
        }
        return ModelDocuments.Read(response.Content, response.Headers.ETag);
    }

    public async Task<HubModel> CreateAsync(HubModel model, CancellationToken cancellationToken)
    {
        if (!CosmosOutcomes.IsValidId(model.Id))
        {
            throw new ValidationException("name", "Cannot be stored as a document id.");
        }
        await _database.EnsureCreatedAsync(cancellationToken);
        using var content = ModelDocuments.Write(model);
        using var response = await _container.CreateItemStreamAsync(content, new PartitionKey(model.Id), NoContentBack, cancellationToken);
        if (response.StatusCode == HttpStatusCode.Conflict)
        {
            throw new ConflictException($"A model named '{model.Name}' already exists (names are unique ignoring case).", "name");
        }
        return Stored(model, response, "create model");
    }

    public async Task<HubModel> ReplaceAsync(HubModel model, string ifMatch, CancellationToken cancellationToken)
    {
        await _database.EnsureCreatedAsync(cancellationToken);
        if (!CosmosOutcomes.IsPlausibleETag(ifMatch))
        {
            throw await ExistsAsync(model.Id, cancellationToken) ? new PreconditionFailedException("Model", model.Name) : new NotFoundException("Model", model.Name);
        }
        using var content = ModelDocuments.Write(model);
        var options = new ItemRequestOptions { IfMatchEtag = CosmosOutcomes.ToCosmosETag(ifMatch), EnableContentResponseOnWrite = false };
        using var response = await _container.ReplaceItemStreamAsync(content, model.Id, new PartitionKey(model.Id), options, cancellationToken);
        return response.StatusCode switch
        {
            HttpStatusCode.NotFound => throw new NotFoundException("Model", model.Name),
            HttpStatusCode.PreconditionFailed => throw new PreconditionFailedException("Model", model.Name),
            _ => Stored(model, response, "replace model"),
        };
    }

    public async Task DeleteAsync(string name, string? ifMatch, CancellationToken cancellationToken)
    {
        var id = HubModel.IdFor(name);
        if (!CosmosOutcomes.IsValidId(id))
        {
            return;
        }
        await _database.EnsureCreatedAsync(cancellationToken);
        if (ifMatch is not null && !CosmosOutcomes.IsPlausibleETag(ifMatch))
        {
            if (await ExistsAsync(id, cancellationToken))
            {
                throw new PreconditionFailedException("Model", name);
            }
            return;
        }
        var options = new ItemRequestOptions { IfMatchEtag = ifMatch is null ? null : CosmosOutcomes.ToCosmosETag(ifMatch) };
        using var response = await _container.DeleteItemStreamAsync(id, new PartitionKey(id), options, cancellationToken);
        if (response.StatusCode == HttpStatusCode.PreconditionFailed)
        {
            throw new PreconditionFailedException("Model", name);
        }
        if (!response.IsSuccessStatusCode && response.StatusCode != HttpStatusCode.NotFound)
        {
            throw CosmosOutcomes.Unexpected(response, "delete model");
        }
    }

    public async Task<Page<ModelSummary>> QueryAsync(ModelQuery query, ModelVisibilityScope scope, CancellationToken cancellationToken)
    {
        var fingerprint = Fingerprint(query, scope);
        CosmosPaging.Decode(query.ContinuationToken, fingerprint);
        var sql = new SqlBuilder();
        if (!sql.AddScope(scope))
        {
            return new Page<ModelSummary>([], null);
        }
        AddFilters(sql, query);
        var direction = query.Descending ? "DESC" : "ASC";
        var order = query.Sort switch
        {
            ModelSort.Updated => $"c.updatedUs {direction}, c.id {direction}",
            ModelSort.Created => $"c.createdUs {direction}, c.id {direction}",
            _ => $"c.id {direction}",
        };
        await _database.EnsureCreatedAsync(cancellationToken);
        return await CosmosPaging.ReadPageAsync<ModelDocuments.SummaryRow, ModelSummary>(_container,
            sql.Build("SELECT c.summary, c._etag FROM c", $" ORDER BY {order}"), fingerprint, query.ContinuationToken, query.PageSize,
            row => row.ToSummary(), null, cancellationToken);
    }

    /// <summary>One COUNT per type, in parallel: the Cosmos stand-in has no GROUP BY, and eight index-only counts stay cheap.</summary>
    public async Task<ModelCounts> CountAsync(ModelVisibilityScope scope, CancellationToken cancellationToken)
    {
        var types = Enum.GetValues<ModelType>();
        var counts = new long[types.Length];
        await _database.EnsureCreatedAsync(cancellationToken);
        await Task.WhenAll(types.Select(async (type, i) =>
        {
            var sql = new SqlBuilder();
            if (sql.AddScope(scope))
            {
                sql.Add("c.type = @type", ("@type", EnumNames<ModelType>.NameOf(type)));
                counts[i] = await CosmosPaging.SumAsync(_container, sql.Build("SELECT VALUE COUNT(1) FROM c", ""), cancellationToken);
            }
        }));
        var byType = types.Select((t, i) => (t, (int)counts[i])).ToDictionary(p => p.t, p => p.Item2);
        return new ModelCounts(byType.Values.Sum(), byType);
    }

    private async Task<bool> ExistsAsync(string id, CancellationToken cancellationToken)
    {
        using var response = await _container.ReadItemStreamAsync(id, new PartitionKey(id), cancellationToken: cancellationToken);
        return response.StatusCode == HttpStatusCode.NotFound ? false
            : response.IsSuccessStatusCode ? true
            : throw CosmosOutcomes.Unexpected(response, "read model");
    }

    private static HubModel Stored(HubModel model, ResponseMessage response, string operation)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw CosmosOutcomes.Unexpected(response, operation);
        }
        var stored = model.Clone();
        stored.ETag = CosmosOutcomes.FromCosmosETag(response.Headers.ETag);
        return stored;
    }

    private static void AddFilters(SqlBuilder sql, ModelQuery query)
    {
        void Equal<T>(string property, T? value) where T : struct, Enum
        {
            if (value is { } v)
            {
                sql.Add($"c.{property} = @f_{property}", ($"@f_{property}", EnumNames<T>.NameOf(v)));
            }
        }
        Equal("type", query.Type);
        Equal("framework", query.Framework);
        Equal("visibility", query.Visibility);
        Equal("tier", query.Tier);
        Equal("source", query.Source);
        Equal("status", query.Status);
        if (query.Owner is not null)
        {
            sql.Add("c.owner = @f_owner", ("@f_owner", query.Owner));
        }
        if (query.Featured is { } featured)
        {
            sql.Add(featured ? "c.featured = true" : "c.featured = false");
        }
        if (!string.IsNullOrEmpty(query.Tag))
        {
            sql.Add("ARRAY_CONTAINS(c.tagKeys, @f_tag)", ("@f_tag", query.Tag.ToLowerInvariant()));
        }
        var i = 0;
        foreach (var word in query.Words.Select(w => w.ToLowerInvariant()).Distinct())
        {
            // Case-sensitive CONTAINS over lowercase text: the stand-in lacks CONTAINS(x, y, true).
            sql.Add($"CONTAINS(c.searchText, @w{i})", ($"@w{i}", word));
            i++;
        }
    }

    private static string Fingerprint(ModelQuery query, ModelVisibilityScope scope)
    {
        var text = JsonSerializer.Serialize(query with { ContinuationToken = null, PageSize = 0 }, HubJson.Options)
            + $"|{scope.All}|{scope.OwnerId}|{string.Join(",", scope.PublicTiers.Order())}|{string.Join(",", scope.UnlistedTiers.Order())}";
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)), 0, 8);
    }

    /// <summary>A WHERE clause of ANDed conditions with their parameters.</summary>
    private sealed class SqlBuilder
    {
        private readonly List<string> _conditions = [];
        private readonly List<(string Name, object Value)> _parameters = [];

        public void Add(string condition, params (string Name, object Value)[] parameters)
        {
            _conditions.Add(condition);
            _parameters.AddRange(parameters);
        }

        /// <summary>Adds what the scope lets the caller see; false when that is nothing.</summary>
        public bool AddScope(ModelVisibilityScope scope)
        {
            if (scope.All)
            {
                return true;
            }
            string? shared = null;
            if (scope.PublicTiers.Count > 0)
            {
                var tiers = scope.PublicTiers.Count == Enum.GetValues<ModelTier>().Length ? "" : $" AND c.tier IN ({TierList(scope.PublicTiers)})";
                var unlisted = scope.UnlistedTiers.Count == 0 ? "" : $"c.tier IN ({TierList(scope.UnlistedTiers)}) OR ";
                shared = $"c.visibility = 'public'{tiers} AND ({unlisted}(c.status = 'active' AND c.listedUntilMs > @scope_now))";
                _parameters.Add(("@scope_now", scope.Now.ToUnixTimeMilliseconds()));
            }
            if (scope.OwnerId is null)
            {
                if (shared is null)
                {
                    return false;
                }
                _conditions.Add($"({shared})");
                return true;
            }
            _parameters.Add(("@scope_owner", scope.OwnerId));
            _conditions.Add(shared is null ? "c.owner = @scope_owner" : $"(c.owner = @scope_owner OR ({shared}))");
            return true;
        }

        public QueryDefinition Build(string select, string suffix)
        {
            var definition = new QueryDefinition(select + (_conditions.Count > 0 ? " WHERE " + string.Join(" AND ", _conditions) : "") + suffix);
            foreach (var (name, value) in _parameters)
            {
                definition.WithParameter(name, value);
            }
            return definition;
        }

        private static string TierList(IEnumerable<ModelTier> tiers) =>
            string.Join(", ", tiers.Order().Select(t => $"'{EnumNames<ModelTier>.NameOf(t)}'"));
    }
}
