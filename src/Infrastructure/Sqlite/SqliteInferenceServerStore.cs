using ModelsHub.Core.Servers;
using ModelsHub.Infrastructure.Documents;

namespace ModelsHub.Infrastructure.Sqlite;

/// <summary>Inference servers in the <c>inference_servers</c> table, keyed by the lowercase name.</summary>
public sealed class SqliteInferenceServerStore(SqliteDatabase database) : IInferenceServerStore
{
    private readonly SqliteDocumentTable<InferenceServer> _servers = new SqliteDocumentTable<InferenceServer>(database, "inference_servers", StoredDocuments.InferenceServers)
        .Key("id", s => s.Id);

    public Task<InferenceServer> CreateAsync(InferenceServer server, CancellationToken cancellationToken) => _servers.CreateAsync(server, cancellationToken);

    public Task<InferenceServer?> FindAsync(string name, CancellationToken cancellationToken) => _servers.FindAsync(cancellationToken, InferenceServer.IdFor(name));

    public Task<InferenceServer> ReplaceAsync(InferenceServer server, string ifMatch, CancellationToken cancellationToken) =>
        _servers.ReplaceAsync(server, ifMatch, cancellationToken);

    public Task DeleteAsync(string name, string? ifMatch, CancellationToken cancellationToken) =>
        _servers.DeleteAsync(name, ifMatch, cancellationToken, InferenceServer.IdFor(name));

    public async Task<IReadOnlyList<InferenceServer>> ListAsync(CancellationToken cancellationToken) =>
        await _servers.QueryAsync("ORDER BY id", null, cancellationToken);
}
