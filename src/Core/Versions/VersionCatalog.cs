using Microsoft.Extensions.Logging;
using ModelsHub.Contracts.Versions;
using ModelsHub.Contracts;
using ModelsHub.Core.Catalog;
using ModelsHub.Core.Common;
using ModelsHub.Core.Identity;
using ModelsHub.Core.Storage;
using ModelsHub.Core.Uploads;

namespace ModelsHub.Core.Versions;

/// <summary>A model's versions as a listing shows them.</summary>
public sealed record ModelVersions(HubModel Model, IReadOnlyList<ModelVersion> Versions, string SuggestedLabel);

/// <summary>
/// Adding, reading, changing and deleting versions, and the model's default version. Whoever may
/// see a model may read its versions; whoever may update it may change them.
/// </summary>
public sealed partial class VersionCatalog(
    ModelCatalog models,
    IModelStore modelStore,
    IVersionStore store,
    VersionPurger purger,
    IBlobStore blobs,
    ModelChangeNotifier notifier,
    TimeProvider clock,
    ILogger<VersionCatalog> logger)
{
    private const int MaxRetries = 20;

    public async Task<ModelVersions> ListAsync(Caller caller, string modelName, CancellationToken cancellationToken)
    {
        var model = await models.GetAsync(caller, modelName, cancellationToken);
        var versions = await store.ListAsync(model.Name, cancellationToken);
        return new ModelVersions(model, versions, VersionLabels.Suggest(versions.Select(v => v.Label)));
    }

    public async Task<(HubModel Model, ModelVersion Version)> GetAsync(Caller caller, string modelName, string label, CancellationToken cancellationToken)
    {
        var model = await models.GetAsync(caller, modelName, cancellationToken);
        var version = (VersionRules.IsValidLabel(label) ? await store.FindAsync(model.Name, label, cancellationToken) : null) ?? throw new NotFoundException("Version", $"{model.Name}/{label}");
        return (model, version);
    }

    public async Task<(ModelVersion Version, VersionFile File)> GetFileAsync(Caller caller, string modelName, string label, string fileName, CancellationToken cancellationToken)
    {
        var (model, version) = await GetAsync(caller, modelName, label, cancellationToken);
        var file = version.FindFile(fileName) ?? throw new NotFoundException("File", $"{model.Name}/{version.Label}/{fileName}");
        return (version, file);
    }

    /// <summary>The model, when the caller may change its versions (404 when hidden, 401/403 otherwise).</summary>
    public async Task<HubModel> GetForChangeAsync(Caller caller, string modelName, string what, CancellationToken cancellationToken)
    {
        var model = await models.GetAsync(caller, modelName, cancellationToken);
        ModelAccess.Demand(caller, ModelAccess.Missing(caller, model, ModelAction.Update), what);
        return model;
    }

    /// <summary>Adds a version, <see cref="VersionStatus.Uploading"/> until its first file is verified. Without a label it gets the suggested one.</summary>
    public async Task<ModelVersion> CreateAsync(Caller caller, string modelName, VersionInput input, CancellationToken cancellationToken)
    {
        var model = await GetForChangeAsync(caller, modelName, "add a version to this model", cancellationToken);
        var errors = new ValidationErrors();
        // A null label is the same as none: the hub suggests one.
        var explicitLabel = input.Label.HasValue ? input.Label.Value : null;
        if (explicitLabel is not null)
        {
            VersionRules.ValidateLabel(explicitLabel, errors);
        }
        var notes = input.Notes.GetValueOrDefault(null!) ?? "";
        VersionRules.ValidateNotes(notes, errors);
        var metrics = ApplyMetrics([], input.Metrics);
        VersionRules.ValidateMetrics(metrics, errors);
        errors.ThrowIfAny();

        for (var attempt = 0; ; attempt++)
        {
            var existing = await store.ListAsync(model.Name, cancellationToken);
            if (existing.Count >= VersionRules.MaxVersionsPerModel)
            {
                throw new ConflictException($"Model '{model.Name}' has {existing.Count} versions, the most a model keeps; delete old versions first.");
            }
            var label = explicitLabel ?? VersionLabels.Suggest(existing.Select(v => v.Label));
            var now = clock.GetUtcNow();
            var version = new ModelVersion
            {
                ModelId = model.Id,
                Model = model.Name,
                Id = ModelVersion.IdFor(label),
                Label = label,
                Notes = notes,
                Metrics = metrics,
                CreatedBy = caller.UserId!,
                CreatedAt = now,
                UpdatedAt = now,
            };
            try
            {
                var created = await store.CreateAsync(version, cancellationToken);
                LogCreated(logger, model.Name, created.Label, caller.UserId);
                return created;
            }
            catch (ConflictException) when (explicitLabel is null && attempt < 5)
            {
                // Another request took the suggested label first; suggest again from the new list.
            }
        }
    }

    /// <param name="ifMatch">The version's ETag, or <see cref="ModelCatalog.AnyETag"/>; null is refused (428).</param>
    public async Task<ModelVersion> UpdateAsync(Caller caller, string modelName, string label, VersionInput changes, string? ifMatch, CancellationToken cancellationToken)
    {
        var model = await GetForChangeAsync(caller, modelName, "change this model's versions", cancellationToken);
        var current = await store.FindAsync(model.Name, label, cancellationToken) ?? throw new NotFoundException("Version", $"{model.Name}/{label}");
        ifMatch = ifMatch == ModelCatalog.AnyETag ? current.ETag! : ifMatch ?? throw new PreconditionRequiredException();
        var errors = new ValidationErrors();
        if (changes.Label.HasValue && !string.Equals(changes.Label.Value, current.Label, StringComparison.Ordinal))
        {
            errors.Add("label", "A version's label cannot change (its files are stored under it); add a new version instead.");
        }
        var next = current.Clone();
        if (changes.Notes.HasValue) next.Notes = changes.Notes.Value ?? "";
        next.Metrics = ApplyMetrics(next.Metrics, changes.Metrics);
        VersionRules.ValidateNotes(next.Notes, errors);
        VersionRules.ValidateMetrics(next.Metrics, errors);
        errors.ThrowIfAny();

        if (next.Notes == current.Notes && next.Metrics.SequenceEqual(current.Metrics))
        {
            return string.Equals(current.ETag, ifMatch, StringComparison.Ordinal) ? current : throw new PreconditionFailedException("Version", $"{model.Name}/{current.Label}");
        }
        next.UpdatedAt = clock.GetUtcNow();
        var saved = await store.ReplaceAsync(next, ifMatch, cancellationToken);
        LogUpdated(logger, model.Name, saved.Label, caller.UserId);
        return saved;
    }

    /// <summary>Deletes a version, its uploads and its files; refused for the model's last version.</summary>
    public async Task DeleteAsync(Caller caller, string modelName, string label, string? ifMatch, CancellationToken cancellationToken)
    {
        var model = await GetForChangeAsync(caller, modelName, "delete this model's versions", cancellationToken);
        _ = ifMatch ?? throw new PreconditionRequiredException("Send If-Match with the version's ETag to confirm which version you delete.");
        var current = await store.FindAsync(model.Name, label, cancellationToken) ?? throw new NotFoundException("Version", $"{model.Name}/{label}");
        await store.DeleteAsync(model.Name, current.Label, ifMatch == ModelCatalog.AnyETag ? current.ETag : ifMatch, cancellationToken);
        LogDeleted(logger, model.Name, current.Label, caller.UserId);
        await purger.PurgeVersionAsync(model.Name, current.Label, cancellationToken);
        await RefreshDefaultAsync(model.Name, cancellationToken);
    }

    /// <summary>Pins the default version (it must be ready), or with a null label lets it follow the newest ready version again.</summary>
    public async Task<HubModel> SetDefaultAsync(Caller caller, string modelName, string? label, CancellationToken cancellationToken)
    {
        var visible = await GetForChangeAsync(caller, modelName, "choose this model's default version", cancellationToken);
        for (var attempt = 0; attempt < MaxRetries; attempt++)
        {
            var model = await modelStore.FindAsync(visible.Name, cancellationToken) ?? throw new NotFoundException("Model", modelName);
            var versions = await store.ListAsync(model.Name, cancellationToken);
            string? target;
            if (label is null)
            {
                target = NewestReady(versions)?.Label;
            }
            else
            {
                var version = versions.FirstOrDefault(v => v.Id == ModelVersion.IdFor(label)) ?? throw new NotFoundException("Version", $"{model.Name}/{label}");
                if (version.Status != VersionStatus.Ready)
                {
                    throw new ConflictException($"Only a ready version can be the default; '{version.Label}' is {EnumNames<VersionStatus>.NameOf(version.Status)}.", "label");
                }
                target = version.Label;
            }
            try
            {
                var saved = await SaveDefaultAsync(model, target, label is not null, cancellationToken);
                LogDefaultSet(logger, model.Name, target, label is not null, caller.UserId);
                return saved;
            }
            catch (PreconditionFailedException)
            {
                // The model changed meanwhile (an edit, another version becoming ready): read it again.
            }
        }
        throw new ConflictException("The model kept changing while its default version was being set; try again.");
    }

    /// <summary>Points the model at the pinned version while it is ready, else at the newest ready one.</summary>
    public async Task<HubModel?> RefreshDefaultAsync(string modelName, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < MaxRetries; attempt++)
        {
            var model = await modelStore.FindAsync(modelName, cancellationToken);
            if (model is null)
            {
                return null;
            }
            var versions = await store.ListAsync(model.Name, cancellationToken);
            var (label, pinned) = DefaultFor(model, versions);
            if (model.DefaultVersion == label && model.DefaultVersionPinned == pinned)
            {
                return model;
            }
            try
            {
                return await SaveDefaultAsync(model, label, pinned, cancellationToken);
            }
            catch (PreconditionFailedException)
            {
            }
            catch (NotFoundException)
            {
                return null;
            }
        }
        LogDefaultNotRefreshed(logger, modelName);
        return null;
    }

    public static (string? Label, bool Pinned) DefaultFor(HubModel model, IReadOnlyList<ModelVersion> versions)
    {
        if (model.DefaultVersionPinned && model.DefaultVersion is { } chosen
            && versions.FirstOrDefault(v => v.Status == VersionStatus.Ready && v.Id == ModelVersion.IdFor(chosen)) is { } pinned)
        {
            return (pinned.Label, true);
        }
        return (NewestReady(versions)?.Label, false);
    }

    private static ModelVersion? NewestReady(IEnumerable<ModelVersion> versions) =>
        versions.Where(v => v.Status == VersionStatus.Ready).OrderBy(v => v.CreatedAt).ThenBy(v => v.Id, StringComparer.Ordinal).LastOrDefault();

    private async Task<HubModel> SaveDefaultAsync(HubModel model, string? label, bool pinned, CancellationToken cancellationToken)
    {
        var next = model.Clone();
        next.DefaultVersion = label;
        next.DefaultVersionPinned = pinned;
        var saved = await modelStore.ReplaceAsync(next, model.ETag!, cancellationToken);
        await notifier.NotifyAsync(new ModelChange(model.Name, model, saved), cancellationToken);
        return saved;
    }

    /// <summary>Adds (or replaces) a verified file; the version becomes ready and the model's default follows.</summary>
    public async Task<ModelVersion> RecordFileAsync(UploadSession session, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var current = await store.FindAsync(session.Model, session.Version, cancellationToken);
            if (current is null || !session.IsFor(current))
            {
                // A version added again under the same label is another version: this file is not its file.
                throw new NotFoundException("Version", $"{session.Model}/{session.Version}");
            }
            var now = clock.GetUtcNow();
            var next = current.Clone();
            var replaced = next.FindFile(session.FileName);
            next.Files.RemoveAll(f => string.Equals(f.Name, session.FileName, StringComparison.OrdinalIgnoreCase));
            next.Files.Add(new VersionFile(session.FileName, session.Size, session.Sha256!, session.ContentType, now));
            next.Files.Sort((a, b) => StringComparer.OrdinalIgnoreCase.Compare(a.Name, b.Name));
            next.Status = VersionStatus.Ready;
            next.FailureReason = null;
            next.ReadyAt ??= now;
            next.UpdatedAt = now;
            try
            {
                var saved = await store.ReplaceAsync(next, current.ETag!, cancellationToken);
                if (replaced is not null && replaced.Name != session.FileName)
                {
                    // Same file in another spelling: the old key is no longer referenced on case-sensitive stores.
                    await blobs.DeleteAsync(BlobKeys.ForFile(session.Model, session.Version, replaced.Name), cancellationToken);
                }
                LogFileRecorded(logger, session.Model, saved.Label, session.FileName, session.Size);
                await RefreshDefaultAsync(session.Model, cancellationToken);
                return saved;
            }
            catch (PreconditionFailedException) when (attempt < MaxRetries)
            {
            }
        }
    }

    /// <summary>Whether the version the upload was opened for still exists (not deleted, nor replaced by another with its label).</summary>
    public async Task<bool> IsCurrentAsync(UploadSession session, CancellationToken cancellationToken) =>
        await store.FindAsync(session.Model, session.Version, cancellationToken) is { } current && session.IsFor(current);

    /// <summary>
    /// Takes back a version just added whose first upload could not be opened, so a failed
    /// create-with-file leaves nothing behind. A version someone changed meanwhile stays.
    /// </summary>
    public async Task DiscardAsync(ModelVersion created, CancellationToken cancellationToken)
    {
        try
        {
            await store.DeleteAsync(created.Model, created.Label, created.ETag, cancellationToken);
        }
        catch (ConflictException)
        {
            // The store keeps a model's last version; the model had none before this one.
            if (await store.ListAsync(created.Model, cancellationToken) is not [var only] || only.ETag != created.ETag)
            {
                return;
            }
            await store.DeleteAllAsync(created.Model, cancellationToken);
        }
        catch (PreconditionFailedException)
        {
            return;
        }
        await purger.PurgeVersionAsync(created.Model, created.Label, cancellationToken);
        await RefreshDefaultAsync(created.Model, cancellationToken);
        LogDiscarded(logger, created.Model, created.Label);
    }

    /// <summary>A version without files fails with the reason; one that already has files stays as it was.</summary>
    public Task RecordFailureAsync(UploadSession session, string reason, CancellationToken cancellationToken) =>
        ChangeStatusAsync(session.Model, session.Version, v => session.IsFor(v) && v.Files.Count == 0 && v.Status != VersionStatus.Failed,
            v => (v.Status, v.FailureReason) = (VersionStatus.Failed, reason), cancellationToken);

    /// <summary>A failed version without files goes back to uploading when a new upload opens for it.</summary>
    public Task RecordRetryAsync(string modelName, string label, CancellationToken cancellationToken) =>
        ChangeStatusAsync(modelName, label, v => v.Files.Count == 0 && v.Status == VersionStatus.Failed,
            v => (v.Status, v.FailureReason) = (VersionStatus.Uploading, null), cancellationToken);

    /// <summary>
    /// Fails versions still waiting for a first file long after any upload could have finished, and
    /// repairs the model's default pointer (a crash may have come between a file and the pointer).
    /// </summary>
    public async Task<int> SettleAsync(HubModel model, IReadOnlyList<UploadSession> sessions, DateTimeOffset staleBefore, CancellationToken cancellationToken)
    {
        var settled = 0;
        foreach (var version in await store.ListAsync(model.Name, cancellationToken))
        {
            if (version.Status == VersionStatus.Uploading && version.Files.Count == 0 && version.CreatedAt < staleBefore
                && !sessions.Any(s => s.IsActive && s.VersionId == version.Id))
            {
                await ChangeStatusAsync(model.Name, version.Label, v => v.Status == VersionStatus.Uploading && v.Files.Count == 0,
                    v => (v.Status, v.FailureReason) = (VersionStatus.Failed, "No file was uploaded before the upload window closed; start a new upload."),
                    cancellationToken);
                settled++;
            }
        }
        await RefreshDefaultAsync(model.Name, cancellationToken);
        return settled;
    }

    private async Task ChangeStatusAsync(string modelName, string label, Func<ModelVersion, bool> when, Action<ModelVersion> change, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < MaxRetries; attempt++)
        {
            var current = await store.FindAsync(modelName, label, cancellationToken);
            if (current is null || !when(current))
            {
                return;
            }
            var next = current.Clone();
            change(next);
            next.UpdatedAt = clock.GetUtcNow();
            try
            {
                await store.ReplaceAsync(next, current.ETag!, cancellationToken);
                return;
            }
            catch (PreconditionFailedException)
            {
            }
            catch (NotFoundException)
            {
                return;
            }
        }
    }

    private static Dictionary<string, double> ApplyMetrics(Dictionary<string, double> metrics, Optional<IReadOnlyDictionary<string, double?>> changes)
    {
        if (!changes.HasValue)
        {
            return new Dictionary<string, double>(metrics, StringComparer.Ordinal);
        }
        // "metrics": null clears them all (merge-patch semantics); a null value removes one.
        var result = changes.Value is null ? new Dictionary<string, double>(StringComparer.Ordinal) : new Dictionary<string, double>(metrics, StringComparer.Ordinal);
        if (changes.Value is null)
        {
            return result;
        }
        foreach (var (name, value) in changes.Value)
        {
            if (value is { } number)
            {
                result[name] = number;
            }
            else
            {
                result.Remove(name);
            }
        }
        return result;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Version {Label} of model {Model} added by {User}")]
    private static partial void LogCreated(ILogger logger, string model, string label, string? user);

    [LoggerMessage(Level = LogLevel.Information, Message = "Version {Label} of model {Model} taken back: its first upload could not be opened")]
    private static partial void LogDiscarded(ILogger logger, string model, string label);

    [LoggerMessage(Level = LogLevel.Information, Message = "Version {Label} of model {Model} updated by {User}")]
    private static partial void LogUpdated(ILogger logger, string model, string label, string? user);

    [LoggerMessage(Level = LogLevel.Information, Message = "Version {Label} of model {Model} deleted by {User}")]
    private static partial void LogDeleted(ILogger logger, string model, string label, string? user);

    [LoggerMessage(Level = LogLevel.Information, Message = "Default version of model {Model} set to {Label} (pinned: {Pinned}) by {User}")]
    private static partial void LogDefaultSet(ILogger logger, string model, string? label, bool pinned, string? user);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Default version of model {Model} could not be refreshed (the model kept changing); the upload sweeper repairs it")]
    private static partial void LogDefaultNotRefreshed(ILogger logger, string model);

    [LoggerMessage(Level = LogLevel.Information, Message = "File {File} ({Size} bytes) verified into version {Label} of model {Model}")]
    private static partial void LogFileRecorded(ILogger logger, string model, string label, string file, long size);
}
