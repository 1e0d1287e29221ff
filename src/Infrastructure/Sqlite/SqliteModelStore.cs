using System.Text.Json;
using Microsoft.Data.Sqlite;
using ModelsHub.Contracts.Models;
using ModelsHub.Contracts;
using ModelsHub.Core.Catalog;
using ModelsHub.Core.Common;
using ModelsHub.Infrastructure.Documents;

namespace ModelsHub.Infrastructure.Sqlite;

/// <summary>Models in the <c>models</c> table: JSON document plus filter/sort columns and a trigram search index.</summary>
public sealed class SqliteModelStore(SqliteDatabase database) : IModelStore
{
    private readonly SqliteDocumentTable<HubModel> _models = new SqliteDocumentTable<HubModel>(database, "models", StoredDocuments.Models)
        .Key("id", m => m.Id)
        .Column("type", m => EnumNames<ModelType>.NameOf(m.Type))
        .Column("visibility", m => EnumNames<ModelVisibility>.NameOf(m.Visibility))
        .Column("tier", m => EnumNames<ModelTier>.NameOf(m.Tier))
        .Column("owner", m => m.Owner)
        .Column("status", m => EnumNames<ModelStatus>.NameOf(m.Status))
        .Column("framework", m => EnumNames<ModelFramework>.NameOf(m.Framework))
        .Column("source", m => EnumNames<ModelSource>.NameOf(m.Source))
        .Column("featured", m => m.Featured ? 1 : 0)
        .Column("expires_at", m => m.ExpiresAt?.ToUnixTimeMilliseconds())
        .Column("created_at", m => SqliteDatabase.SortKey(m.CreatedAt))
        .Column("updated_at", m => SqliteDatabase.SortKey(m.UpdatedAt))
        .Column("tags", m => TagColumn(m.Tags))
        .Column("search", m => m.SearchText())
        // A listing reads the stored summary, never the whole document.
        .Column("summary", m => JsonSerializer.Serialize(m.ToSummary(), HubJson.Options));

    public Task<HubModel?> FindAsync(string name, CancellationToken cancellationToken) => _models.FindAsync(cancellationToken, HubModel.IdFor(name));

    public Task<HubModel> CreateAsync(HubModel model, CancellationToken cancellationToken) => _models.CreateAsync(model, cancellationToken);

    public Task<HubModel> ReplaceAsync(HubModel model, string ifMatch, CancellationToken cancellationToken) => _models.ReplaceAsync(model, ifMatch, cancellationToken);

    public Task DeleteAsync(string name, string? ifMatch, CancellationToken cancellationToken) =>
        _models.DeleteAsync(name, ifMatch, cancellationToken, HubModel.IdFor(name));

    public Task<Page<ModelSummary>> QueryAsync(ModelQuery query, ModelVisibilityScope scope, CancellationToken cancellationToken) =>
        database.ReadAsync(c =>
        {
            using var command = c.CreateCommand();
            var where = new List<string>();
            AddScope(command, where, scope);
            AddFilters(command, where, query);

            var keyset = new SqliteKeyset(QueryFingerprints.Of(query with { ContinuationToken = null, PageSize = 0 }), query.Sort switch
            {
                ModelSort.Updated => "updated_at",
                ModelSort.Created => "created_at",
                _ => null,
            }, query.Descending);
            keyset.After(command, where, query.ContinuationToken);
            command.CommandText = $"SELECT summary, etag, id, {keyset.SortKeyColumn} FROM models {SqliteKeyset.Where(where)} ORDER BY {keyset.OrderBy} LIMIT $limit;";
            command.Parameters.AddWithValue("$limit", query.PageSize + 1);
            return keyset.ReadPage(command, query.PageSize,
                reader => JsonSerializer.Deserialize<ModelSummary>(reader.GetString(0), HubJson.Options)! with { ETag = reader.GetString(1) });
        }, cancellationToken);

    public Task<ModelCounts> CountAsync(ModelVisibilityScope scope, CancellationToken cancellationToken) =>
        database.ReadAsync(c =>
        {
            using var command = c.CreateCommand();
            var where = new List<string>();
            AddScope(command, where, scope);
            command.CommandText = $"SELECT type, count(*) FROM models {(where.Count > 0 ? "WHERE " + string.Join(" AND ", where) : "")} GROUP BY type;";
            var byType = Enum.GetValues<ModelType>().ToDictionary(t => t, _ => 0);
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                if (EnumNames<ModelType>.TryParse(reader.GetString(0), out var type))
                {
                    byType[type] = reader.GetInt32(1);
                }
            }
            return new ModelCounts(byType.Values.Sum(), byType);
        }, cancellationToken);

    /// <summary>Tags as <c>|a|b|</c> in lowercase so one tag matches with <c>instr</c>.</summary>
    private static string TagColumn(IEnumerable<string> tags) => "|" + string.Concat(tags.Select(t => t.ToLowerInvariant() + "|"));

    private static void AddScope(SqliteCommand command, List<string> where, ModelVisibilityScope scope)
    {
        if (scope.All)
        {
            return;
        }
        command.Parameters.AddWithValue("$scope_now", scope.Now.ToUnixTimeMilliseconds());
        var tiers = scope.PublicTiers.Count == Enum.GetValues<ModelTier>().Length ? "" : $" AND tier IN ({TierList(scope.PublicTiers)})";
        var listed = scope.UnlistedTiers.Count == 0 ? "" : $"tier IN ({TierList(scope.UnlistedTiers)}) OR ";
        var shared = $"visibility = 'public'{tiers} AND ({listed}(status = 'active' AND (expires_at IS NULL OR expires_at > $scope_now)))";
        if (scope.OwnerId is null)
        {
            // Without an owner branch the condition stays index-friendly.
            where.Add($"({shared})");
            return;
        }
        command.Parameters.AddWithValue("$scope_owner", scope.OwnerId);
        where.Add($"(owner = $scope_owner OR ({shared}))");
    }

    private static string TierList(IEnumerable<ModelTier> tiers) =>
        string.Join(", ", tiers.Select(t => $"'{EnumNames<ModelTier>.NameOf(t)}'"));

    private static void AddFilters(SqliteCommand command, List<string> where, ModelQuery query)
    {
        void Equal<T>(string column, T? value) where T : struct, Enum
        {
            if (value is { } v)
            {
                command.Parameters.AddWithValue("$f_" + column, EnumNames<T>.NameOf(v));
                where.Add($"{column} = $f_{column}");
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
            command.Parameters.AddWithValue("$f_owner", query.Owner);
            where.Add("owner = $f_owner");
        }
        if (query.Featured is { } featured)
        {
            where.Add(featured ? "featured = 1" : "featured = 0");
        }
        if (!string.IsNullOrEmpty(query.Tag))
        {
            command.Parameters.AddWithValue("$f_tag", "|" + query.Tag.ToLowerInvariant() + "|");
            where.Add("instr(tags, $f_tag) > 0");
        }
        var longWords = new List<string>();
        var i = 0;
        foreach (var word in query.Words.Select(w => w.ToLowerInvariant()))
        {
            // The trigram index answers substrings of three characters or more; shorter ones scan.
            if (word.Length >= 3)
            {
                longWords.Add("\"" + word.Replace("\"", "\"\"") + "\"");
            }
            else
            {
                command.Parameters.AddWithValue($"$w{i}", word);
                where.Add($"instr(search, $w{i++}) > 0");
            }
        }
        if (longWords.Count > 0)
        {
            command.Parameters.AddWithValue("$match", string.Join(" AND ", longWords));
            where.Add("rowid IN (SELECT rowid FROM models_search WHERE models_search MATCH $match)");
        }
    }
}
