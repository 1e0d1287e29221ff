using System.Text.Json;
using ModelsHub.Contracts.Models;
using ModelsHub.Core.Catalog;
using ModelsHub.Core.Common;
using ModelsHub.Infrastructure.Sqlite;

namespace ModelsHub.IntegrationTests.Contracts;

/// <summary>What every <see cref="IModelStore"/> adapter must do; one subclass per adapter.</summary>
public abstract class ModelStoreContract
{
    protected abstract IModelStore Store { get; }

    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly ModelVisibilityScope Everything = new(true, null, new HashSet<ModelTier>(), new HashSet<ModelTier>(), T0);

    protected string Prefix { get; } = "c" + Guid.NewGuid().ToString("N")[..6] + "-";

    private HubModel New(string name, ModelType type = ModelType.Custom, ModelVisibility visibility = ModelVisibility.Public,
        ModelTier tier = ModelTier.Standard, string owner = "olivia", int minute = 0, string[]? tags = null, string description = "") => new()
    {
        Id = HubModel.IdFor(Prefix + name),
        Name = Prefix + name,
        Type = type,
        Visibility = visibility,
        Tier = tier,
        Owner = owner,
        Tags = [.. tags ?? []],
        Description = description,
        CreatedAt = T0.AddMinutes(minute),
        UpdatedAt = T0.AddMinutes(100 - minute),
    };

    private async Task<List<string>> AllNamesAsync(ModelQuery query, ModelVisibilityScope scope)
    {
        var names = new List<string>();
        string? token = null;
        do
        {
            var page = await Store.QueryAsync(query with { ContinuationToken = token }, scope, CancellationToken.None);
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
        var spec = JsonDocument.Parse("""[{"model_name":"x","b":1.50,"a":"é"}]""").RootElement.Clone();
        var model = New("Round-Trip", ModelType.Llm, tags: ["Chat"], description: "desc");
        model.Spec = spec;
        model.ExpiresAt = T0.AddDays(3);
        model.Featured = true;
        var created = await Store.CreateAsync(model, CancellationToken.None);
        Assert.False(string.IsNullOrEmpty(created.ETag));

        var found = await Store.FindAsync((Prefix + "round-TRIP").ToUpperInvariant(), CancellationToken.None);
        Assert.NotNull(found);
        Assert.Equal(created.ETag, found!.ETag);
        Assert.Equal((Prefix + "Round-Trip", ModelType.Llm, "desc", true, T0.AddDays(3)), (found.Name, found.Type, found.Description, found.Featured, found.ExpiresAt));
        Assert.Equal(["Chat"], found.Tags);
        Assert.Equal(spec.GetRawText(), found.Spec!.Value.GetRawText());
        Assert.Null(await Store.FindAsync(Prefix + "missing", CancellationToken.None));
    }

    [Fact]
    public async Task CreatingATakenNameConflicts()
    {
        await Store.CreateAsync(New("Taken"), CancellationToken.None);
        var clash = New("Taken");
        var error = await Assert.ThrowsAsync<ConflictException>(() => Store.CreateAsync(clash, CancellationToken.None));
        Assert.Equal("name", error.Field);
    }

    [Fact]
    public async Task ReplaceNeedsTheCurrentETag()
    {
        var created = await Store.CreateAsync(New("Replace"), CancellationToken.None);
        var next = created.Clone();
        next.Description = "v2";
        var replaced = await Store.ReplaceAsync(next, created.ETag!, CancellationToken.None);
        Assert.NotEqual(created.ETag, replaced.ETag);

        next.Description = "v3";
        await Assert.ThrowsAsync<PreconditionFailedException>(() => Store.ReplaceAsync(next, created.ETag!, CancellationToken.None));
        Assert.Equal("v2", (await Store.FindAsync(Prefix + "Replace", CancellationToken.None))!.Description);

        var ghost = New("Ghost");
        await Assert.ThrowsAsync<NotFoundException>(() => Store.ReplaceAsync(ghost, "whatever", CancellationToken.None));
    }

    [Fact]
    public async Task DeleteHonoursTheETagAndIsIdempotent()
    {
        var created = await Store.CreateAsync(New("Delete"), CancellationToken.None);
        await Assert.ThrowsAsync<PreconditionFailedException>(() => Store.DeleteAsync(Prefix + "Delete", "stale", CancellationToken.None));
        await Store.DeleteAsync(Prefix + "Delete", created.ETag, CancellationToken.None);
        Assert.Null(await Store.FindAsync(Prefix + "Delete", CancellationToken.None));
        await Store.DeleteAsync(Prefix + "Delete", null, CancellationToken.None);
        await Store.DeleteAsync(Prefix + "Delete", created.ETag, CancellationToken.None);
    }

    [Fact]
    public async Task QueriesPageInSortOrderWithoutGapsOrRepeats()
    {
        for (var i = 0; i < 7; i++)
        {
            await Store.CreateAsync(New($"p{i}", minute: i), CancellationToken.None);
        }
        var byName = await AllNamesAsync(new ModelQuery { PageSize = 3, Owner = "olivia" }, Everything);
        Assert.Equal(Enumerable.Range(0, 7).Select(i => $"p{i}"), byName);

        var byCreatedDesc = await AllNamesAsync(new ModelQuery { PageSize = 2, Sort = ModelSort.Created, Descending = true, Owner = "olivia" }, Everything);
        Assert.Equal(Enumerable.Range(0, 7).Reverse().Select(i => $"p{i}"), byCreatedDesc);

        var byUpdated = await AllNamesAsync(new ModelQuery { PageSize = 4, Sort = ModelSort.Updated, Owner = "olivia" }, Everything);
        Assert.Equal(Enumerable.Range(0, 7).Reverse().Select(i => $"p{i}"), byUpdated);
    }

    [Fact]
    public async Task FiltersAndWordsNarrowTheResult()
    {
        await Store.CreateAsync(New("alpha", ModelType.Llm, tags: ["Chat", "tools"], description: "A Coding assistant", owner: "f"), CancellationToken.None);
        await Store.CreateAsync(New("beta", ModelType.Image, tags: ["vision"], description: "Draws pictures", owner: "f"), CancellationToken.None);
        await Store.CreateAsync(New("gamma", ModelType.Llm, ModelVisibility.Private, tags: ["chat"], owner: "f"), CancellationToken.None);

        Task<List<string>> Names(ModelQuery q) => AllNamesAsync(q with { Owner = "f" }, Everything);
        Assert.Equal(["alpha", "gamma"], await Names(new ModelQuery { Type = ModelType.Llm }));
        Assert.Equal(["alpha", "gamma"], await Names(new ModelQuery { Tag = "CHAT" }));
        Assert.Equal(["alpha"], await Names(new ModelQuery { Words = ["coding", "ALPHA"] }));
        Assert.Equal(["beta"], await Names(new ModelQuery { Words = ["pic"] }));
        Assert.Equal(["beta"], await Names(new ModelQuery { Words = ["ra"] }));
        Assert.Equal(["gamma"], await Names(new ModelQuery { Visibility = ModelVisibility.Private }));
        Assert.Empty(await Names(new ModelQuery { Words = ["nothing-like-this"] }));
    }

    [Fact]
    public async Task TheScopeHidesWhatACallerMayNotSee()
    {
        await Store.CreateAsync(New("pub", owner: "s"), CancellationToken.None);
        await Store.CreateAsync(New("adv", tier: ModelTier.Advanced, owner: "s"), CancellationToken.None);
        await Store.CreateAsync(New("priv", visibility: ModelVisibility.Private, owner: "s"), CancellationToken.None);
        var inactive = New("off", owner: "s");
        inactive.Status = ModelStatus.Inactive;
        await Store.CreateAsync(inactive, CancellationToken.None);
        var expired = New("old", owner: "s");
        expired.ExpiresAt = T0.AddDays(-1);
        await Store.CreateAsync(expired, CancellationToken.None);

        var standard = new HashSet<ModelTier> { ModelTier.Standard };
        var anonymous = new ModelVisibilityScope(false, null, standard, new HashSet<ModelTier>(), T0);
        Assert.Equal(["pub"], await AllNamesAsync(new ModelQuery { Owner = "s" }, anonymous));
        var manager = anonymous with { UnlistedTiers = standard };
        Assert.Equal(["off", "old", "pub"], await AllNamesAsync(new ModelQuery { Owner = "s" }, manager));
        var owner = anonymous with { OwnerId = "s" };
        Assert.Equal(["adv", "off", "old", "priv", "pub"], await AllNamesAsync(new ModelQuery { Owner = "s" }, owner));
    }

    [Fact]
    public async Task ATokenFromAnotherQueryIsAValidationError()
    {
        for (var i = 0; i < 3; i++) await Store.CreateAsync(New($"t{i}", owner: "t"), CancellationToken.None);
        var page = await Store.QueryAsync(new ModelQuery { PageSize = 1, Owner = "t" }, Everything, CancellationToken.None);
        var error = await Assert.ThrowsAsync<ValidationException>(() =>
            Store.QueryAsync(new ModelQuery { PageSize = 1, Owner = "t", Type = ModelType.Llm, ContinuationToken = page.ContinuationToken }, Everything, CancellationToken.None));
        Assert.Contains("continuationToken", error.Errors.Keys);
        await Assert.ThrowsAsync<ValidationException>(() =>
            Store.QueryAsync(new ModelQuery { ContinuationToken = "%%%" }, Everything, CancellationToken.None));
    }

    [Fact]
    public async Task RemovedUpstreamRoundTripsOnTheModelAndItsSummary()
    {
        var model = New("gone-upstream", ModelType.Llm, owner: "g");
        model.Source = ModelSource.Upstream;
        model.RemovedUpstreamAt = T0.AddHours(5);
        await Store.CreateAsync(model, CancellationToken.None);
        Assert.Equal(T0.AddHours(5), (await Store.FindAsync(Prefix + "gone-upstream", CancellationToken.None))!.RemovedUpstreamAt);
        var page = await Store.QueryAsync(new ModelQuery { Owner = "g", Source = ModelSource.Upstream }, Everything, CancellationToken.None);
        Assert.Equal(T0.AddHours(5), Assert.Single(page.Items).RemovedUpstreamAt);
    }

    [Fact]
    public async Task CountsFollowTheScope()
    {
        await Store.CreateAsync(New("cnt-llm", ModelType.Llm, owner: "k"), CancellationToken.None);
        await Store.CreateAsync(New("cnt-img", ModelType.Image, ModelVisibility.Private, owner: "k"), CancellationToken.None);
        var mine = new ModelVisibilityScope(false, "k", new HashSet<ModelTier>(), new HashSet<ModelTier>(), T0);
        var counts = await Store.CountAsync(mine, CancellationToken.None);
        Assert.Equal(2, counts.Total);
        Assert.Equal(1, counts.ByType[ModelType.Llm]);
        Assert.Equal(1, counts.ByType[ModelType.Image]);
    }
}

public sealed class SqliteModelStoreContract : ModelStoreContract, IDisposable
{
    private readonly EmbeddedDatabase _db = new();

    public SqliteModelStoreContract() => Store = new SqliteModelStore(_db.Database);

    protected override IModelStore Store { get; }

    public void Dispose() => _db.Dispose();
}

/// <summary>The embedded profile's cached store must keep the same contract as the table it fronts.</summary>
public sealed class CachedModelStoreContract : ModelStoreContract, IDisposable
{
    private readonly EmbeddedDatabase _db = new();

    public CachedModelStoreContract() => Store = new CachedModelStore(new SqliteModelStore(_db.Database));

    protected override IModelStore Store { get; }

    public void Dispose() => _db.Dispose();
}
