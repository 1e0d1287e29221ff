using ModelsHub.Contracts.Versions;
using ModelsHub.Core.Assets;
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

    private AssetVersion New(string label, int minute = 0, string? model = null, AssetKind kind = AssetKind.Model) =>
        AssetVersion.New(new AssetRef(kind, model ?? Model), label, "olivia", T0.AddMinutes(minute));

    private static AssetRef M(string name) => AssetRef.Model(name);

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
        version.Files.Add(new VersionFile("onnx/model.onnx", 45, new string('b', 64), "application/octet-stream", T0.AddHours(1)));
        version.AwaitedFiles = ["tokenizer.json", "1_Pooling/config.json"];
        var created = await Store.CreateAsync(version, CancellationToken.None);
        Assert.False(string.IsNullOrEmpty(created.ETag));

        var found = await Store.FindAsync(M(Model.ToUpperInvariant()), "v2.1_MEDICAL", CancellationToken.None);
        Assert.NotNull(found);
        Assert.Equal(created.ETag, found!.ETag);
        Assert.Equal(("V2.1_Medical", "微调后的版本", VersionStatus.Ready, T0.AddHours(1)), (found.Label, found.Notes, found.Status, found.ReadyAt));
        Assert.Equal(["loss", "accuracy"], found.Metrics.Keys);
        Assert.Equal(version.Files, found.Files);
        Assert.Equal(["tokenizer.json", "1_Pooling/config.json"], found.AwaitedFiles);
        Assert.Null(await Store.FindAsync(M(Model), "v9", CancellationToken.None));
    }

    [Fact]
    public async Task StoredBytesCountTheFilesAUserUploadedAcrossModelsAndDatasets()
    {
        var user = "quota-" + Guid.NewGuid().ToString("N")[..8];
        var sha = new string('a', 64);
        var mine = New("v1");
        mine.Files.Add(new VersionFile("a.bin", 100, sha, "application/octet-stream", T0, user));
        mine.Files.Add(new VersionFile("b.bin", 50, sha, "application/octet-stream", T0, user + "-other"));
        var created = await Store.CreateAsync(mine, CancellationToken.None);
        var other = New("v1", model: Model + "-two");
        other.Files.Add(new VersionFile("c.bin", 7, sha, "application/octet-stream", T0, user));
        await Store.CreateAsync(other, CancellationToken.None);
        // A file recorded before uploaders were kept counts for the version's creator.
        var legacy = New("v2", model: Model + "-two");
        legacy = AssetVersion.New(legacy.AssetRef, legacy.Label, user, T0);
        legacy.Files.Add(new VersionFile("d.bin", 3, sha, "application/octet-stream", T0));
        await Store.CreateAsync(legacy, CancellationToken.None);
        // A dataset's file counts too: the quota is per user across every asset.
        var data = New("v1", kind: AssetKind.Dataset);
        data.Files.Add(new VersionFile("e.jsonl", 5, sha, "application/jsonl", T0, user));
        await Store.CreateAsync(data, CancellationToken.None);

        Assert.Equal(115, await Store.GetStoredBytesAsync(user, CancellationToken.None));
        Assert.Equal(50, await Store.GetStoredBytesAsync(user + "-other", CancellationToken.None));

        var fewer = created.Clone();
        fewer.Files.RemoveAll(f => f.Name == "a.bin");
        await Store.ReplaceAsync(fewer, created.ETag!, CancellationToken.None);
        Assert.Equal(15, await Store.GetStoredBytesAsync(user, CancellationToken.None));
        Assert.Equal(0, await Store.GetStoredBytesAsync("nobody-" + user, CancellationToken.None));
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
        Assert.Equal(["c", "b", "a"], (await Store.ListAsync(M(Model), CancellationToken.None)).Select(v => v.Label));
        Assert.Contains(Model.ToLowerInvariant(), await Store.ListAssetKeysAsync(CancellationToken.None));
        Assert.Empty(await Store.ListAsync(M(Model + "-none"), CancellationToken.None));
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
        Assert.Equal("two", (await Store.FindAsync(M(Model), "r", CancellationToken.None))!.Notes);
        await Assert.ThrowsAsync<NotFoundException>(() => Store.ReplaceAsync(New("ghost"), "x", CancellationToken.None));
    }

    [Fact]
    public async Task DeleteRefusesTheLastVersionHonoursTheETagAndIsIdempotent()
    {
        var first = await Store.CreateAsync(New("v1"), CancellationToken.None);
        var last = await Assert.ThrowsAsync<ConflictException>(() => Store.DeleteAsync(M(Model), "v1", first.ETag, CancellationToken.None));
        Assert.Contains("last version", last.Message);

        var second = await Store.CreateAsync(New("v2", minute: 1), CancellationToken.None);
        await Assert.ThrowsAsync<PreconditionFailedException>(() => Store.DeleteAsync(M(Model), "v2", "stale", CancellationToken.None));
        await Store.DeleteAsync(M(Model), "V2", second.ETag, CancellationToken.None);
        Assert.Null(await Store.FindAsync(M(Model), "v2", CancellationToken.None));
        await Store.DeleteAsync(M(Model), "v2", null, CancellationToken.None);
        await Assert.ThrowsAsync<ConflictException>(() => Store.DeleteAsync(M(Model), "v1", null, CancellationToken.None));
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
                await Store.DeleteAsync(M(Model), $"d{i}", null, CancellationToken.None);
            }
            catch (ConflictException)
            {
            }
        }));
        Assert.Single(await Store.ListAsync(M(Model), CancellationToken.None));
    }

    [Fact]
    public async Task ConcurrentCreatesOfDifferentLabelsOnANewModelAreCountedExactly()
    {
        const int n = 6;
        for (var round = 0; round < 3; round++)
        {
            var model = $"{Model}-n{round}";
            await Task.WhenAll(Enumerable.Range(0, n).Select(i => Store.CreateAsync(New($"c{i}", minute: i, model: model), CancellationToken.None)));
            Assert.Equal(n, (await Store.ListAsync(M(model), CancellationToken.None)).Count);
            for (var i = 0; i < n - 1; i++)
            {
                await Store.DeleteAsync(M(model), $"c{i}", null, CancellationToken.None);
            }
            var last = await Assert.ThrowsAsync<ConflictException>(() => Store.DeleteAsync(M(model), $"c{n - 1}", null, CancellationToken.None));
            Assert.Contains("last version", last.Message);
            Assert.Equal([$"c{n - 1}"], (await Store.ListAsync(M(model), CancellationToken.None)).Select(v => v.Label));
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
        Assert.Null(await Store.FindAsync(M(Model), label, CancellationToken.None));
        await Store.DeleteAsync(M(Model), label, null, CancellationToken.None);
        Assert.Equal(["v1", "v2"], (await Store.ListAsync(M(Model), CancellationToken.None)).Select(v => v.Label));
        await Store.DeleteAsync(M(Model), "v2", null, CancellationToken.None);
        await Assert.ThrowsAsync<ConflictException>(() => Store.DeleteAsync(M(Model), "v1", null, CancellationToken.None));
    }

    /// <summary>Writes a version the way a hub stored it before datasets existed: keyed by its model's id, naming it <c>modelId</c> and <c>model</c>, with no kind.</summary>
    protected abstract Task StoreLegacyAsync(string modelId, string id, DateTimeOffset createdAt, string json);

    [Fact]
    public async Task AModelAndADatasetOfOneNameKeepVersionsOfTheirOwn()
    {
        var dataset = AssetRef.Dataset(Model);
        await Store.CreateAsync(New("v1"), CancellationToken.None);
        await Store.CreateAsync(New("V1", kind: AssetKind.Dataset), CancellationToken.None);
        await Store.CreateAsync(New("v2", minute: 1, kind: AssetKind.Dataset), CancellationToken.None);

        Assert.Equal(["v1"], (await Store.ListAsync(M(Model), CancellationToken.None)).Select(v => v.Label));
        var datasetVersions = await Store.ListAsync(dataset, CancellationToken.None);
        Assert.Equal(["V1", "v2"], datasetVersions.Select(v => v.Label));
        Assert.All(datasetVersions, v => Assert.Equal((AssetKind.Dataset, dataset.Key, Model), (v.Kind, v.AssetKey, v.Asset)));
        Assert.Equal(AssetKind.Dataset, (await Store.FindAsync(dataset, "v1", CancellationToken.None))!.Kind);
        var keys = await Store.ListAssetKeysAsync(CancellationToken.None);
        Assert.Contains(Model.ToLowerInvariant(), keys);
        Assert.Contains("dataset:" + Model.ToLowerInvariant(), keys);

        // Each asset's last version is its own.
        await Assert.ThrowsAsync<ConflictException>(() => Store.DeleteAsync(M(Model), "v1", null, CancellationToken.None));
        await Store.DeleteAsync(dataset, "v1", null, CancellationToken.None);
        var last = await Assert.ThrowsAsync<ConflictException>(() => Store.DeleteAsync(dataset, "v2", null, CancellationToken.None));
        Assert.Contains($"dataset '{Model}'", last.Message);
        await Store.DeleteAllAsync(dataset, CancellationToken.None);
        Assert.Empty(await Store.ListAsync(dataset, CancellationToken.None));
        Assert.Equal(["v1"], (await Store.ListAsync(M(Model), CancellationToken.None)).Select(v => v.Label));
    }

    [Fact]
    public async Task AVersionStoredBeforeDatasetsExistedIsAModelVersion()
    {
        var id = Model.ToLowerInvariant();
        await StoreLegacyAsync(id, "v1", T0, $$"""
            {"modelId":"{{id}}","model":"{{Model}}","id":"v1","label":"v1","notes":"from before","status":"ready","files":[{"name":"model.bin","size":3,"sha256":"{{new string('a', 64)}}","contentType":"application/octet-stream","uploadedAt":"2026-01-01T00:00:00+00:00"}],"metrics":{"loss":0.5},"createdBy":"olivia","createdAt":"2026-01-01T00:00:00+00:00","updatedAt":"2026-01-01T00:00:00+00:00","readyAt":"2026-01-01T00:00:00+00:00"}
            """);
        var found = await Store.FindAsync(M(Model), "V1", CancellationToken.None);
        Assert.NotNull(found);
        Assert.Equal((AssetKind.Model, id, Model, "from before", VersionStatus.Ready, "model.bin"),
            (found!.Kind, found.AssetKey, found.Asset, found.Notes, found.Status, found.Files.Single().Name));
        Assert.Equal(["v1"], (await Store.ListAsync(M(Model), CancellationToken.None)).Select(v => v.Label));

        var next = found.Clone();
        next.Notes = "rewritten";
        await Store.ReplaceAsync(next, found.ETag!, CancellationToken.None);
        var reread = await Store.FindAsync(M(Model), "v1", CancellationToken.None);
        Assert.Equal(("rewritten", Model, 0.5), (reread!.Notes, reread.Asset, reread.Metrics["loss"]));
        await Store.CreateAsync(New("v2", minute: 1), CancellationToken.None);
        await Store.DeleteAsync(M(Model), "v2", null, CancellationToken.None);
        await Assert.ThrowsAsync<ConflictException>(() => Store.DeleteAsync(M(Model), "v1", null, CancellationToken.None));
    }

    [Fact]
    public async Task DeleteAllEmptiesTheModel()
    {
        await Store.CreateAsync(New("x1"), CancellationToken.None);
        await Store.CreateAsync(New("x2"), CancellationToken.None);
        await Store.DeleteAllAsync(M(Model.ToUpperInvariant()), CancellationToken.None);
        Assert.Empty(await Store.ListAsync(M(Model), CancellationToken.None));
        Assert.DoesNotContain(Model.ToLowerInvariant(), await Store.ListAssetKeysAsync(CancellationToken.None));
    }
}

public sealed class SqliteVersionStoreContract : VersionStoreContract, IDisposable
{
    private readonly EmbeddedDatabase _db = new();

    public SqliteVersionStoreContract() => Store = new SqliteVersionStore(_db.Database);

    protected override IVersionStore Store { get; }

    protected override Task StoreLegacyAsync(string modelId, string id, DateTimeOffset createdAt, string json) =>
        _db.Database.WriteAsync((c, tx) =>
        {
            using var command = c.CreateCommand();
            command.Transaction = tx;
            // The document as stored then; the table's own move from model_versions is SqliteSchemaMigrationTests'.
            command.CommandText = "INSERT INTO asset_versions (asset_key, id, created_at, etag, doc) VALUES ($model, $id, $created, 'legacy', $doc);";
            command.Parameters.AddWithValue("$model", modelId);
            command.Parameters.AddWithValue("$id", id);
            command.Parameters.AddWithValue("$created", SqliteDatabase.SortKey(createdAt));
            command.Parameters.AddWithValue("$doc", json);
            return command.ExecuteNonQuery();
        }, CancellationToken.None);

    public void Dispose() => _db.Dispose();
}
