using ModelsHub.Contracts.AccessTokens;
using ModelsHub.Core.AccessTokens;
using ModelsHub.Core.Common;
using ModelsHub.Infrastructure.Sqlite;

namespace ModelsHub.IntegrationTests.Contracts;

/// <summary>What every <see cref="IAccessTokenStore"/> adapter must do.</summary>
public abstract class AccessTokenStoreContract
{
    protected abstract IAccessTokenStore Store { get; }

    private readonly string _user = "t" + Guid.NewGuid().ToString("N")[..8];

    private AccessToken Token(string secret, string? user = null, int minute = 0) => new()
    {
        Hash = AccessTokenService.HashOf(secret),
        TokenId = "pat_" + AccessTokenService.HashOf(secret)[..16],
        UserId = user ?? _user,
        Name = "token " + secret,
        Scopes = [TokenScope.Read, TokenScope.Gateway],
        Preview = "mhp_" + secret[..4],
        CreatedAt = DateTimeOffset.UnixEpoch.AddMinutes(minute),
        ExpiresAt = DateTimeOffset.UnixEpoch.AddDays(30),
    };

    [Fact]
    public async Task TokensAreFoundByHashListedPerUserNewestFirstAndDeleted()
    {
        var first = await Store.CreateAsync(Token("first-secret", minute: 1), CancellationToken.None);
        await Store.CreateAsync(Token("second-secret", minute: 2), CancellationToken.None);
        await Store.CreateAsync(Token("someone-elses", user: _user + "-other", minute: 3), CancellationToken.None);
        await Assert.ThrowsAsync<ConflictException>(() => Store.CreateAsync(Token("first-secret"), CancellationToken.None));

        var found = await Store.FindByHashAsync(first.Hash, CancellationToken.None);
        Assert.Equal((first.TokenId, first.UserId, first.Name), (found!.TokenId, found.UserId, found.Name));
        Assert.Equal([TokenScope.Read, TokenScope.Gateway], found.Scopes);
        Assert.Equal(first.ExpiresAt, found.ExpiresAt);
        Assert.Null(await Store.FindByHashAsync(AccessTokenService.HashOf("never-issued"), CancellationToken.None));
        Assert.Equal(["token second-secret", "token first-secret"], (await Store.ListByUserAsync(_user, CancellationToken.None)).Select(t => t.Name));

        await Store.DeleteAsync(first.Hash, CancellationToken.None);
        await Store.DeleteAsync(first.Hash, CancellationToken.None);
        Assert.Null(await Store.FindByHashAsync(first.Hash, CancellationToken.None));
        Assert.Single(await Store.ListByUserAsync(_user, CancellationToken.None));
    }
}

public sealed class SqliteAccessTokenStoreContract : AccessTokenStoreContract, IDisposable
{
    private readonly EmbeddedDatabase _db = new();

    public SqliteAccessTokenStoreContract() => Store = new SqliteAccessTokenStore(_db.Database);

    protected override IAccessTokenStore Store { get; }

    public void Dispose() => _db.Dispose();
}
