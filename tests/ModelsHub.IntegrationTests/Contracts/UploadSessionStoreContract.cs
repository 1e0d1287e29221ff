using ModelsHub.Contracts.Uploads;
using ModelsHub.Core.Assets;
using ModelsHub.Core.Common;
using ModelsHub.Core.Storage;
using ModelsHub.Core.Uploads;
using ModelsHub.Infrastructure.Sqlite;

namespace ModelsHub.IntegrationTests.Contracts;

/// <summary>What every <see cref="IUploadSessionStore"/> adapter must do; one subclass per adapter.</summary>
public abstract class UploadSessionStoreContract
{
    protected abstract IUploadSessionStore Store { get; }

    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    protected string Model { get; } = "Uc-" + Guid.NewGuid().ToString("N")[..8];

    private UploadSession New(string file = "model.bin", string version = "v1", int minute = 0, TimeSpan? lifetime = null, string? model = null, string createdBy = "olivia")
    {
        var id = Guid.NewGuid().ToString("N");
        model ??= Model;
        return new UploadSession
        {
            Id = id,
            AssetKey = AssetRef.Model(model).Key,
            Asset = model,
            VersionId = version,
            Version = version,
            FileName = file,
            Size = 12_000_000,
            DeclaredSha256 = new string('b', 64),
            ChunkSize = 5 * 1024 * 1024,
            ChunkCount = 3,
            BlobKey = BlobKeys.ForFile(AssetRef.Model(model), version, file),
            StagingKey = BlobKeys.ForUpload(id, file),
            CreatedBy = createdBy,
            CreatedAt = T0.AddMinutes(minute),
            UpdatedAt = T0.AddMinutes(minute),
            ExpiresAt = T0.AddMinutes(minute) + (lifetime ?? TimeSpan.FromDays(7)),
        };
    }

    [Fact]
    public async Task AUsersActiveUploadsAreListedAcrossModels()
    {
        var user = "quota-" + Guid.NewGuid().ToString("N")[..8];
        var here = await Store.CreateAsync(New("a.bin", createdBy: user), CancellationToken.None);
        var elsewhere = await Store.CreateAsync(New("b.bin", model: Model + "-other", createdBy: user), CancellationToken.None);
        await Store.CreateAsync(New("c.bin", createdBy: user + "-someone-else"), CancellationToken.None);
        var finished = await Store.CreateAsync(New("d.bin", createdBy: user), CancellationToken.None);
        var done = finished.Clone();
        done.Status = UploadStatus.Completed;
        await Store.ReplaceAsync(done, finished.ETag!, CancellationToken.None);
        var completing = await Store.CreateAsync(New("e.bin", createdBy: user), CancellationToken.None);
        var claimed = completing.Clone();
        claimed.Status = UploadStatus.Completing;
        await Store.ReplaceAsync(claimed, completing.ETag!, CancellationToken.None);

        var listed = await Store.ListActiveByUserAsync(user, CancellationToken.None);
        Assert.Equal(new[] { here.Id, elsewhere.Id, completing.Id }.Order(), listed.Select(s => s.Id).Order());
        Assert.Empty(await Store.ListActiveByUserAsync("nobody-" + user, CancellationToken.None));
    }

    [Fact]
    public async Task CreateThenFindKeepsEveryField()
    {
        var session = New();
        var created = await Store.CreateAsync(session, CancellationToken.None);
        Assert.False(string.IsNullOrEmpty(created.ETag));
        var found = await Store.FindAsync(session.Id, CancellationToken.None);
        Assert.NotNull(found);
        Assert.Equal((session.FileName, session.Size, session.DeclaredSha256, session.ChunkCount, session.BlobKey, session.StagingKey, session.ExpiresAt, UploadStatus.Open),
            (found!.FileName, found.Size, found.DeclaredSha256, found.ChunkCount, found.BlobKey, found.StagingKey, found.ExpiresAt, found.Status));
        Assert.Equal(created.ETag, found.ETag);
        Assert.Null(await Store.FindAsync("nope", CancellationToken.None));
    }

    [Fact]
    public async Task OneActiveUploadPerFileIgnoringCase()
    {
        var first = await Store.CreateAsync(New("Weights.bin"), CancellationToken.None);
        await Assert.ThrowsAsync<ConflictException>(() => Store.CreateAsync(New("weights.BIN"), CancellationToken.None));
        await Store.CreateAsync(New("weights.bin", version: "v2"), CancellationToken.None);

        // Once it is finished the file is free again.
        var done = first.Clone();
        done.Status = UploadStatus.Completed;
        await Store.ReplaceAsync(done, first.ETag!, CancellationToken.None);
        await Store.CreateAsync(New("weights.bin"), CancellationToken.None);
    }

    [Fact]
    public async Task ReplaceNeedsTheCurrentETagAndDeleteIsIdempotent()
    {
        var created = await Store.CreateAsync(New(), CancellationToken.None);
        var claim = created.Clone();
        claim.Status = UploadStatus.Completing;
        claim.LeaseUntil = T0.AddMinutes(5);
        var claimed = await Store.ReplaceAsync(claim, created.ETag!, CancellationToken.None);
        await Assert.ThrowsAsync<PreconditionFailedException>(() => Store.ReplaceAsync(claim, created.ETag!, CancellationToken.None));
        Assert.Equal(UploadStatus.Completing, (await Store.FindAsync(created.Id, CancellationToken.None))!.Status);

        await Store.DeleteAsync(created.Id, CancellationToken.None);
        await Store.DeleteAsync(created.Id, CancellationToken.None);
        await Assert.ThrowsAsync<NotFoundException>(() => Store.ReplaceAsync(claimed, claimed.ETag!, CancellationToken.None));
    }

    [Fact]
    public async Task ListsByModelOldestFirst()
    {
        var b = await Store.CreateAsync(New("b.bin", minute: 2), CancellationToken.None);
        var a = await Store.CreateAsync(New("a.bin", minute: 1), CancellationToken.None);
        Assert.Equal([a.Id, b.Id], (await Store.ListForAssetAsync(AssetRef.Model(Model.ToUpperInvariant()), CancellationToken.None)).Select(s => s.Id));
        Assert.Empty(await Store.ListForAssetAsync(AssetRef.Model(Model + "-none"), CancellationToken.None));
    }

    [Fact]
    public async Task DueSessionsAreTheExpiredAndThoseWhoseLeaseLapsed()
    {
        var expired = await Store.CreateAsync(New("e.bin", lifetime: TimeSpan.FromHours(1)), CancellationToken.None);
        var fresh = await Store.CreateAsync(New("f.bin"), CancellationToken.None);
        var stalled = await Store.CreateAsync(New("s.bin"), CancellationToken.None);
        var claim = stalled.Clone();
        claim.Status = UploadStatus.Completing;
        claim.LeaseUntil = T0.AddMinutes(30);
        await Store.ReplaceAsync(claim, stalled.ETag!, CancellationToken.None);

        var due = (await Store.ListDueAsync(T0.AddHours(2), 100, CancellationToken.None)).Where(s => s.AssetKey == Model.ToLowerInvariant()).Select(s => s.Id).ToList();
        Assert.Equal([stalled.Id, expired.Id], due);
        Assert.DoesNotContain(fresh.Id, due);
        Assert.Single(await Store.ListDueAsync(T0.AddHours(2), 1, CancellationToken.None));
    }
}

public sealed class SqliteUploadSessionStoreContract : UploadSessionStoreContract, IDisposable
{
    private readonly EmbeddedDatabase _db = new();

    public SqliteUploadSessionStoreContract() => Store = new SqliteUploadSessionStore(_db.Database);

    protected override IUploadSessionStore Store { get; }

    public void Dispose() => _db.Dispose();
}
