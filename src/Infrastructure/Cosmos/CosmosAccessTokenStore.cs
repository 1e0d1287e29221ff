using System.Net;
using System.Text.Json;
using Microsoft.Azure.Cosmos;
using ModelsHub.Core.AccessTokens;
using ModelsHub.Core.Common;

namespace ModelsHub.Infrastructure.Cosmos;

/// <summary>
/// Personal access tokens in the <c>accessTokens</c> container, keyed (and partitioned) by the hash
/// of the secret: validating a request's token is one point read. A user's list is a small
/// cross-partition query on <c>userId</c>.
/// </summary>
public sealed class CosmosAccessTokenStore : IAccessTokenStore
{
    private static readonly ItemRequestOptions NoContentBack = new() { EnableContentResponseOnWrite = false };

    private readonly CosmosDatabase _database;
    private readonly Container _container;

    public CosmosAccessTokenStore(CosmosDatabase database)
    {
        _database = database;
        _container = database.Container(HubContainers.AccessTokens);
    }

    public async Task<AccessToken> CreateAsync(AccessToken token, CancellationToken cancellationToken)
    {
        await _database.EnsureCreatedAsync(cancellationToken);
        using var content = new MemoryStream(JsonSerializer.SerializeToUtf8Bytes(new Document(token.Hash, token.UserId, token), HubJson.Options));
        using var response = await _container.CreateItemStreamAsync(content, new PartitionKey(token.Hash), NoContentBack, cancellationToken);
        if (response.StatusCode == HttpStatusCode.Conflict)
        {
            throw new ConflictException($"Access token '{token.Id}' already exists.");
        }
        if (!response.IsSuccessStatusCode)
        {
            throw CosmosOutcomes.Unexpected(response, "create access token");
        }
        return token;
    }

    public async Task<AccessToken?> FindByHashAsync(string hash, CancellationToken cancellationToken)
    {
        if (!CosmosOutcomes.IsValidId(hash))
        {
            return null;
        }
        await _database.EnsureCreatedAsync(cancellationToken);
        using var response = await _container.ReadItemStreamAsync(hash, new PartitionKey(hash), cancellationToken: cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
        if (!response.IsSuccessStatusCode)
        {
            throw CosmosOutcomes.Unexpected(response, "read access token");
        }
        return (await JsonSerializer.DeserializeAsync<Document>(response.Content, HubJson.Options, cancellationToken))!.Token;
    }

    public async Task<IReadOnlyList<AccessToken>> ListByUserAsync(string userId, CancellationToken cancellationToken)
    {
        await _database.EnsureCreatedAsync(cancellationToken);
        var rows = await CosmosPaging.ReadAllAsync<Document>(_container,
            new QueryDefinition("SELECT * FROM c WHERE c.userId = @user").WithParameter("@user", userId), null, cancellationToken);
        return rows.Select(r => r.Token).OrderByDescending(t => t.CreatedAt).ThenBy(t => t.Hash, StringComparer.Ordinal).ToList();
    }

    public async Task DeleteAsync(string hash, CancellationToken cancellationToken)
    {
        await _database.EnsureCreatedAsync(cancellationToken);
        using var response = await _container.DeleteItemStreamAsync(hash, new PartitionKey(hash), cancellationToken: cancellationToken);
        if (!response.IsSuccessStatusCode && response.StatusCode != HttpStatusCode.NotFound)
        {
            throw CosmosOutcomes.Unexpected(response, "delete access token");
        }
    }

    private sealed record Document(string Id, string UserId, AccessToken Token);
}
