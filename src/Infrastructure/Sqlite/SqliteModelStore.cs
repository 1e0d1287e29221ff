using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using ModelsHub.Contracts.Models;
using ModelsHub.Contracts;
using ModelsHub.Core.Catalog;
using ModelsHub.Core.Common;

namespace ModelsHub.Infrastructure.Sqlite;

/// <summary>Models in the <c>models</c> table: JSON document plus filter/sort columns and a trigram search index.</summary>
public sealed class SqliteModelStore(SqliteDatabase database) : IModelStore
{
    private const string Columns = "id, type, visibility, tier, owner, status, framework, source, featured, expires_at, created_at, updated_at, tags, search, etag, summary, doc";

    public Task<HubModel?> FindAsync(string name, CancellationToken cancellationToken) =>
        database.ReadAsync(c => Find(c, null, HubModel.IdFor(name)), cancellationToken);

    public Task<HubModel> CreateAsync(HubModel model, CancellationToken cancellationToken) =>
        database.WriteAsync((c, tx) =>
        {
            var stored = WithNewETag(model);
            using var command = c.CreateCommand();
            command.Transaction = tx;
            command.CommandText = $"INSERT INTO models ({Columns}) VALUES ($id, $type, $visibility, $tier, $owner, $status, $framework, $source, $featured, $expires_at, $created_at, $updated_at, $tags, $search, $etag, $summary, $doc);";
            Bind(command, stored);
            try
            {
                command.ExecuteNonQuery();
            }
            catch (SqliteException ex) when (SqliteDatabase.IsUniqueViolation(ex))
            {
                throw new ConflictException($"A model named '{model.Name}' already exists (names are unique ignoring case).", "name");
            }
            return stored;
        }, cancellationToken);

    public Task<HubModel> ReplaceAsync(HubModel model, string ifMatch, CancellationToken cancellationToken) =>
        database.WriteAsync((c, tx) =>
        {
            var stored = WithNewETag(model);
            using var command = c.CreateCommand();
            command.Transaction = tx;
            command.CommandText = """
                UPDATE models SET type = $type, visibility = $visibility, tier = $tier, owner = $owner, status = $status,
                    framework = $framework, source = $source, featured = $featured, expires_at = $expires_at,
                    created_at = $created_at, updated_at = $updated_at, tags = $tags, search = $search, etag = $etag,
                    summary = $summary, doc = $doc
                WHERE id = $id AND etag = $if_match;
                """;
            Bind(command, stored);
            command.Parameters.AddWithValue("$if_match", ifMatch);
            if (command.ExecuteNonQuery() == 0)
            {
                throw Exists(c, tx, model.Id) ? new PreconditionFailedException("Model", model.Name) : new NotFoundException("Model", model.Name);
            }
            return stored;
        }, cancellationToken);

    public Task DeleteAsync(string name, string? ifMatch, CancellationToken cancellationToken) =>
        database.WriteAsync((c, tx) =>
        {
            var id = HubModel.IdFor(name);
            using var command = c.CreateCommand();
            command.Transaction = tx;
            command.CommandText = "DELETE FROM models WHERE id = $id AND ($if_match IS NULL OR etag = $if_match);";
            command.Parameters.AddWithValue("$id", id);
            command.Parameters.AddWithValue("$if_match", (object?)ifMatch ?? DBNull.Value);
            if (command.ExecuteNonQuery() == 0 && ifMatch is not null && Exists(c, tx, id))
            {
                throw new PreconditionFailedException("Model", name);
            }
            return true;
        }, cancellationToken);

    public Task<Page<ModelSummary>> QueryAsync(ModelQuery query, ModelVisibilityScope scope, CancellationToken cancellationToken) =>
        database.ReadAsync(c =>
        {
            using var command = c.CreateCommand();
            var where = new List<string>();
            AddScope(command, where, scope);
            AddFilters(command, where, query);

            var key = query.Sort switch
            {
                ModelSort.Updated => "updated_at",
                ModelSort.Created => "created_at",
                _ => null,
            };
            var fingerprint = Fingerprint(query);
            var after = ContinuationTokens.Decode(query.ContinuationToken, fingerprint);
            var op = query.Descending ? "<" : ">";
            if (after is not null)
            {
                command.Parameters.AddWithValue("$after_id", after.Id);
                if (key is null)
                {
                    where.Add($"id {op} $after_id");
                }
                else
                {
                    command.Parameters.AddWithValue("$after_key", after.N ?? 0);
                    where.Add($"({key} {op} $after_key OR ({key} = $after_key AND id {op} $after_id))");
                }
            }
            var direction = query.Descending ? "DESC" : "ASC";
            var order = key is null ? $"id {direction}" : $"{key} {direction}, id {direction}";
            command.CommandText = $"SELECT id, {key ?? "0"}, etag, summary FROM models {(where.Count > 0 ? "WHERE " + string.Join(" AND ", where) : "")} ORDER BY {order} LIMIT $limit;";
            command.Parameters.AddWithValue("$limit", query.PageSize + 1);

            var items = new List<ModelSummary>(query.PageSize);
            string? token = null;
            long lastKey = 0;
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                if (items.Count == query.PageSize)
                {
                    var last = items[^1];
                    token = ContinuationTokens.Encode(fingerprint, HubModel.IdFor(last.Name), key is null ? null : lastKey);
                    break;
                }
                lastKey = reader.GetInt64(1);
                var summary = JsonSerializer.Deserialize<ModelSummary>(reader.GetString(3), HubJson.Options)!;
                items.Add(summary with { ETag = reader.GetString(2) });
            }
            return new Page<ModelSummary>(items, token);
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

    private static HubModel? Find(SqliteConnection connection, SqliteTransaction? transaction, string id)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT doc, etag FROM models WHERE id = $id;";
        command.Parameters.AddWithValue("$id", id);
        using var reader = command.ExecuteReader();
        if (!reader.Read())
        {
            return null;
        }
        var model = JsonSerializer.Deserialize<HubModel>(reader.GetString(0), HubJson.Options)!;
        model.ETag = reader.GetString(1);
        return model;
    }

    private static bool Exists(SqliteConnection connection, SqliteTransaction transaction, string id)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT 1 FROM models WHERE id = $id;";
        command.Parameters.AddWithValue("$id", id);
        return command.ExecuteScalar() is not null;
    }

    private static HubModel WithNewETag(HubModel model)
    {
        var stored = model.Clone();
        stored.ETag = Guid.NewGuid().ToString("N");
        return stored;
    }

    private static void Bind(SqliteCommand command, HubModel model)
    {
        var p = command.Parameters;
        p.AddWithValue("$id", model.Id);
        p.AddWithValue("$type", EnumNames<ModelType>.NameOf(model.Type));
        p.AddWithValue("$visibility", EnumNames<ModelVisibility>.NameOf(model.Visibility));
        p.AddWithValue("$tier", EnumNames<ModelTier>.NameOf(model.Tier));
        p.AddWithValue("$owner", model.Owner);
        p.AddWithValue("$status", EnumNames<ModelStatus>.NameOf(model.Status));
        p.AddWithValue("$framework", EnumNames<ModelFramework>.NameOf(model.Framework));
        p.AddWithValue("$source", EnumNames<ModelSource>.NameOf(model.Source));
        p.AddWithValue("$featured", model.Featured ? 1 : 0);
        p.AddWithValue("$expires_at", (object?)model.ExpiresAt?.ToUnixTimeMilliseconds() ?? DBNull.Value);
        p.AddWithValue("$created_at", SqliteDatabase.SortKey(model.CreatedAt));
        p.AddWithValue("$updated_at", SqliteDatabase.SortKey(model.UpdatedAt));
        p.AddWithValue("$tags", TagColumn(model.Tags));
        p.AddWithValue("$search", SearchText(model));
        p.AddWithValue("$etag", model.ETag);
        p.AddWithValue("$summary", JsonSerializer.Serialize(model.ToSummary(), HubJson.Options));
        p.AddWithValue("$doc", JsonSerializer.Serialize(model, HubJson.Options));
    }

    /// <summary>Tags as <c>|a|b|</c> in lowercase so one tag matches with <c>instr</c>.</summary>
    private static string TagColumn(IEnumerable<string> tags) => "|" + string.Concat(tags.Select(t => t.ToLowerInvariant() + "|"));

    internal static string SearchText(HubModel model) =>
        string.Join(' ', [model.Name, model.Description, .. model.Tags, model.Type.SearchWords()]).ToLowerInvariant();

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

    private static string Fingerprint(ModelQuery query)
    {
        var text = JsonSerializer.Serialize(query with { ContinuationToken = null, PageSize = 0 }, HubJson.Options);
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)), 0, 8);
    }
}
