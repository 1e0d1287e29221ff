using Microsoft.Data.Sqlite;
using ModelsHub.Contracts.Uploads;
using ModelsHub.Contracts.Versions;
using ModelsHub.Core.Assets;
using ModelsHub.Infrastructure.Sqlite;

namespace ModelsHub.IntegrationTests.Contracts;

/// <summary>A database written before datasets existed (versions and uploads keyed by model) opens with its data intact.</summary>
public sealed class SqliteSchemaMigrationTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "modelshub-migration", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public async Task VersionsAndUploadsKeyedByModelAreReadAfterTheMove()
    {
        using (var old = new EmbeddedDatabase(_directory, open: false))
        {
            using var connection = new SqliteConnection($"Data Source={old.Options.Value.DatabasePath}");
            connection.Open();
            using var command = connection.CreateCommand();
            // The tables as the hub created them before datasets, with one version and one upload of model "Qwen3".
            command.CommandText = """
                CREATE TABLE model_versions (model_id TEXT NOT NULL, id TEXT NOT NULL, created_at INTEGER NOT NULL, etag TEXT NOT NULL, doc TEXT NOT NULL,
                    PRIMARY KEY (model_id, id)) WITHOUT ROWID;
                CREATE TABLE upload_sessions (id TEXT PRIMARY KEY, model_id TEXT NOT NULL, active_key TEXT NULL UNIQUE, due_at INTEGER NOT NULL, etag TEXT NOT NULL, doc TEXT NOT NULL);
                CREATE INDEX ix_upload_sessions_model ON upload_sessions(model_id);
                INSERT INTO model_versions VALUES ('qwen3', 'v1', 1, 'e1',
                    '{"modelId":"qwen3","model":"Qwen3","id":"v1","label":"v1","status":"ready","createdBy":"ada","createdAt":"2026-01-01T00:00:00+00:00","updatedAt":"2026-01-01T00:00:00+00:00"}');
                INSERT INTO upload_sessions VALUES ('u1', 'qwen3', 'models/qwen3/v1/m.bin', 9999999999999, 'e2',
                    '{"id":"u1","modelId":"qwen3","model":"Qwen3","versionId":"v1","version":"v1","fileName":"m.bin","size":3,"blobKey":"models/qwen3/v1/m.bin","stagingKey":"uploads/u1/m.bin","createdBy":"ada","expiresAt":"2099-01-01T00:00:00+00:00"}');
                """;
            command.ExecuteNonQuery();
        }

        // Twice: the second start finds nothing left to move.
        for (var start = 0; start < 2; start++)
        {
            using var db = new EmbeddedDatabase(_directory);
            var version = await new SqliteVersionStore(db.Database).FindAsync(AssetRef.Model("qwen3"), "v1", CancellationToken.None);
            Assert.Equal((AssetKind.Model, "qwen3", "Qwen3", VersionStatus.Ready, "e1"), (version!.Kind, version.AssetKey, version.Asset, version.Status, version.ETag));
            var sessions = new SqliteUploadSessionStore(db.Database);
            var session = Assert.Single(await sessions.ListForAssetAsync(AssetRef.Model("Qwen3"), CancellationToken.None));
            Assert.Equal(("u1", UploadStatus.Open, "Qwen3"), (session.Id, session.Status, session.Asset));
            // One active upload per file still holds on the moved table.
            var again = session.Clone();
            await Assert.ThrowsAsync<Core.Common.ConflictException>(() => sessions.CreateAsync(CloneWithId(again, "u2"), CancellationToken.None));
        }
    }

    private static Core.Uploads.UploadSession CloneWithId(Core.Uploads.UploadSession session, string id) => new()
    {
        Id = id, Kind = session.Kind, AssetKey = session.AssetKey, Asset = session.Asset, VersionId = session.VersionId, Version = session.Version,
        FileName = session.FileName, Size = session.Size, BlobKey = session.BlobKey, StagingKey = $"uploads/{id}/{session.FileName}", CreatedBy = session.CreatedBy,
        ExpiresAt = session.ExpiresAt,
    };
}
