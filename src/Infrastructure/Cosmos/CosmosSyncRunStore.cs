using Microsoft.Azure.Cosmos;
using ModelsHub.Core.Common;
using ModelsHub.Core.Upstream;
using ModelsHub.Infrastructure.Documents;

namespace ModelsHub.Infrastructure.Cosmos;

/// <summary>
/// Upstream sync runs in the <c>syncRuns</c> container, partitioned by id: a run is created once
/// (409 when another trigger started the same run), advanced with ETag-conditioned replaces and
/// shown by id; the recent runs are a small cross-partition query on <c>sequence</c>.
/// </summary>
public sealed class CosmosSyncRunStore(CosmosDatabase database) : ISyncRunStore
{
    private readonly CosmosDocumentContainer<SyncRun> _runs = new(database, HubContainers.SyncRuns, StoredDocuments.SyncRuns,
        CosmosDocumentShape<SyncRun>.Inline(), r => r.Id);

    public Task<SyncRun> CreateAsync(SyncRun run, CancellationToken cancellationToken) => _runs.CreateAsync(run, cancellationToken);

    public Task<SyncRun?> FindAsync(string id, CancellationToken cancellationToken) => _runs.FindAsync(id, id, cancellationToken);

    public Task<SyncRun> ReplaceAsync(SyncRun run, string ifMatch, CancellationToken cancellationToken) =>
        _runs.ReplaceAsync(run, ifMatch, cancellationToken);

    public async Task<IReadOnlyList<SyncRun>> ListRecentAsync(int maxItems, CancellationToken cancellationToken) =>
        await _runs.QueryAsync(_runs.Select("ORDER BY c.sequence DESC"), null, cancellationToken, Math.Min(maxItems, Paging.MaxPageSize));
}
