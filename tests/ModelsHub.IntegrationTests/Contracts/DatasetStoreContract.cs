using ModelsHub.Contracts.Datasets;
using ModelsHub.Core.Common;
using ModelsHub.Core.Datasets;
using ModelsHub.Infrastructure.Sqlite;

namespace ModelsHub.IntegrationTests.Contracts;

/// <summary>What every <see cref="IDatasetStore"/> adapter must do; one subclass per adapter.</summary>
public abstract class DatasetStoreContract
{
    protected abstract IDatasetStore Store { get; }

    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DatasetScope Everything = new(true, null);

    protected string Prefix { get; } = "d" + Guid.NewGuid().ToString("N")[..6] + "-";

    private Dataset New(string name, DatasetFormat format = DatasetFormat.JsonlChat, DatasetVisibility visibility = DatasetVisibility.Public,
        string owner = "olivia", int minute = 0, string[]? tags = null, string description = "", DatasetStatus status = DatasetStatus.Empty) => new()
    {
        Id = Dataset.IdFor(Prefix + name),
        Name = Prefix + name,
        Format = format,
        Visibility = visibility,
        Owner = owner,
        Tags = [.. tags ?? []],
        Description = description,
        Status = status,
        CreatedAt = T0.AddMinutes(minute),
        UpdatedAt = T0.AddMinutes(100 - minute),
    };

    private async Task<List<string>> NamesAsync(DatasetQuery query, DatasetScope? scope = null)
    {
        var names = new List<string>();
        string? token = null;
        do
        {
            var page = await Store.QueryAsync(query with { ContinuationToken = token }, scope ?? Everything, CancellationToken.None);
            Assert.True(page.Items.Count <= query.PageSize);
            names.AddRange(page.Items.Select(i => i.Name));
            token = page.ContinuationToken;
        }
        while (token is not null);
        return names.Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)).Select(n => n[Prefix.Length..]).ToList();
    }

    [Fact]
    public async Task CreateThenFindIgnoringCaseKeepsEveryField()
    {
        var dataset = New("Round-Trip", DatasetFormat.Csv, tags: ["Support", "中文"], description: "客服对话", status: DatasetStatus.Ready);
        dataset.DefaultVersion = "v2";
        dataset.DefaultVersionPinned = true;
        dataset.RecordCount = 1234;
        dataset.SizeBytes = 9_000_000_000;
        dataset.TokenEstimate = 56789;
        dataset.VersionCount = 2;
        var created = await Store.CreateAsync(dataset, CancellationToken.None);
        Assert.False(string.IsNullOrEmpty(created.ETag));

        var found = await Store.FindAsync((Prefix + "round-TRIP").ToUpperInvariant(), CancellationToken.None);
        Assert.NotNull(found);
        Assert.Equal(created.ETag, found!.ETag);
        Assert.Equal((Prefix + "Round-Trip", DatasetFormat.Csv, DatasetStatus.Ready, "客服对话", "v2", true, 1234L, 9_000_000_000L, 56789L, 2),
            (found.Name, found.Format, found.Status, found.Description, found.DefaultVersion, found.DefaultVersionPinned, found.RecordCount, found.SizeBytes, found.TokenEstimate, found.VersionCount));
        Assert.Equal(["Support", "中文"], found.Tags);
        Assert.Null(await Store.FindAsync(Prefix + "missing", CancellationToken.None));
        Assert.Null(await Store.FindAsync("a/b", CancellationToken.None));
    }

    [Fact]
    public async Task ANameIsTakenIgnoringCase()
    {
        await Store.CreateAsync(New("Taken"), CancellationToken.None);
        var error = await Assert.ThrowsAsync<ConflictException>(() => Store.CreateAsync(New("TAKEN"), CancellationToken.None));
        Assert.Equal("name", error.Field);
    }

    [Fact]
    public async Task ReplaceAndDeleteNeedTheCurrentETag()
    {
        var created = await Store.CreateAsync(New("etag"), CancellationToken.None);
        var next = created.Clone();
        next.Description = "two";
        var replaced = await Store.ReplaceAsync(next, created.ETag!, CancellationToken.None);
        Assert.NotEqual(created.ETag, replaced.ETag);
        await Assert.ThrowsAsync<PreconditionFailedException>(() => Store.ReplaceAsync(next, created.ETag!, CancellationToken.None));
        await Assert.ThrowsAsync<NotFoundException>(() => Store.ReplaceAsync(New("ghost"), "x", CancellationToken.None));

        await Assert.ThrowsAsync<PreconditionFailedException>(() => Store.DeleteAsync(Prefix + "etag", created.ETag, CancellationToken.None));
        await Store.DeleteAsync(Prefix + "ETAG", replaced.ETag, CancellationToken.None);
        Assert.Null(await Store.FindAsync(Prefix + "etag", CancellationToken.None));
        await Store.DeleteAsync(Prefix + "etag", null, CancellationToken.None);
    }

    [Fact]
    public async Task ListingsFilterSortAndPage()
    {
        await Store.CreateAsync(New("a-chat", minute: 3, tags: ["Support"], description: "Customer conversations", status: DatasetStatus.Ready), CancellationToken.None);
        await Store.CreateAsync(New("b-table", DatasetFormat.Csv, minute: 1, status: DatasetStatus.Invalid), CancellationToken.None);
        await Store.CreateAsync(New("c-secret", visibility: DatasetVisibility.Private, owner: "carol", minute: 2, status: DatasetStatus.Ready), CancellationToken.None);
        await Store.CreateAsync(New("d-images", DatasetFormat.Archive, owner: "carol", minute: 4), CancellationToken.None);

        var all = new DatasetQuery { PageSize = 2 };
        Assert.Equal(["a-chat", "b-table", "c-secret", "d-images"], await NamesAsync(all));
        Assert.Equal(["d-images", "c-secret", "b-table", "a-chat"], await NamesAsync(all with { Descending = true }));
        Assert.Equal(["b-table", "c-secret", "a-chat", "d-images"], await NamesAsync(all with { Sort = DatasetSort.Created }));
        Assert.Equal(["d-images", "a-chat", "c-secret", "b-table"], await NamesAsync(all with { Sort = DatasetSort.Updated }));
        Assert.Equal(["a-chat", "c-secret"], await NamesAsync(all with { Status = DatasetStatus.Ready }));
        Assert.Equal(["b-table"], await NamesAsync(all with { Format = DatasetFormat.Csv }));
        Assert.Equal(["c-secret", "d-images"], await NamesAsync(all with { Owner = "carol" }));
        Assert.Equal(["c-secret"], await NamesAsync(all with { Visibility = DatasetVisibility.Private }));
        Assert.Equal(["a-chat"], await NamesAsync(all with { Tag = "SUPPORT" }));
        Assert.Equal(["a-chat"], await NamesAsync(all with { Words = ["customer", "CONVERSATIONS"] }));
        Assert.Equal(["d-images"], await NamesAsync(all with { Words = ["archive"] }));

        // Scopes: anonymous sees the public ones, carol also her own, an administrator everything.
        Assert.Equal(["a-chat", "b-table", "d-images"], await NamesAsync(all, new DatasetScope(false, null)));
        Assert.Equal(["a-chat", "b-table", "c-secret", "d-images"], await NamesAsync(all, new DatasetScope(false, "carol")));
        Assert.Equal(["a-chat", "b-table", "d-images"], await NamesAsync(all, new DatasetScope(false, "ursula")));
    }

    [Fact]
    public async Task AContinuationTokenOnlyContinuesItsOwnListing()
    {
        for (var i = 0; i < 3; i++)
        {
            await Store.CreateAsync(New($"p{i}"), CancellationToken.None);
        }
        var page = await Store.QueryAsync(new DatasetQuery { PageSize = 1, Words = [Prefix] }, Everything, CancellationToken.None);
        Assert.NotNull(page.ContinuationToken);
        var other = await Assert.ThrowsAsync<ValidationException>(() =>
            Store.QueryAsync(new DatasetQuery { PageSize = 1, Words = [Prefix], Format = DatasetFormat.Csv, ContinuationToken = page.ContinuationToken }, Everything, CancellationToken.None));
        Assert.Equal(["continuationToken"], other.Errors.Keys);
        await Assert.ThrowsAsync<ValidationException>(() =>
            Store.QueryAsync(new DatasetQuery { PageSize = 1, ContinuationToken = "garbage" }, Everything, CancellationToken.None));
    }
}

public sealed class SqliteDatasetStoreContract : DatasetStoreContract, IDisposable
{
    private readonly EmbeddedDatabase _db = new();

    public SqliteDatasetStoreContract() => Store = new SqliteDatasetStore(_db.Database);

    protected override IDatasetStore Store { get; }

    public void Dispose() => _db.Dispose();
}
