using Microsoft.Data.Sqlite;
using ModelsHub.Core.Catalog;
using ModelsHub.Core.Common;
using ModelsHub.Core.Versions;
using ModelsHub.Infrastructure.Documents;

namespace ModelsHub.Infrastructure.Sqlite;

/// <summary>Versions in the <c>model_versions</c> table, keyed by (model id, label id).</summary>
public sealed class SqliteVersionStore(SqliteDatabase database) : IVersionStore
{
    private readonly SqliteDocumentTable<ModelVersion> _versions = new SqliteDocumentTable<ModelVersion>(database, "model_versions", StoredDocuments.Versions)
        .Key("model_id", v => v.ModelId)
        .Key("id", v => v.Id)
        .Column("created_at", v => SqliteDatabase.SortKey(v.CreatedAt));

    public Task<ModelVersion?> FindAsync(string modelName, string label, CancellationToken cancellationToken) =>
        // A label no version can have is simply not there (as in the Cosmos adapter, where "_head" is the count's document).
        VersionRules.IsValidLabel(label)
            ? _versions.FindAsync(cancellationToken, HubModel.IdFor(modelName), ModelVersion.IdFor(label))
            : Task.FromResult<ModelVersion?>(null);

    public async Task<IReadOnlyList<ModelVersion>> ListAsync(string modelName, CancellationToken cancellationToken) =>
        await _versions.QueryAsync("WHERE model_id = $model ORDER BY created_at, id", p => p.AddWithValue("$model", HubModel.IdFor(modelName)), cancellationToken);

    public Task<ModelVersion> CreateAsync(ModelVersion version, CancellationToken cancellationToken) => _versions.CreateAsync(version, cancellationToken);

    public Task<ModelVersion> ReplaceAsync(ModelVersion version, string ifMatch, CancellationToken cancellationToken) =>
        _versions.ReplaceAsync(version, ifMatch, cancellationToken);

    public Task DeleteAsync(string modelName, string label, string? ifMatch, CancellationToken cancellationToken) =>
        database.WriteAsync((c, tx) =>
        {
            var model = HubModel.IdFor(modelName);
            var id = ModelVersion.IdFor(label);
            if (Count(c, tx, model, id) == 0)
            {
                return false;
            }
            // Counting and deleting in one transaction: two deletes cannot both take the last two versions.
            if (Count(c, tx, model, null) == 1)
            {
                throw new ConflictException(VersionRules.LastVersionMessage(modelName, label));
            }
            using var command = c.CreateCommand();
            command.Transaction = tx;
            command.CommandText = "DELETE FROM model_versions WHERE model_id = $model AND id = $id AND ($if_match IS NULL OR etag = $if_match);";
            command.Parameters.AddWithValue("$model", model);
            command.Parameters.AddWithValue("$id", id);
            command.Parameters.AddWithValue("$if_match", (object?)ifMatch ?? DBNull.Value);
            if (command.ExecuteNonQuery() == 0)
            {
                throw new PreconditionFailedException("Version", $"{modelName}/{label}");
            }
            return true;
        }, cancellationToken);

    public Task DeleteAllAsync(string modelName, CancellationToken cancellationToken) =>
        database.WriteAsync((c, tx) =>
        {
            using var command = c.CreateCommand();
            command.Transaction = tx;
            command.CommandText = "DELETE FROM model_versions WHERE model_id = $model;";
            command.Parameters.AddWithValue("$model", HubModel.IdFor(modelName));
            return command.ExecuteNonQuery();
        }, cancellationToken);

    public Task<IReadOnlyList<string>> ListModelIdsAsync(CancellationToken cancellationToken) =>
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
}
