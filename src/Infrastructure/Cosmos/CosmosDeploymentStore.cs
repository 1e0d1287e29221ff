using Microsoft.Azure.Cosmos;
using ModelsHub.Contracts;
using ModelsHub.Contracts.Deployments;
using ModelsHub.Core.Common;
using ModelsHub.Core.Deployments;
using ModelsHub.Infrastructure.Documents;

namespace ModelsHub.Infrastructure.Cosmos;

/// <summary>
/// Deployments in the <c>deployments</c> container, partitioned by id: the workflow's reads and writes are
/// point operations; listings (newest first, by <c>createdUs</c>) and the queries by state fan out.
/// </summary>
public sealed class CosmosDeploymentStore(CosmosDatabase database) : IDeploymentStore
{
    private readonly CosmosDocumentContainer<Deployment> _deployments = new(database, HubContainers.Deployments, StoredDocuments.Deployments,
        CosmosDocumentShape<Deployment>.Text(d => new System.Text.Json.Nodes.JsonObject
        {
            ["id"] = d.Id,
            ["modelId"] = d.Model.ToLowerInvariant(),
            ["serverId"] = d.Server.ToLowerInvariant(),
            ["state"] = EnumNames<DeploymentState>.NameOf(d.State),
            ["createdUs"] = CosmosDocumentShape.Microseconds(d.CreatedAt),
        }), d => d.Id);

    public Task<Deployment> CreateAsync(Deployment deployment, CancellationToken cancellationToken) => _deployments.CreateAsync(deployment, cancellationToken);

    public Task<Deployment?> FindAsync(string id, CancellationToken cancellationToken)
    {
        var key = id.ToLowerInvariant();
        return _deployments.FindAsync(key, key, cancellationToken);
    }

    public Task<Deployment> ReplaceAsync(Deployment deployment, string ifMatch, CancellationToken cancellationToken) =>
        _deployments.ReplaceAsync(deployment, ifMatch, cancellationToken);

    public Task DeleteAsync(string id, string? ifMatch, CancellationToken cancellationToken)
    {
        var key = id.ToLowerInvariant();
        return _deployments.DeleteAsync(key, key, id, ifMatch, cancellationToken);
    }

    public Task<Page<Deployment>> QueryAsync(DeploymentQuery query, CancellationToken cancellationToken)
    {
        var where = new List<string>();
        if (query.Model is not null) where.Add("c.modelId = @model");
        if (query.Server is not null) where.Add("c.serverId = @server");
        if (query.State is not null) where.Add("c.state = @state");
        var definition = _deployments.Select($"{(where.Count == 0 ? "" : "WHERE " + string.Join(" AND ", where))} ORDER BY c.createdUs DESC, c.id DESC")
            .WithParameter("@model", query.Model?.ToLowerInvariant())
            .WithParameter("@server", query.Server?.ToLowerInvariant())
            .WithParameter("@state", query.State is { } s ? EnumNames<DeploymentState>.NameOf(s) : null);
        var fingerprint = $"deployments:{query.Model?.ToLowerInvariant()}:{query.Server?.ToLowerInvariant()}:{query.State}";
        return _deployments.QueryPageAsync(definition, fingerprint, query.ContinuationToken, query.PageSize, null, cancellationToken);
    }

    public async Task<IReadOnlyList<Deployment>> ListInStatesAsync(IReadOnlyCollection<DeploymentState> states, string? server, CancellationToken cancellationToken)
    {
        if (states.Count == 0) return [];
        var names = states.Select((s, i) => (Name: $"@s{i}", Value: EnumNames<DeploymentState>.NameOf(s))).ToList();
        var definition = _deployments.Select($"WHERE c.state IN ({string.Join(", ", names.Select(n => n.Name))}){(server is null ? "" : " AND c.serverId = @server")} ORDER BY c.createdUs, c.id")
            .WithParameter("@server", server?.ToLowerInvariant());
        foreach (var (name, value) in names) definition = definition.WithParameter(name, value);
        return await _deployments.QueryAsync(definition, null, cancellationToken);
    }
}
