using System.Text.Json;
using Microsoft.Data.Sqlite;
using ModelsHub.Core.Common;
using ModelsHub.Core.Imports;

namespace ModelsHub.Infrastructure.Sqlite;

/// <summary>Imports in the <c>model_imports</c> table, indexed by requester and age for "my imports".</summary>
public sealed class SqliteModelImportStore(SqliteDatabase database) : IModelImportStore
{
    public Task<ModelImport> CreateAsync(ModelImport import, CancellationToken cancellationToken) =>
        database.WriteAsync((c, tx) =>
        {
            var stored = WithNewETag(import);
            using var command = c.CreateCommand();
            command.Transaction = tx;
            command.CommandText = "INSERT INTO model_imports (id, created_by, created_at, etag, doc) VALUES ($id, $created_by, $created_at, $etag, $doc);";
            Bind(command, stored);
            try
            {
                command.ExecuteNonQuery();
            }
            catch (SqliteException ex) when (SqliteDatabase.IsUniqueViolation(ex))
            {
                throw new ConflictException($"Import '{import.Id}' already exists.");
            }
            return stored;
        }, cancellationToken);

    public Task<ModelImport?> FindAsync(string id, CancellationToken cancellationToken) =>
        database.ReadAsync(c =>
        {
            using var command = c.CreateCommand();
            command.CommandText = "SELECT doc, etag FROM model_imports WHERE id = $id;";
            command.Parameters.AddWithValue("$id", id);
            using var reader = command.ExecuteReader();
            return reader.Read() ? Read(reader) : null;
        }, cancellationToken);

    public Task<ModelImport> ReplaceAsync(ModelImport import, string ifMatch, CancellationToken cancellationToken) =>
        database.WriteAsync((c, tx) =>
        {
            var stored = WithNewETag(import);
            using var command = c.CreateCommand();
            command.Transaction = tx;
            command.CommandText = "UPDATE model_imports SET etag = $etag, doc = $doc WHERE id = $id AND etag = $if_match;";
            Bind(command, stored);
            command.Parameters.AddWithValue("$if_match", ifMatch);
            if (command.ExecuteNonQuery() == 0)
            {
                using var exists = c.CreateCommand();
                exists.Transaction = tx;
                exists.CommandText = "SELECT 1 FROM model_imports WHERE id = $id;";
                exists.Parameters.AddWithValue("$id", import.Id);
                throw exists.ExecuteScalar() is null ? new NotFoundException("Import", import.Id) : new PreconditionFailedException("Import", import.Id);
            }
            return stored;
        }, cancellationToken);

    public Task<IReadOnlyList<ModelImport>> ListRecentAsync(string? createdBy, int maxItems, CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlyList<ModelImport>>(c =>
        {
            using var command = c.CreateCommand();
            command.CommandText = createdBy is null
                ? "SELECT doc, etag FROM model_imports ORDER BY created_at DESC, id DESC LIMIT $max;"
                : "SELECT doc, etag FROM model_imports WHERE created_by = $created_by ORDER BY created_at DESC, id DESC LIMIT $max;";
            command.Parameters.AddWithValue("$max", maxItems);
            if (createdBy is not null) command.Parameters.AddWithValue("$created_by", createdBy);
            var imports = new List<ModelImport>();
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                imports.Add(Read(reader));
            }
            return imports;
        }, cancellationToken);

    private static ModelImport Read(SqliteDataReader reader)
    {
        var import = JsonSerializer.Deserialize<ModelImport>(reader.GetString(0), HubJson.Options)!;
        import.ETag = reader.GetString(1);
        return import;
    }

    private static ModelImport WithNewETag(ModelImport import)
    {
        var stored = import.Clone();
        stored.ETag = Guid.NewGuid().ToString("N");
        return stored;
    }

    private static void Bind(SqliteCommand command, ModelImport import)
    {
        var p = command.Parameters;
        p.AddWithValue("$id", import.Id);
        p.AddWithValue("$created_by", import.CreatedBy);
        p.AddWithValue("$created_at", import.CreatedAt.ToUnixTimeMilliseconds());
        p.AddWithValue("$etag", import.ETag);
        p.AddWithValue("$doc", JsonSerializer.Serialize(import, HubJson.Options));
    }
}
