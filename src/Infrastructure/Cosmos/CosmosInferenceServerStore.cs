using ModelsHub.Core.Servers;
using ModelsHub.Infrastructure.Documents;

namespace ModelsHub.Infrastructure.Cosmos;

/// <summary>Inference servers in the <c>inferenceServers</c> container, partitioned by id (the lowercase name).</summary>
public sealed class CosmosInferenceServerStore(CosmosDatabase database) : IInferenceServerStore
{
    private readonly CosmosDocumentContainer<InferenceServer> _servers = new(database, HubContainers.InferenceServers, StoredDocuments.InferenceServers,
        CosmosDocumentShape<InferenceServer>.Inline(), s => s.Id, idField: "name");

    public Task<InferenceServer> CreateAsync(InferenceServer server, CancellationToken cancellationToken) => _servers.CreateAsync(server, cancellationToken);

    public Task<InferenceServer?> FindAsync(string name, CancellationToken cancellationToken)
    {
        var id = InferenceServer.IdFor(name);
        return _servers.FindAsync(id, id, cancellationToken);
    }

    public Task<InferenceServer> ReplaceAsync(InferenceServer server, string ifMatch, CancellationToken cancellationToken) =>
        _servers.ReplaceAsync(server, ifMatch, cancellationToken);

    public Task DeleteAsync(string name, string? ifMatch, CancellationToken cancellationToken)
    {
        var id = InferenceServer.IdFor(name);
        return _servers.DeleteAsync(id, id, name, ifMatch, cancellationToken);
    }

    public async Task<IReadOnlyList<InferenceServer>> ListAsync(CancellationToken cancellationToken) =>
        await _servers.QueryAsync(_servers.Select("ORDER BY c.id"), null, cancellationToken);
}
