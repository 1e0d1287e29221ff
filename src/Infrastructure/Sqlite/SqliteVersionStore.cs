using System.Text.Json;
using Microsoft.Data.Sqlite;
using ModelsHub.Core.Assets;
using ModelsHub.Core.Common;
using ModelsHub.Core.Versions;

namespace ModelsHub.Infrastructure.Sqlite;

/// <summary>Versions of models and datasets in the <c>model_versions</c> table, keyed by (<see cref="AssetRef.Key"/>, label id): the <c>model_id</c> column holds the asset key, a model's id as before datasets existed.</summary>
public sealed class SqliteVersionStore(SqliteDatabase database) : IVersionStore
{
    public Task<AssetVersion?> FindAsync(AssetRef asset, string label, CancellationToken cancellationToken) =>
        // A label no version can have is simply not there (as in the Cosmos adapter, where "_head" is the count's document).
        !VersionRules.IsValidLabel(label) ? Task.FromResult<AssetVersion?>(null) : database.ReadAsync(c =>
        {
            using var command = c.CreateCommand();
            command.CommandText = "SELECT doc, etag FROM model_versions WHERE model_id = $model AND id = $id;";
            command.Parameters.AddWithValue("$model", asset.Key);
            command.Parameters.AddWithValue("$id", AssetVersion.IdFor(label));
            using var reader = command.ExecuteReader();
            return reader.Read() ? Read(reader) : null;
        }, cancellationToken);

    public Task<IReadOnlyList<AssetVersion>> ListAsync(AssetRef asset, CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlyList<AssetVersion>>(c =>
        {
            using var command = c.CreateCommand();
            command.CommandText = "SELECT doc, etag FROM model_versions WHERE model_id = $model ORDER BY created_at, id;";
            command.Parameters.AddWithValue("$model", asset.Key);
            using var reader = command.ExecuteReader();
            var versions = new List<AssetVersion>();
            while (reader.Read())
            {
                versions.Add(Read(reader));
            }
            return versions;
        }, cancellationToken);

    public Task<AssetVersion> CreateAsync(AssetVersion version, CancellationToken cancellationToken) =>
        database.WriteAsync((c, tx) =>
        {
            var stored = WithNewETag(version);
            using var command = c.CreateCommand();
            command.Transaction = tx;
            command.CommandText = "INSERT INTO model_versions (model_id, id, created_at, etag, doc) VALUES ($model, $id, $created_at, $etag, $doc);";
            Bind(command, stored);
            try
            {
                command.ExecuteNonQuery();
            }
            catch (SqliteException ex) when (SqliteDatabase.IsUniqueViolation(ex))
            {
                throw new ConflictException($"{version.Kind.Title()} '{version.Asset}' already has a version '{version.Label}' (labels are unique ignoring case).", "label");
            }
            return stored;
        }, cancellationToken);

    public Task<AssetVersion> ReplaceAsync(AssetVersion version, string ifMatch, CancellationToken cancellationToken) =>
        database.WriteAsync((c, tx) =>
        {
            var stored = WithNewETag(version);
            using var command = c.CreateCommand();
            command.Transaction = tx;
            command.CommandText = "UPDATE model_versions SET etag = $etag, doc = $doc WHERE model_id = $model AND id = $id AND etag = $if_match;";
            Bind(command, stored);
            command.Parameters.AddWithValue("$if_match", ifMatch);
            if (command.ExecuteNonQuery() == 0)
            {
                throw Count(c, tx, version.AssetKey, version.Id) > 0
                    ? new PreconditionFailedException("Version", $"{version.Asset}/{version.Label}")
                    : new NotFoundException("Version", $"{version.Asset}/{version.Label}");
            }
            return stored;
        }, cancellationToken);

    public Task DeleteAsync(AssetRef asset, string label, string? ifMatch, CancellationToken cancellationToken) =>
        database.WriteAsync((c, tx) =>
        {
            var model = asset.Key;
            var id = AssetVersion.IdFor(label);
            if (Count(c, tx, model, id) == 0)
            {
                return false;
            }
            // Counting and deleting in one transaction: two deletes cannot both take the last two versions.
            if (Count(c, tx, model, null) == 1)
            {
                throw new ConflictException(VersionRules.LastVersionMessage(asset, label));
            }
            using var command = c.CreateCommand();
            command.Transaction = tx;
            command.CommandText = "DELETE FROM model_versions WHERE model_id = $model AND id = $id AND ($if_match IS NULL OR etag = $if_match);";
            command.Parameters.AddWithValue("$model", model);
            command.Parameters.AddWithValue("$id", id);
            command.Parameters.AddWithValue("$if_match", (object?)ifMatch ?? DBNull.Value);
            if (command.ExecuteNonQuery() == 0)
            {
                throw new PreconditionFailedException("Version", $"{asset.Name}/{label}");
            }
            return true;
        }, cancellationToken);

    public Task DeleteAllAsync(AssetRef asset, CancellationToken cancellationToken) =>
        database.WriteAsync((c, tx) =>
        {
            using var command = c.CreateCommand();
            command.Transaction = tx;
            command.CommandText = "DELETE FROM model_versions WHERE model_id = $model;";
            command.Parameters.AddWithValue("$model", asset.Key);
            return command.ExecuteNonQuery();
        }, cancellationToken);

    public Task<IReadOnlyList<string>> ListAssetKeysAsync(CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlyList<string>>(c =>
        {
            using var command = c.CreateCommand();
            command.CommandText = "SELECT DISTINCT model_id FROM model_versions ORDER BY model_id;";
            using var reader = command.ExecuteReader();
            var ids = new List<string>();
            while (reader.Read())
            {
                ids.Add(reader.GetString(0));
            }
            return ids;
        }, cancellationToken);

    private static long Count(SqliteConnection connection, SqliteTransaction transaction, string modelId, string? id)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT count(*) FROM model_versions WHERE model_id = $model AND ($id IS NULL OR id = $id);";
        command.Parameters.AddWithValue("$model", modelId);
        command.Parameters.AddWithValue("$id", (object?)id ?? DBNull.Value);
        return (long)command.ExecuteScalar()!;
    }

    private static AssetVersion Read(SqliteDataReader reader)
    {
        var version = JsonSerializer.Deserialize<AssetVersion>(reader.GetString(0), HubJson.Options)!;
        version.ETag = reader.GetString(1);
        return version;
    }

    private static AssetVersion WithNewETag(AssetVersion version)
    {
        var stored = version.Clone();
        stored.ETag = Guid.NewGuid().ToString("N");
        return stored;
    }

    private static void Bind(SqliteCommand command, AssetVersion version)
    {
        command.Parameters.AddWithValue("$model", version.AssetKey);
        command.Parameters.AddWithValue("$id", version.Id);
        command.Parameters.AddWithValue("$created_at", SqliteDatabase.SortKey(version.CreatedAt));
        command.Parameters.AddWithValue("$etag", version.ETag);
        command.Parameters.AddWithValue("$doc", JsonSerializer.Serialize(version, HubJson.Options));
    }
}
