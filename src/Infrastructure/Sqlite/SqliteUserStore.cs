using ModelsHub.Core.Common;
using ModelsHub.Core.Identity;
using ModelsHub.Infrastructure.Documents;

namespace ModelsHub.Infrastructure.Sqlite;

/// <summary>User profiles in the <c>users</c> table.</summary>
public sealed class SqliteUserStore(SqliteDatabase database) : IUserStore
{
    private static readonly SqliteKeyset ById = new("users");

    private readonly SqliteDocumentTable<HubUser> _users = new SqliteDocumentTable<HubUser>(database, "users", StoredDocuments.Users)
        .Key("id", u => u.Id);

    public Task<HubUser?> FindAsync(string id, CancellationToken cancellationToken) => _users.FindAsync(cancellationToken, id);

    public Task<HubUser> CreateAsync(HubUser user, CancellationToken cancellationToken) => _users.CreateAsync(user, cancellationToken);

    public Task<HubUser> ReplaceAsync(HubUser user, string ifMatch, CancellationToken cancellationToken) => _users.ReplaceAsync(user, ifMatch, cancellationToken);

    public Task<Page<HubUser>> ListAsync(int pageSize, string? continuationToken, CancellationToken cancellationToken) =>
        _users.QueryPageAsync(ById, continuationToken, pageSize, null, cancellationToken);
}
