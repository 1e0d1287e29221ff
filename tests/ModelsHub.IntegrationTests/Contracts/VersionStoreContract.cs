using ModelsHub.Contracts.Versions;
using ModelsHub.Core.Common;
using ModelsHub.Core.Versions;
using ModelsHub.Infrastructure.Sqlite;

namespace ModelsHub.IntegrationTests.Contracts;

/// <summary>What every <see cref="IVersionStore"/> adapter must do; one subclass per adapter.</summary>
public abstract class VersionStoreContract
{
    protected abstract IVersionStore Store { get; }

    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    protected string Model { get; } = "Vc-" + Guid.NewGuid().ToString("N")[..8];

    private ModelVersion New(string label, int minute = 0, string? model = null) => new()
    {
        ModelId = (model ?? Model).ToLowerInvariant(),
        Model = model ?? Model,
        Id = ModelVersion.IdFor(label),
        Label = label,
        CreatedBy = "olivia",
        CreatedAt = T0.AddMinutes(minute),
        UpdatedAt = T0.AddMinutes(minute),
    };

    [Fact]
    public async Task CreateThenFindIgnoringCaseKeepsEveryField()
    {
        var version = New("V2.1_Medical");
        version.Notes = "微调后的版本";
        version.Metrics["loss"] = 0.32;
        version.Metrics["accuracy"] = 0.9;
        version.Status = VersionStatus.Ready;
        version.ReadyAt = T0.AddHours(1);
        version.Files.Add(new VersionFile("model.safetensors", 123, new string('a', 64), "application/octet-stream", T0.AddHours(1)));
        var created = await Store.CreateAsync(version, CancellationToken.None);
        Assert.False(string.IsNullOrEmpty(created.ETag));

        var found = await Store.FindAsync(Model.ToUpperInvariant(), "v2.1_MEDICAL", CancellationToken.None);
        Assert.NotNull(found);
        Assert.Equal(created.ETag, found!.ETag);
        Assert.Equal(("V2.1_Medical", "微调后的版本", VersionStatus.Ready, T0.AddHours(1)), (found.Label, found.Notes, found.Status, found.ReadyAt));
        Assert.Equal(["loss", "accuracy"], found.Metrics.Keys);
        Assert.Equal(version.Files, found.Files);
        Assert.Null(await Store.FindAsync(Model, "v9", CancellationToken.None));
    }

    [Fact]
    public async Task ATakenLabelConflictsIgnoringCase()
    {
        await Store.CreateAsync(New("v1"), CancellationToken.None);
        var error = await Assert.ThrowsAsync<ConflictException>(() => Store.CreateAsync(New("V1"), CancellationToken.None));
        Assert.Equal("label", error.Field);
        await Store.CreateAsync(New("v1", model: Model + "-other"), CancellationToken.None);
    }

    [Fact]
    public async Task ConcurrentCreatesOfOneLabelHaveOneWinner()
    {
        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(async _ =>
        {
            try
            {
                await Store.CreateAsync(New("race"), CancellationToken.None);
                return true;
            }
            catch (ConflictException)
            {
                return false;
            }
        }));
        Assert.Single(results, r => r);
    }

    [Fact]
    public async Task ListingIsOldestFirstAndPerModel()
    {
        await Store.CreateAsync(New("b", minute: 2), CancellationToken.None);
        await Store.CreateAsync(New("a", minute: 3), CancellationToken.None);
        await Store.CreateAsync(New("c", minute: 1), CancellationToken.None);
        await Store.CreateAsync(New("z", model: Model + "-x"), CancellationToken.None);
        Assert.Equal(["c", "b", "a"], (await Store.ListAsync(Model, CancellationToken.None)).Select(v => v.Label));
        Assert.Contains(Model.ToLowerInvariant(), await Store.ListModelIdsAsync(CancellationToken.None));
        Assert.Empty(await Store.ListAsync(Model + "-none", CancellationToken.None));
    }

    [Fact]
    public async Task ReplaceNeedsTheCurrentETag()
    {
        var created = await Store.CreateAsync(New("r"), CancellationToken.None);
        var next = created.Clone();
        next.Notes = "two";
        var replaced = await Store.ReplaceAsync(next, created.ETag!, CancellationToken.None);
        Assert.NotEqual(created.ETag, replaced.ETag);
        next.Notes = "three";
        await Assert.ThrowsAsync<PreconditionFailedException>(() => Store.ReplaceAsync(next, created.ETag!, CancellationToken.None));
        Assert.Equal("two", (await Store.FindAsync(Model, "r", CancellationToken.None))!.Notes);
        await Assert.ThrowsAsync<NotFoundException>(() => Store.ReplaceAsync(New("ghost"), "x", CancellationToken.None));
    }

    [Fact]
    public async Task DeleteRefusesTheLastVersionHonoursTheETagAndIsIdempotent()
    {
        var first = await Store.CreateAsync(New("v1"), CancellationToken.None);
        var last = await Assert.ThrowsAsync<ConflictException>(() => Store.DeleteAsync(Model, "v1", first.ETag, CancellationToken.None));
        Assert.Contains("last version", last.Message);

        var second = await Store.CreateAsync(New("v2", minute: 1), CancellationToken.None);
        await Assert.ThrowsAsync<PreconditionFailedException>(() => Store.DeleteAsync(Model, "v2", "stale", CancellationToken.None));
        await Store.DeleteAsync(Model, "V2", second.ETag, CancellationToken.None);
        Assert.Null(await Store.FindAsync(Model, "v2", CancellationToken.None));
        await Store.DeleteAsync(Model, "v2", null, CancellationToken.None);
        await Assert.ThrowsAsync<ConflictException>(() => Store.DeleteAsync(Model, "v1", null, CancellationToken.None));
    }

    [Fact]
    public async Task ConcurrentDeletesNeverRemoveTheLastVersion()
    {
        for (var i = 0; i < 6; i++)
        {
            await Store.CreateAsync(New($"d{i}", minute: i), CancellationToken.None);
        }
        await Task.WhenAll(Enumerable.Range(0, 6).Select(async i =>
        {
            try
            {
                await Store.DeleteAsync(Model, $"d{i}", null, CancellationToken.None);
            }
            catch (ConflictException)
            {
            }
        }));
        Assert.Single(await Store.ListAsync(Model, CancellationToken.None));
    }

    [Fact]
    public async Task ConcurrentCreatesOfDifferentLabelsOnANewModelAreCountedExactly()
    {
        const int n = 6;
        for (var round = 0; round < 3; round++)
        {
            var model = $"{Model}-n{round}";
            await Task.WhenAll(Enumerable.Range(0, n).Select(i => Store.CreateAsync(New($"c{i}", minute: i, model: model), CancellationToken.None)));
            Assert.Equal(n, (await Store.ListAsync(model, CancellationToken.None)).Count);
            for (var i = 0; i < n - 1; i++)
            {
                await Store.DeleteAsync(model, $"c{i}", null, CancellationToken.None);
            }
            var last = await Assert.ThrowsAsync<ConflictException>(() => Store.DeleteAsync(model, $"c{n - 1}", null, CancellationToken.None));
            Assert.Contains("last version", last.Message);
            Assert.Equal([$"c{n - 1}"], (await Store.ListAsync(model, CancellationToken.None)).Select(v => v.Label));
        }
    }

    [Theory]
    [InlineData("_head")]
    [InlineData("_HEAD")]
    [InlineData("suggestion")]
    [InlineData("a/b")]
    [InlineData(".hidden")]
    public async Task ALabelNoVersionCanHaveIsNotFound(string label)
    {
        await Store.CreateAsync(New("v1"), CancellationToken.None);
        await Store.CreateAsync(New("v2", minute: 1), CancellationToken.None);
        Assert.Null(await Store.FindAsync(Model, label, CancellationToken.None));
        await Store.DeleteAsync(Model, label, null, CancellationToken.None);
        Assert.Equal(["v1", "v2"], (await Store.ListAsync(Model, CancellationToken.None)).Select(v => v.Label));
        await Store.DeleteAsync(Model, "v2", null, CancellationToken.None);
        await Assert.ThrowsAsync<ConflictException>(() => Store.DeleteAsync(Model, "v1", null, CancellationToken.None));
    }

    [Fact]
    public async Task DeleteAllEmptiesTheModel()
    {
        await Store.CreateAsync(New("x1"), CancellationToken.None);
        await Store.CreateAsync(New("x2"), CancellationToken.None);
        await Store.DeleteAllAsync(Model.ToUpperInvariant(), CancellationToken.None);
        Assert.Empty(await Store.ListAsync(Model, CancellationToken.None));
        Assert.DoesNotContain(Model.ToLowerInvariant(), await Store.ListModelIdsAsync(CancellationToken.None));
    }
}

public sealed class SqliteVersionStoreContract : VersionStoreContract, IDisposable
{
    private readonly EmbeddedDatabase _db = new();

    public SqliteVersionStoreContract() => Store = new SqliteVersionStore(_db.Database);

    protected override IVersionStore Store { get; }

    public void Dispose() => _db.Dispose();
}
