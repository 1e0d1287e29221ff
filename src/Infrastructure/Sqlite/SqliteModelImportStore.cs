using ModelsHub.Core.Imports;
using ModelsHub.Infrastructure.Documents;

namespace ModelsHub.Infrastructure.Sqlite;

/// <summary>Imports in the <c>model_imports</c> table, indexed by requester and age for "my imports".</summary>
public sealed class SqliteModelImportStore(SqliteDatabase database) : IModelImportStore
{
    private readonly SqliteDocumentTable<ModelImport> _imports = new SqliteDocumentTable<ModelImport>(database, "model_imports", StoredDocuments.Imports)
        .Key("id", i => i.Id)
        .Column("created_by", i => i.CreatedBy)
        .Column("created_at", i => SqliteDatabase.SortKey(i.CreatedAt));

    public Task<ModelImport> CreateAsync(ModelImport import, CancellationToken cancellationToken) => _imports.CreateAsync(import, cancellationToken);

    public Task<ModelImport?> FindAsync(string id, CancellationToken cancellationToken) => _imports.FindAsync(cancellationToken, id);

    public Task<ModelImport> ReplaceAsync(ModelImport import, string ifMatch, CancellationToken cancellationToken) => _imports.ReplaceAsync(import, ifMatch, cancellationToken);

    public async Task<IReadOnlyList<ModelImport>> ListRecentAsync(string? createdBy, int maxItems, CancellationToken cancellationToken) =>
        await _imports.QueryAsync(createdBy is null ? "ORDER BY created_at DESC, id DESC LIMIT $max" : "WHERE created_by = $by ORDER BY created_at DESC, id DESC LIMIT $max",
            p =>
            {
                p.AddWithValue("$max", maxItems);
                if (createdBy is not null) p.AddWithValue("$by", createdBy);
            }, cancellationToken);
}
