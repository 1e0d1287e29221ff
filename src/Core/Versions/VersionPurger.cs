using Microsoft.Extensions.Logging;
using ModelsHub.Core.Assets;
using ModelsHub.Core.Catalog;
using ModelsHub.Core.Storage;
using ModelsHub.Core.Uploads;

namespace ModelsHub.Core.Versions;

/// <summary>
/// Removes what an asset's versions leave in storage: deleting a model or a dataset deletes its
/// versions, its uploads and its blobs (after the asset's delete committed), and a newly registered
/// asset starts empty even if an earlier one of that name left something behind. The upload sweeper
/// repairs whatever a crash between the two writes missed.
/// </summary>
public sealed partial class VersionPurger(IVersionStore versions, IUploadSessionStore sessions, IBlobStore blobs, ILogger<VersionPurger> logger)
    : IModelChangeListener
{
    public Task OnModelChangedAsync(ModelChange change, CancellationToken cancellationToken) =>
        change.After is null ? OnAssetDeletedAsync(AssetRef.Model(change.Name), cancellationToken)
        : change.Before is null ? OnAssetCreatedAsync(AssetRef.Model(change.Name), cancellationToken)
        : Task.CompletedTask;

    /// <summary>An asset was deleted: its versions, uploads and files go too.</summary>
    public Task OnAssetDeletedAsync(AssetRef asset, CancellationToken cancellationToken) => PurgeAssetAsync(asset, cancellationToken);

    /// <summary>An asset was created: anything an earlier asset of that name left behind goes.</summary>
    public async Task OnAssetCreatedAsync(AssetRef asset, CancellationToken cancellationToken)
    {
        if (await HasLeftoversAsync(asset, cancellationToken))
        {
            LogLeftovers(logger, asset.Kind, asset.Name);
            await PurgeAssetAsync(asset, cancellationToken);
        }
    }

    /// <summary>Deletes every upload, version and blob of the asset.</summary>
    public async Task PurgeAssetAsync(AssetRef asset, CancellationToken cancellationToken)
    {
        foreach (var session in await sessions.ListForAssetAsync(asset, cancellationToken))
        {
            await blobs.DeleteAsync(session.StagingKey, cancellationToken);
            await sessions.DeleteAsync(session.Id, cancellationToken);
        }
        await versions.DeleteAllAsync(asset, cancellationToken);
        await blobs.DeletePrefixAsync(BlobKeys.ForAsset(asset), cancellationToken);
        LogPurged(logger, asset.Kind, asset.Name);
    }

    /// <summary>Deletes one version's uploads and blobs (its document is already gone).</summary>
    public async Task PurgeVersionAsync(AssetRef asset, string label, CancellationToken cancellationToken)
    {
        var versionId = AssetVersion.IdFor(label);
        foreach (var session in (await sessions.ListForAssetAsync(asset, cancellationToken)).Where(s => s.VersionId == versionId))
        {
            await blobs.DeleteAsync(session.StagingKey, cancellationToken);
            await sessions.DeleteAsync(session.Id, cancellationToken);
        }
        await blobs.DeletePrefixAsync(BlobKeys.ForVersion(asset, label), cancellationToken);
    }

    private async Task<bool> HasLeftoversAsync(AssetRef asset, CancellationToken cancellationToken)
    {
        if ((await versions.ListAsync(asset, cancellationToken)).Count > 0 || (await sessions.ListForAssetAsync(asset, cancellationToken)).Count > 0)
        {
            return true;
        }
        await foreach (var _ in blobs.ListAsync(BlobKeys.ForAsset(asset), cancellationToken))
        {
            return true;
        }
        return false;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Versions, uploads and files of {Kind} {Asset} deleted")]
    private static partial void LogPurged(ILogger logger, AssetKind kind, string asset);

    [LoggerMessage(Level = LogLevel.Warning, Message = "New {Kind} {Asset} found versions or files left by an earlier one of that name; removing them")]
    private static partial void LogLeftovers(ILogger logger, AssetKind kind, string asset);
}
