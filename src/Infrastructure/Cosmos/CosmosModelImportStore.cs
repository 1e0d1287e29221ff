using Microsoft.Azure.Cosmos;
using ModelsHub.Core.Common;
using ModelsHub.Core.Imports;
using ModelsHub.Infrastructure.Documents;

namespace ModelsHub.Infrastructure.Cosmos;

/// <summary>
/// Imports in the <c>imports</c> container, partitioned by id: created once, advanced and cancelled with
/// ETag-conditioned replaces, shown by id; "my imports" is a small cross-partition query on the
/// requester, newest first (<c>createdUs</c>).
/// </summary>
public sealed class CosmosModelImportStore(CosmosDatabase database) : IModelImportStore
{
    private readonly CosmosDocumentContainer<ModelImport> _imports = new(database, HubContainers.Imports, StoredDocuments.Imports,
        CosmosDocumentShape<ModelImport>.Inline((i, doc) => doc["createdUs"] = CosmosDocumentShape.Microseconds(i.CreatedAt)), i => i.Id);

    public Task<ModelImport> CreateAsync(ModelImport import, CancellationToken cancellationToken) => _imports.CreateAsync(import, cancellationToken);

    public Task<ModelImport?> FindAsync(string id, CancellationToken cancellationToken) => _imports.FindAsync(id, id, cancellationToken);

    public Task<ModelImport> ReplaceAsync(ModelImport import, string ifMatch, CancellationToken cancellationToken) =>
        _imports.ReplaceAsync(import, ifMatch, cancellationToken);

    public async Task<IReadOnlyList<ModelImport>> ListRecentAsync(string? createdBy, int maxItems, CancellationToken cancellationToken)
    {
        var query = createdBy is null
            ? _imports.Select("ORDER BY c.createdUs DESC")
            : _imports.Select("WHERE c.createdBy = @by ORDER BY c.createdUs DESC").WithParameter("@by", createdBy);
        return await _imports.QueryAsync(query, null, cancellationToken, Math.Min(maxItems, Paging.MaxPageSize));
    }
}
