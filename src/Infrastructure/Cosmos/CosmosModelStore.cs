using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Azure.Cosmos;
using ModelsHub.Contracts.Models;
using ModelsHub.Contracts;
using ModelsHub.Core.Catalog;
using ModelsHub.Core.Common;
using ModelsHub.Infrastructure.Documents;

namespace ModelsHub.Infrastructure.Cosmos;

/// <summary>
/// Models in the <c>models</c> container, partitioned by id (the lowercase name): finds, creates,
/// replaces and deletes are point operations with ETag preconditions; listings and counts are
/// bounded cross-partition queries.
/// </summary>
public sealed class CosmosModelStore(CosmosDatabase database) : IModelStore
{
    private readonly CosmosDocumentContainer<HubModel> _models = new(database, HubContainers.Models, StoredDocuments.Models,
        ModelDocuments.Shape, m => m.Id, idField: "name");

    public Task<HubModel?> FindAsync(string name, CancellationToken cancellationToken)
    {
        var id = HubModel.IdFor(name);
        return _models.FindAsync(id, id, cancellationToken);
    }

    public Task<HubModel> CreateAsync(HubModel model, CancellationToken cancellationToken) => _models.CreateAsync(model, cancellationToken);

    public Task<HubModel> ReplaceAsync(HubModel model, string ifMatch, CancellationToken cancellationToken) =>
        _models.ReplaceAsync(model, ifMatch, cancellationToken);

    public Task DeleteAsync(string name, string? ifMatch, CancellationToken cancellationToken)
    {
        var id = HubModel.IdFor(name);
        return _models.DeleteAsync(id, id, name, ifMatch, cancellationToken);
    }

    public async Task<Page<ModelSummary>> QueryAsync(ModelQuery query, ModelVisibilityScope scope, CancellationToken cancellationToken)
    {
        var fingerprint = QueryFingerprints.Of(query with { ContinuationToken = null, PageSize = 0 },
            $"|{scope.All}|{scope.OwnerId}|{string.Join(",", scope.PublicTiers.Order())}|{string.Join(",", scope.UnlistedTiers.Order())}");
        CosmosPaging.Decode(query.ContinuationToken, fingerprint);
        var sql = new CosmosQueryBuilder();
        if (!AddScope(sql, scope))
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
        await _models.EnsureCreatedAsync(cancellationToken);
        return await CosmosPaging.ReadPageAsync<ModelDocuments.SummaryRow, ModelSummary>(_models.Container,
            sql.Build("SELECT c.summary, c._etag FROM c", $" ORDER BY {order}"), fingerprint, query.ContinuationToken, query.PageSize,
            row => row.ToSummary(), null, cancellationToken);
    }

    /// <summary>One COUNT per type, in parallel: the Cosmos stand-in has no GROUP BY, and eight index-only counts stay cheap.</summary>
    public async Task<ModelCounts> CountAsync(ModelVisibilityScope scope, CancellationToken cancellationToken)
    {
        var types = Enum.GetValues<ModelType>();
        var counts = new long[types.Length];
        await Task.WhenAll(types.Select(async (type, i) =>
        {
            var sql = new CosmosQueryBuilder();
            if (AddScope(sql, scope))
            {
                sql.Add("c.type = @type", ("@type", EnumNames<ModelType>.NameOf(type)));
                counts[i] = await _models.CountAsync(sql.Build("SELECT VALUE COUNT(1) FROM c", ""), cancellationToken);
            }
        }));
        var byType = types.Select((t, i) => (t, (int)counts[i])).ToDictionary(p => p.t, p => p.Item2);
        return new ModelCounts(byType.Values.Sum(), byType);
    }

    private static void AddFilters(CosmosQueryBuilder sql, ModelQuery query)
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

    /// <summary>Adds what the scope lets the caller see; false when that is nothing.</summary>
    private static bool AddScope(CosmosQueryBuilder sql, ModelVisibilityScope scope)
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
            sql.AddParameter("@scope_now", scope.Now.ToUnixTimeMilliseconds());
        }
        if (scope.OwnerId is null)
        {
            if (shared is null)
            {
                return false;
            }
            sql.Add($"({shared})");
            return true;
        }
        sql.Add(shared is null ? "c.owner = @scope_owner" : $"(c.owner = @scope_owner OR ({shared}))", ("@scope_owner", scope.OwnerId));
        return true;
    }

    private static string TierList(IEnumerable<ModelTier> tiers) =>
        string.Join(", ", tiers.Order().Select(t => $"'{EnumNames<ModelTier>.NameOf(t)}'"));
}
