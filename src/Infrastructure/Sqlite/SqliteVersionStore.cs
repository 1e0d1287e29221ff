using Microsoft.Data.Sqlite;
using ModelsHub.Core.Assets;
using ModelsHub.Core.Common;
using ModelsHub.Core.Versions;
using ModelsHub.Infrastructure.Documents;

namespace ModelsHub.Infrastructure.Sqlite;

/// <summary>Versions of models and datasets in the <c>asset_versions</c> table, keyed by (<c>asset_key</c> = <see cref="AssetRef.Key"/>, label id).</summary>
public sealed class SqliteVersionStore(SqliteDatabase database) : IVersionStore
{
    private readonly SqliteDocumentTable<AssetVersion> _versions = new SqliteDocumentTable<AssetVersion>(database, "asset_versions", StoredDocuments.Versions)
        .Key("asset_key", v => v.AssetKey)
        .Key("id", v => v.Id)
        .Column("created_at", v => SqliteDatabase.SortKey(v.CreatedAt));

    public Task<AssetVersion?> FindAsync(AssetRef asset, string label, CancellationToken cancellationToken) =>
        // A label no version can have is simply not there (as in the Cosmos adapter, where "_head" is the count's document).
        VersionRules.IsValidLabel(label)
            ? _versions.FindAsync(cancellationToken, asset.Key, AssetVersion.IdFor(label))
            : Task.FromResult<AssetVersion?>(null);

    public async Task<IReadOnlyList<AssetVersion>> ListAsync(AssetRef asset, CancellationToken cancellationToken) =>
        await _versions.QueryAsync("WHERE asset_key = $asset ORDER BY created_at, id", p => p.AddWithValue("$asset", asset.Key), cancellationToken);

    public Task<AssetVersion> CreateAsync(AssetVersion version, CancellationToken cancellationToken) => _versions.CreateAsync(version, cancellationToken);

    public Task<AssetVersion> ReplaceAsync(AssetVersion version, string ifMatch, CancellationToken cancellationToken) =>
        _versions.ReplaceAsync(version, ifMatch, cancellationToken);

    public Task DeleteAsync(AssetRef asset, string label, string? ifMatch, CancellationToken cancellationToken) =>
        database.WriteAsync((c, tx) =>
        {
            var key = asset.Key;
            var id = AssetVersion.IdFor(label);
            if (Count(c, tx, key, id) == 0)
            {
                return false;
            }
            // Counting and deleting in one transaction: two deletes cannot both take the last two versions.
            if (Count(c, tx, key, null) == 1)
            {
                throw new ConflictException(VersionRules.LastVersionMessage(asset, label));
            }
            using var command = c.CreateCommand();
            command.Transaction = tx;
            command.CommandText = "DELETE FROM asset_versions WHERE asset_key = $asset AND id = $id AND ($if_match IS NULL OR etag = $if_match);";
            command.Parameters.AddWithValue("$asset", key);
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
            command.CommandText = "DELETE FROM asset_versions WHERE asset_key = $asset;";
            command.Parameters.AddWithValue("$asset", asset.Key);
            return command.ExecuteNonQuery();
        }, cancellationToken);

    public Task<IReadOnlyList<string>> ListAssetKeysAsync(CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlyList<string>>(c =>
        {
            using var command = c.CreateCommand();
            command.CommandText = "SELECT DISTINCT asset_key FROM asset_versions ORDER BY asset_key;";
            using var reader = command.ExecuteReader();
            var ids = new List<string>();
            while (reader.Read())
            {
                ids.Add(reader.GetString(0));
            }
            return ids;
        }, cancellationToken);

    public Task<long> GetStoredBytesAsync(string userId, CancellationToken cancellationToken) =>
        database.ReadAsync(c =>
        {
            using var command = c.CreateCommand();
            command.CommandText = """
                SELECT COALESCE(SUM(json_extract(f.value, '$.size')), 0) FROM asset_versions v, json_each(v.doc, '$.files') f
                WHERE COALESCE(json_extract(f.value, '$.uploadedBy'), json_extract(v.doc, '$.createdBy')) = $user;
                """;
            command.Parameters.AddWithValue("$user", userId);
            return (long)command.ExecuteScalar()!;
        }, cancellationToken);

    private static long Count(SqliteConnection connection, SqliteTransaction transaction, string assetKey, string? id)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT count(*) FROM asset_versions WHERE asset_key = $asset AND ($id IS NULL OR id = $id);";
        command.Parameters.AddWithValue("$asset", assetKey);
        command.Parameters.AddWithValue("$id", (object?)id ?? DBNull.Value);
        return (long)command.ExecuteScalar()!;
    }
}
