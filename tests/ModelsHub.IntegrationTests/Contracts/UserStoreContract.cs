using ModelsHub.Core.Common;
using ModelsHub.Core.Identity;
using ModelsHub.Infrastructure.Sqlite;

namespace ModelsHub.IntegrationTests.Contracts;

/// <summary>What every <see cref="IUserStore"/> adapter must do.</summary>
public abstract class UserStoreContract
{
    protected abstract IUserStore Store { get; }

    private readonly string _prefix = "u" + Guid.NewGuid().ToString("N")[..6] + "-";

    [Fact]
    public async Task UsersRoundTripWithConcurrency()
    {
        var user = new HubUser { Id = _prefix + "ann", DisplayName = "Ann", GrantedPermissions = ["reviews.list"], CreatedAt = DateTimeOffset.UnixEpoch };
        var created = await Store.CreateAsync(user, CancellationToken.None);
        await Assert.ThrowsAsync<ConflictException>(() => Store.CreateAsync(user, CancellationToken.None));

        var found = await Store.FindAsync(_prefix + "ann", CancellationToken.None);
        Assert.Equal(("Ann", created.ETag), (found!.DisplayName, found.ETag));
        Assert.Equal(["reviews.list"], found.GrantedPermissions);

        var next = found.Clone();
        next.DisplayName = "Ann B.";
        var replaced = await Store.ReplaceAsync(next, found.ETag!, CancellationToken.None);
        await Assert.ThrowsAsync<PreconditionFailedException>(() => Store.ReplaceAsync(next, found.ETag!, CancellationToken.None));
        Assert.Equal("Ann B.", (await Store.FindAsync(_prefix + "ann", CancellationToken.None))!.DisplayName);
        Assert.NotEqual(found.ETag, replaced.ETag);
        await Assert.ThrowsAsync<NotFoundException>(() => Store.ReplaceAsync(new HubUser { Id = _prefix + "nobody" }, "x", CancellationToken.None));
    }

    [Fact]
    public async Task UsersListInPages()
    {
        for (var i = 0; i < 5; i++)
        {
            await Store.CreateAsync(new HubUser { Id = $"{_prefix}{i}" }, CancellationToken.None);
        }
        var ids = new List<string>();
        string? token = null;
        do
        {
            var page = await Store.ListAsync(2, token, CancellationToken.None);
            ids.AddRange(page.Items.Select(u => u.Id));
            token = page.ContinuationToken;
        }
        while (token is not null);
        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"{_prefix}{i}"), ids.Where(i => i.StartsWith(_prefix, StringComparison.Ordinal)));
        await Assert.ThrowsAsync<ValidationException>(() => Store.ListAsync(2, "garbage", CancellationToken.None));
    }
}

public sealed class SqliteUserStoreContract : UserStoreContract, IDisposable
{
    private readonly EmbeddedDatabase _db = new();

    public SqliteUserStoreContract() => Store = new SqliteUserStore(_db.Database);

    protected override IUserStore Store { get; }

    public void Dispose() => _db.Dispose();
}
