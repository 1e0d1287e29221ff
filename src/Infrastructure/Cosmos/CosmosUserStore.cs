using ModelsHub.Core.Common;
using ModelsHub.Core.Identity;
using ModelsHub.Infrastructure.Documents;

namespace ModelsHub.Infrastructure.Cosmos;

/// <summary>User profiles in the <c>users</c> container, partitioned by id: the user center is point reads and writes.</summary>
public sealed class CosmosUserStore(CosmosDatabase database) : IUserStore
{
    private readonly CosmosDocumentContainer<HubUser> _users = new(database, HubContainers.Users, StoredDocuments.Users,
        CosmosDocumentShape<HubUser>.Inline(), u => u.Id);

    public Task<HubUser?> FindAsync(string id, CancellationToken cancellationToken) => _users.FindAsync(id, id, cancellationToken);

    public Task<HubUser> CreateAsync(HubUser user, CancellationToken cancellationToken) => _users.CreateAsync(user, cancellationToken);

    public Task<HubUser> ReplaceAsync(HubUser user, string ifMatch, CancellationToken cancellationToken) =>
        _users.ReplaceAsync(user, ifMatch, cancellationToken);

    public Task<Page<HubUser>> ListAsync(int pageSize, string? continuationToken, CancellationToken cancellationToken) =>
        _users.QueryPageAsync(_users.Select("ORDER BY c.id"), "users", continuationToken, pageSize, null, cancellationToken);
}
