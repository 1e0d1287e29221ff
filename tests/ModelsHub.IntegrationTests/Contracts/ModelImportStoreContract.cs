using ModelsHub.Contracts.Imports;
using ModelsHub.Contracts.Models;
using ModelsHub.Core.Common;
using ModelsHub.Core.Imports;
using ModelsHub.Infrastructure.Sqlite;

namespace ModelsHub.IntegrationTests.Contracts;

/// <summary>
/// What every <see cref="IModelImportStore"/> adapter must do: ids are unique, the whole import
/// round-trips (files with their progress, the permissions snapshot), ETag concurrency (a cancellation
/// and a step never overwrite each other), and "my imports" newest first.
/// </summary>
public abstract class ModelImportStoreContract
{
    protected abstract IModelImportStore Store { get; }

    private static readonly DateTimeOffset T0 = new(2026, 5, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>A requester of this instance's own, so suites sharing one store do not meet.</summary>
    private readonly string _user = "user-" + Guid.NewGuid().ToString("N")[..8];

    private ModelImport New(int minute, string? user = null) => new()
    {
        Id = $"hf-{Guid.NewGuid():N}"[..23],
        RepoId = "openai-community/gpt2",
        Revision = "main",
        Commit = "607a30d783dfa663caf39e06633721c8d4cfcd7e",
        Endpoint = "https://huggingface.co/",
        Include = ["*.json", "*.safetensors"],
        Model = "gpt2",
        ModelSpec = new ImportedModel(ModelType.Llm, ModelFramework.Pytorch, ModelVisibility.Private, "GPT-2 — 生成", ["huggingface", "text-generation"]),
        Files =
        [
            new ImportFile { Path = "config.json", Size = 665, BlobId = "10c66461e4c5a9c3f2e63f2c9e7a3e1a4e2b1f0c" },
            new ImportFile { Path = "onnx/model.safetensors", Size = 548_105_171, Sha256 = "248dfc3911869ec493c76e65bf2fcf7f615828b0254c12b473182f0f81d3a707" },
        ],
        PipelineTag = "text-generation",
        LibraryName = "transformers",
        Gated = "manual",
        CreatedBy = user ?? _user,
        Permissions = ["models.register.private", "sources.manage"],
        CreatedAt = T0.AddMinutes(minute),
        UpdatedAt = T0.AddMinutes(minute),
    };

    [Fact]
    public async Task ImportsRoundTripWholeAndATakenIdConflicts()
    {
        var import = New(1);
        var created = await Store.CreateAsync(import, CancellationToken.None);
        Assert.False(string.IsNullOrEmpty(created.ETag));
        await Assert.ThrowsAsync<ConflictException>(() => Store.CreateAsync(import, CancellationToken.None));

        var found = await Store.FindAsync(import.Id, CancellationToken.None);
        Assert.NotNull(found);
        Assert.Equal(created.ETag, found!.ETag);
        Assert.Equal((import.RepoId, import.Commit, import.Model, ImportState.Queued, T0.AddMinutes(1), "manual"),
            (found.RepoId, found.Commit, found.Model, found.State, found.CreatedAt, found.Gated));
        Assert.Equal(import.Include, found.Include);
        Assert.Equal(import.ModelSpec.Tags, found.ModelSpec.Tags);
        Assert.Equal(("GPT-2 — 生成", ModelType.Llm, ModelFramework.Pytorch), (found.ModelSpec.Description, found.ModelSpec.Type, found.ModelSpec.Framework));
        Assert.Equal(import.Permissions, found.Permissions);
        Assert.Equal(import.Files.Select(f => (f.Path, f.Size, f.Sha256, f.BlobId)), found.Files.Select(f => (f.Path, f.Size, f.Sha256, f.BlobId)));
        Assert.Null(await Store.FindAsync("hf-nothing-here", CancellationToken.None));
        Assert.Null(await Store.FindAsync("bad/id?#", CancellationToken.None));
    }

    [Fact]
    public async Task ReplaceNeedsTheCurrentETag()
    {
        var created = await Store.CreateAsync(New(2), CancellationToken.None);
        var step = created.Clone();
        step.State = ImportState.Running;
        step.Files[1].State = ImportFileState.Copying;
        step.Files[1].UploadId = "u1";
        step.Files[1].BytesDone = 5 * 1024 * 1024;
        var advanced = await Store.ReplaceAsync(step, created.ETag!, CancellationToken.None);
        Assert.NotEqual(created.ETag, advanced.ETag);

        // A cancellation written with the old ETag loses to the step that came first, and is retried on the new one.
        var cancel = created.Clone();
        cancel.CancelRequested = true;
        await Assert.ThrowsAsync<PreconditionFailedException>(() => Store.ReplaceAsync(cancel, created.ETag!, CancellationToken.None));
        await Assert.ThrowsAsync<NotFoundException>(() => Store.ReplaceAsync(New(3), "\"whatever\"", CancellationToken.None));
        var found = (await Store.FindAsync(created.Id, CancellationToken.None))!;
        Assert.Equal((ImportState.Running, ImportFileState.Copying, "u1", 5L * 1024 * 1024, false),
            (found.State, found.Files[1].State, found.Files[1].UploadId, found.Files[1].BytesDone, found.CancelRequested));
    }

    [Fact]
    public async Task ARequestersImportsComeNewestFirst()
    {
        foreach (var minute in new[] { 12, 10, 14, 11, 13 })
        {
            await Store.CreateAsync(New(minute), CancellationToken.None);
        }
        await Store.CreateAsync(New(20, user: _user + "-other"), CancellationToken.None);

        var mine = await Store.ListRecentAsync(_user, 100, CancellationToken.None);
        Assert.Equal([14, 13, 12, 11, 10], mine.Select(i => (int)(i.CreatedAt - T0).TotalMinutes));
        Assert.All(mine, i => Assert.Equal(_user, i.CreatedBy));
        Assert.Equal(mine.Take(2).Select(i => i.Id), (await Store.ListRecentAsync(_user, 2, CancellationToken.None)).Select(i => i.Id));

        var everyone = await Store.ListRecentAsync(null, 100, CancellationToken.None);
        Assert.Equal(everyone.Select(i => i.CreatedAt).OrderDescending(), everyone.Select(i => i.CreatedAt));
        Assert.Contains(everyone, i => i.CreatedBy == _user + "-other");
    }
}

public sealed class SqliteModelImportStoreContract : ModelImportStoreContract, IDisposable
{
    private readonly EmbeddedDatabase _db = new();

    public SqliteModelImportStoreContract() => Store = new SqliteModelImportStore(_db.Database);

    protected override IModelImportStore Store { get; }

    public void Dispose() => _db.Dispose();
}
