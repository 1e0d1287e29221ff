using ModelsHub.Core.AccessTokens;
using ModelsHub.Infrastructure.Documents;

namespace ModelsHub.Infrastructure.Sqlite;

/// <summary>Personal access tokens in the <c>access_tokens</c> table, keyed by the hash of their secret.</summary>
public sealed class SqliteAccessTokenStore(SqliteDatabase database) : IAccessTokenStore
{
    private readonly SqliteDocumentTable<AccessToken> _tokens = new SqliteDocumentTable<AccessToken>(database, "access_tokens", StoredDocuments.AccessTokens)
        .Key("hash", t => t.Hash)
        .Column("user_id", t => t.UserId)
        .Column("created_at", t => SqliteDatabase.SortKey(t.CreatedAt));

    public Task<AccessToken> CreateAsync(AccessToken token, CancellationToken cancellationToken) => _tokens.CreateAsync(token, cancellationToken);

    public Task<AccessToken?> FindByHashAsync(string hash, CancellationToken cancellationToken) => _tokens.FindAsync(cancellationToken, hash);

    public async Task<IReadOnlyList<AccessToken>> ListByUserAsync(string userId, CancellationToken cancellationToken) =>
        await _tokens.QueryAsync("WHERE user_id = $user ORDER BY created_at DESC, hash", p => p.AddWithValue("$user", userId), cancellationToken);

    public Task DeleteAsync(string hash, CancellationToken cancellationToken) => _tokens.DeleteAsync(hash, null, cancellationToken, hash);
}
