using ModelsHub.Core.AccessTokens;
using ModelsHub.Infrastructure.Documents;

namespace ModelsHub.Infrastructure.Cosmos;

/// <summary>
/// Personal access tokens in the <c>accessTokens</c> container, keyed (and partitioned) by the hash
/// of the secret: validating a request's token is one point read. A user's list is a small
/// cross-partition query on <c>userId</c>.
/// </summary>
public sealed class CosmosAccessTokenStore(CosmosDatabase database) : IAccessTokenStore
{
    private readonly CosmosDocumentContainer<AccessToken> _tokens = new(database, HubContainers.AccessTokens, StoredDocuments.AccessTokens,
        CosmosDocumentShape<AccessToken>.Inline((t, doc) => doc["createdUs"] = CosmosDocumentShape.Microseconds(t.CreatedAt)), t => t.Hash);

    public Task<AccessToken> CreateAsync(AccessToken token, CancellationToken cancellationToken) => _tokens.CreateAsync(token, cancellationToken);

    public Task<AccessToken?> FindByHashAsync(string hash, CancellationToken cancellationToken) => _tokens.FindAsync(hash, hash, cancellationToken);

    public async Task<IReadOnlyList<AccessToken>> ListByUserAsync(string userId, CancellationToken cancellationToken)
    {
        var tokens = await _tokens.QueryAsync(_tokens.Select("WHERE c.userId = @user").WithParameter("@user", userId), null, cancellationToken);
        return tokens.OrderByDescending(t => t.CreatedAt).ThenBy(t => t.Hash, StringComparer.Ordinal).ToList();
    }

    public Task DeleteAsync(string hash, CancellationToken cancellationToken) => _tokens.DeleteAsync(hash, hash, hash, null, cancellationToken);
}
