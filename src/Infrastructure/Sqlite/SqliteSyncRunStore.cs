using ModelsHub.Contracts;
using ModelsHub.Contracts.Sync;
using ModelsHub.Core.Upstream;
using ModelsHub.Infrastructure.Documents;

namespace ModelsHub.Infrastructure.Sqlite;

/// <summary>Upstream sync runs in the <c>sync_runs</c> table, with the sequence indexed for "the latest runs".</summary>
public sealed class SqliteSyncRunStore(SqliteDatabase database) : ISyncRunStore
{
    private readonly SqliteDocumentTable<SyncRun> _runs = new SqliteDocumentTable<SyncRun>(database, "sync_runs", StoredDocuments.SyncRuns)
        .Key("id", r => r.Id)
        .Column("sequence", r => r.Sequence)
        .Column("status", r => EnumNames<SyncRunStatus>.NameOf(r.Status));

    public Task<SyncRun> CreateAsync(SyncRun run, CancellationToken cancellationToken) => _runs.CreateAsync(run, cancellationToken);

    public Task<SyncRun?> FindAsync(string id, CancellationToken cancellationToken) => _runs.FindAsync(cancellationToken, id);

    public Task<SyncRun> ReplaceAsync(SyncRun run, string ifMatch, CancellationToken cancellationToken) => _runs.ReplaceAsync(run, ifMatch, cancellationToken);

    public async Task<IReadOnlyList<SyncRun>> ListRecentAsync(int maxItems, CancellationToken cancellationToken) =>
        await _runs.QueryAsync("ORDER BY sequence DESC, id DESC LIMIT $max", p => p.AddWithValue("$max", maxItems), cancellationToken);
}
