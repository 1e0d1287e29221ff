using Microsoft.Extensions.Logging;
using ModelsHub.Core.Catalog;
using ModelsHub.Core.Storage;
using ModelsHub.Core.Uploads;

namespace ModelsHub.Core.Versions;

/// <summary>
/// Removes what a model's versions leave in storage: deleting a model deletes its versions, its
/// uploads and its blobs (after the model's delete committed), and a newly registered model starts
/// empty even if an earlier model of that name left something behind. The upload sweeper repairs
/// whatever a crash between the two writes missed.
/// </summary>
public sealed partial class VersionPurger(IVersionStore versions, IUploadSessionStore sessions, IBlobStore blobs, ILogger<VersionPurger> logger)
    : IModelChangeListener
{
    public async Task OnModelChangedAsync(ModelChange change, CancellationToken cancellationToken)
    {
        if (change.After is null)
        {
            await PurgeModelAsync(change.Name, cancellationToken);
        }
        else if (change.Before is null && await HasLeftoversAsync(change.Name, cancellationToken))
        {
            LogLeftovers(logger, change.Name);
            await PurgeModelAsync(change.Name, cancellationToken);
        }
    }

    /// <summary>Deletes every upload, version and blob of the model (by name or id).</summary>
    public async Task PurgeModelAsync(string modelName, CancellationToken cancellationToken)
    {
        foreach (var session in await sessions.ListForModelAsync(modelName, cancellationToken))
        {
            await blobs.DeleteAsync(session.StagingKey, cancellationToken);
            await sessions.DeleteAsync(session.Id, cancellationToken);
        }
        await versions.DeleteAllAsync(modelName, cancellationToken);
        await blobs.DeletePrefixAsync(BlobKeys.ForModel(modelName), cancellationToken);
        LogPurged(logger, modelName);
    }

    /// <summary>Deletes one version's uploads and blobs (its document is already gone).</summary>
    public async Task PurgeVersionAsync(string modelName, string label, CancellationToken cancellationToken)
    {
        var versionId = ModelVersion.IdFor(label);
        foreach (var session in (await sessions.ListForModelAsync(modelName, cancellationToken)).Where(s => s.VersionId == versionId))
        {
            await blobs.DeleteAsync(session.StagingKey, cancellationToken);
            await sessions.DeleteAsync(session.Id, cancellationToken);
        }
        await blobs.DeletePrefixAsync(BlobKeys.ForVersion(modelName, label), cancellationToken);
    }

    private async Task<bool> HasLeftoversAsync(string modelName, CancellationToken cancellationToken)
    {
        if ((await versions.ListAsync(modelName, cancellationToken)).Count > 0 || (await sessions.ListForModelAsync(modelName, cancellationToken)).Count > 0)
        {
            return true;
        }
        await foreach (var _ in blobs.ListAsync(BlobKeys.ForModel(modelName), cancellationToken))
        {
            return true;
        }
        return false;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Versions, uploads and files of model {Model} deleted")]
    private static partial void LogPurged(ILogger logger, string model);

    [LoggerMessage(Level = LogLevel.Warning, Message = "New model {Model} found versions or files left by an earlier model of that name; removing them")]
    private static partial void LogLeftovers(ILogger logger, string model);
}
