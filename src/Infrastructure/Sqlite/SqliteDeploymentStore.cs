using ModelsHub.Contracts;
using ModelsHub.Contracts.Deployments;
using ModelsHub.Core.Common;
using ModelsHub.Core.Deployments;
using ModelsHub.Infrastructure.Documents;

namespace ModelsHub.Infrastructure.Sqlite;

/// <summary>Deployments in the <c>deployments</c> table: listed newest first, found by state for the monitor and by server for its delete check.</summary>
public sealed class SqliteDeploymentStore(SqliteDatabase database) : IDeploymentStore
{
    private readonly SqliteDocumentTable<Deployment> _deployments = new SqliteDocumentTable<Deployment>(database, "deployments", StoredDocuments.Deployments)
        .Key("id", d => d.Id)
        .Column("model_id", d => d.Model.ToLowerInvariant())
        .Column("server_id", d => d.Server.ToLowerInvariant())
        .Column("state", d => EnumNames<DeploymentState>.NameOf(d.State))
        .Column("created_at", d => SqliteDatabase.SortKey(d.CreatedAt));

    public Task<Deployment> CreateAsync(Deployment deployment, CancellationToken cancellationToken) => _deployments.CreateAsync(deployment, cancellationToken);

    public Task<Deployment?> FindAsync(string id, CancellationToken cancellationToken) => _deployments.FindAsync(cancellationToken, id.ToLowerInvariant());

    public Task<Deployment> ReplaceAsync(Deployment deployment, string ifMatch, CancellationToken cancellationToken) =>
        _deployments.ReplaceAsync(deployment, ifMatch, cancellationToken);

    public Task DeleteAsync(string id, string? ifMatch, CancellationToken cancellationToken) =>
        _deployments.DeleteAsync(id, ifMatch, cancellationToken, id.ToLowerInvariant());

    public Task<Page<Deployment>> QueryAsync(DeploymentQuery query, CancellationToken cancellationToken)
    {
        var fingerprint = $"deployments:{query.Model?.ToLowerInvariant()}:{query.Server?.ToLowerInvariant()}:{query.State}";
        return _deployments.QueryPageAsync(new SqliteKeyset(fingerprint, "created_at", descending: true), query.ContinuationToken, query.PageSize,
            (command, where) =>
            {
                if (query.Model is { } model)
                {
                    where.Add("model_id = $model");
                    command.Parameters.AddWithValue("$model", model.ToLowerInvariant());
                }
                if (query.Server is { } server)
                {
                    where.Add("server_id = $server");
                    command.Parameters.AddWithValue("$server", server.ToLowerInvariant());
                }
                if (query.State is { } state)
                {
                    where.Add("state = $state");
                    command.Parameters.AddWithValue("$state", EnumNames<DeploymentState>.NameOf(state));
                }
            }, cancellationToken);
    }

    public async Task<IReadOnlyList<Deployment>> ListInStatesAsync(IReadOnlyCollection<DeploymentState> states, string? server, CancellationToken cancellationToken)
    {
        if (states.Count == 0) return [];
        var names = states.Select((s, i) => (Name: $"$s{i}", Value: EnumNames<DeploymentState>.NameOf(s))).ToList();
        return await _deployments.QueryAsync(
            $"WHERE state IN ({string.Join(", ", names.Select(n => n.Name))}){(server is null ? "" : " AND server_id = $server")} ORDER BY created_at, id",
            p =>
            {
                foreach (var (name, value) in names) p.AddWithValue(name, value);
                if (server is not null) p.AddWithValue("$server", server.ToLowerInvariant());
            }, cancellationToken);
    }
}
