using Microsoft.Extensions.Logging;
using ModelsHub.Contracts;
using ModelsHub.Contracts.Versions;
using ModelsHub.Core.Assets;
using ModelsHub.Core.Common;
using ModelsHub.Core.Events;
using ModelsHub.Core.Identity;
using ModelsHub.Core.Storage;
using ModelsHub.Core.Uploads;

namespace ModelsHub.Core.Versions;

/// <summary>An asset's versions as a listing shows them.</summary>
public sealed record AssetVersions(VersionedAsset Asset, IReadOnlyList<AssetVersion> Versions, string SuggestedLabel);

/// <summary>A link that reads one version's file without other credentials until <see cref="ExpiresAt"/>; a relative <see cref="Url"/> is resolved against the hub's own address.</summary>
public sealed record VersionFileLink(AssetVersionRef Version, VersionFile File, Uri Url, DateTimeOffset ExpiresAt);

/// <summary>
/// Adding, reading, changing and deleting the versions of models and datasets, and their default
/// version: one mechanism for every <see cref="AssetKind"/>, with the kind's own rules asked of its
/// <see cref="IVersionedAssets"/>. Whoever may see an asset may read its versions; whoever may change
/// it may change them.
/// </summary>
public sealed partial class VersionCatalog(
    IEnumerable<IVersionedAssets> kinds,
    IVersionStore store,
    VersionPurger purger,
    IBlobStore blobs,
    HubEvents events,
    TimeProvider clock,
    ILogger<VersionCatalog> logger)
{
    private const int MaxRetries = 20;

    private readonly Dictionary<AssetKind, IVersionedAssets> _kinds = kinds.ToDictionary(k => k.Kind);

    /// <summary>The kind-specific side of <paramref name="kind"/>.</summary>
    public IVersionedAssets Assets(AssetKind kind) =>
        _kinds.TryGetValue(kind, out var assets) ? assets : throw new InvalidOperationException($"No {nameof(IVersionedAssets)} is registered for {kind}.");

    public async Task<AssetVersions> ListAsync(Caller caller, AssetRef asset, CancellationToken cancellationToken)
    {
        var found = await Assets(asset.Kind).GetAsync(caller, asset.Name, cancellationToken);
        var versions = await store.ListAsync(found.Ref, cancellationToken);
        return new AssetVersions(found, versions, VersionLabels.Suggest(versions.Select(v => v.Label)));
    }

    public async Task<(VersionedAsset Asset, AssetVersion Version)> GetAsync(Caller caller, AssetRef asset, string label, CancellationToken cancellationToken)
    {
        var found = await Assets(asset.Kind).GetAsync(caller, asset.Name, cancellationToken);
        var version = (VersionRules.IsValidLabel(label) ? await store.FindAsync(found.Ref, label, cancellationToken) : null) ?? throw VersionNotFound(found.Ref, label);
        return (found, version);
    }

    public async Task<(AssetVersion Version, VersionFile File)> GetFileAsync(Caller caller, AssetRef asset, string label, string fileName, CancellationToken cancellationToken)
    {
        var (found, version) = await GetAsync(caller, asset, label, cancellationToken);
        var file = version.FindFile(fileName) ?? throw new NotFoundException("File", $"{found.Ref.Name}/{version.Label}/{fileName}");
        return (version, file);
    }

    /// <summary>
    /// A short-lived link that reads a version's file with no other credential (a read SAS in Azure, a
    /// signed hub URL in the embedded profile): what a trainer is handed for its inputs. Without
    /// <paramref name="fileName"/> the version must hold exactly one file. The caller must be allowed to
    /// see the asset; whether the version must be ready is the caller's rule.
    /// </summary>
    public async Task<VersionFileLink> GetReadLinkAsync(Caller caller, AssetVersionRef version, string? fileName, TimeSpan lifetime, CancellationToken cancellationToken)
    {
        var (asset, found) = await GetAsync(caller, version.Asset, version.Label, cancellationToken);
        var file = fileName is not null
            ? found.FindFile(fileName) ?? throw new NotFoundException("File", $"{asset.Ref.Name}/{found.Label}/{fileName}")
            : found.Files switch
            {
                [var only] => only,
                [] => throw new ConflictException($"{Describe(found)} has no verified file yet.", "file"),
                _ => throw new ValidationException("file", $"{Describe(found)} has {found.Files.Count} files; name one ({string.Join(", ", found.Files.Select(f => f.Name))})."),
            };
        var expiresAt = clock.GetUtcNow() + lifetime;
        var url = await blobs.GetReadUrlAsync(BlobKeys.ForFile(found.Ref, file.Name), file.Name, expiresAt, cancellationToken);
        return new VersionFileLink(found.Ref, file, url, expiresAt);
    }

    /// <summary>The asset, when the caller may change its versions (404 when hidden, 401/403 otherwise).</summary>
    public Task<VersionedAsset> GetForChangeAsync(Caller caller, AssetRef asset, string what, CancellationToken cancellationToken) =>
        Assets(asset.Kind).GetForChangeAsync(caller, asset.Name, what, cancellationToken);

    /// <summary>Adds a version, <see cref="VersionStatus.Uploading"/> until its first file is verified. Without a label it gets the suggested one.</summary>
    public async Task<AssetVersion> CreateAsync(Caller caller, AssetRef asset, VersionInput input, CancellationToken cancellationToken)
    {
        var owner = await GetForChangeAsync(caller, asset, $"add a version to this {asset.Kind.Noun()}", cancellationToken);
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
            var existing = await store.ListAsync(owner.Ref, cancellationToken);
            if (existing.Count >= VersionRules.MaxVersionsPerAsset)
            {
                throw new ConflictException($"{asset.Kind.Title()} '{owner.Ref.Name}' has {existing.Count} versions, the most one keeps; delete old versions first.");
            }
            var label = explicitLabel ?? VersionLabels.Suggest(existing.Select(v => v.Label));
            var version = AssetVersion.New(owner.Ref, label, caller.UserId!, clock.GetUtcNow());
            version.Notes = notes;
            version.Metrics = metrics;
            version.AwaitedFiles = [.. input.AwaitedFiles];
            try
            {
                var created = await store.CreateAsync(version, cancellationToken);
                LogCreated(logger, asset.Kind, owner.Ref.Name, created.Label, caller.UserId);
                return created;
            }
            catch (ConflictException) when (explicitLabel is null && attempt < 5)
            {
                // Another request took the suggested label first; suggest again from the new list.
            }
        }
    }

    /// <summary>
    /// Adds version <paramref name="label"/> to an asset for a process authorized otherwise (a training job's
    /// output, on behalf of its starter), with what <paramref name="init"/> sets (notes, lineage). The asset's
    /// version limit holds; a taken label is the store's <see cref="ConflictException"/> on <c>label</c>.
    /// </summary>
    public async Task<AssetVersion> AddAsync(AssetRef asset, string label, string createdBy, Action<AssetVersion> init, CancellationToken cancellationToken)
    {
        var owner = await Assets(asset.Kind).FindAsync(asset.Name, cancellationToken) ?? throw new NotFoundException(asset.Kind.Title(), asset.Name);
        var existing = await store.ListAsync(owner.Ref, cancellationToken);
        if (existing.Count >= VersionRules.MaxVersionsPerAsset)
        {
            throw new ConflictException($"{asset.Kind.Title()} '{owner.Ref.Name}' has {existing.Count} versions, the most one keeps; delete old versions first.");
        }
        var version = AssetVersion.New(owner.Ref, label, createdBy, clock.GetUtcNow());
        init(version);
        var created = await store.CreateAsync(version, cancellationToken);
        LogCreated(logger, asset.Kind, owner.Ref.Name, created.Label, createdBy);
        return created;
    }

    /// <summary>The version as stored whoever asks (a workflow), or null.</summary>
    public Task<AssetVersion?> FindAsync(AssetVersionRef version, CancellationToken cancellationToken) =>
        VersionRules.IsValidLabel(version.Label) ? store.FindAsync(version.Asset, version.Label, cancellationToken) : Task.FromResult<AssetVersion?>(null);

    /// <summary>An asset's versions whoever asks (a workflow), oldest first.</summary>
    public Task<IReadOnlyList<AssetVersion>> ListAsync(AssetRef asset, CancellationToken cancellationToken) => store.ListAsync(asset, cancellationToken);

    /// <param name="ifMatch">The version's ETag, or <see cref="ETags.Any"/>; null is refused (428).</param>
    public async Task<AssetVersion> UpdateAsync(Caller caller, AssetRef asset, string label, VersionInput changes, string? ifMatch, CancellationToken cancellationToken)
    {
        var owner = await GetForChangeAsync(caller, asset, $"change this {asset.Kind.Noun()}'s versions", cancellationToken);
        var current = await store.FindAsync(owner.Ref, label, cancellationToken) ?? throw VersionNotFound(owner.Ref, label);
        ifMatch = ifMatch == ETags.Any ? current.ETag! : ifMatch ?? throw new PreconditionRequiredException();
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
            return string.Equals(current.ETag, ifMatch, StringComparison.Ordinal) ? current : throw new PreconditionFailedException("Version", $"{owner.Ref.Name}/{current.Label}");
        }
        next.UpdatedAt = clock.GetUtcNow();
        var saved = await store.ReplaceAsync(next, ifMatch, cancellationToken);
        LogUpdated(logger, asset.Kind, owner.Ref.Name, saved.Label, caller.UserId);
        return saved;
    }

    /// <summary>Deletes a version, its uploads and its files; refused for the asset's last version.</summary>
    public async Task DeleteAsync(Caller caller, AssetRef asset, string label, string? ifMatch, CancellationToken cancellationToken)
    {
        var owner = await GetForChangeAsync(caller, asset, $"delete this {asset.Kind.Noun()}'s versions", cancellationToken);
        _ = ifMatch ?? throw new PreconditionRequiredException("Send If-Match with the version's ETag to confirm which version you delete.");
        var current = await store.FindAsync(owner.Ref, label, cancellationToken) ?? throw VersionNotFound(owner.Ref, label);
        await store.DeleteAsync(owner.Ref, current.Label, ifMatch == ETags.Any ? current.ETag : ifMatch, cancellationToken);
        LogDeleted(logger, asset.Kind, owner.Ref.Name, current.Label, caller.UserId);
        await purger.PurgeVersionAsync(owner.Ref, current.Label, cancellationToken);
        await RefreshDefaultAsync(owner.Ref, cancellationToken);
    }

    /// <summary>Pins the default version (it must be ready), or with a null label lets it follow the newest ready version again.</summary>
    public async Task<VersionedAsset> SetDefaultAsync(Caller caller, AssetRef asset, string? label, CancellationToken cancellationToken)
    {
        var kind = Assets(asset.Kind);
        var visible = await kind.GetForChangeAsync(caller, asset.Name, $"choose this {asset.Kind.Noun()}'s default version", cancellationToken);
        for (var attempt = 0; attempt < MaxRetries; attempt++)
        {
            var current = await kind.FindAsync(visible.Ref.Name, cancellationToken) ?? throw new NotFoundException(asset.Kind.Title(), asset.Name);
            var versions = await store.ListAsync(current.Ref, cancellationToken);
            DefaultVersion target;
            if (label is null)
            {
                target = new DefaultVersion(NewestReady(versions)?.Label, false);
            }
            else
            {
                var version = versions.FirstOrDefault(v => v.Id == AssetVersion.IdFor(label)) ?? throw VersionNotFound(current.Ref, label);
                if (version.Status != VersionStatus.Ready)
                {
                    throw new ConflictException($"Only a ready version can be the default; '{version.Label}' is {EnumNames<VersionStatus>.NameOf(version.Status)}.", "label");
                }
                target = new DefaultVersion(version.Label, true);
            }
            try
            {
                var saved = await kind.SaveVersionSummaryAsync(current, target, versions, cancellationToken);
                LogDefaultSet(logger, asset.Kind, current.Ref.Name, target.Label, target.Pinned, caller.UserId);
                return saved;
            }
            catch (PreconditionFailedException)
            {
                // The asset changed meanwhile (an edit, another version becoming ready): read it again.
            }
        }
        throw new ConflictException($"The {asset.Kind.Noun()} kept changing while its default version was being set; try again.");
    }

    /// <summary>
    /// Brings what the asset shows of its versions up to date: the pinned version while it is ready,
    /// else the newest ready one, and whatever else its kind derives from its versions.
    /// </summary>
    public async Task<VersionedAsset?> RefreshDefaultAsync(AssetRef asset, CancellationToken cancellationToken)
    {
        var kind = Assets(asset.Kind);
        for (var attempt = 0; attempt < MaxRetries; attempt++)
        {
            var current = await kind.FindAsync(asset.Name, cancellationToken);
            if (current is null)
            {
                return null;
            }
            var versions = await store.ListAsync(current.Ref, cancellationToken);
            try
            {
                return await kind.SaveVersionSummaryAsync(current, DefaultFor(current, versions), versions, cancellationToken);
            }
            catch (PreconditionFailedException)
            {
            }
            catch (NotFoundException)
            {
                return null;
            }
        }
        LogDefaultNotRefreshed(logger, asset.Kind, asset.Name);
        return null;
    }

    public static DefaultVersion DefaultFor(VersionedAsset asset, IReadOnlyList<AssetVersion> versions)
    {
        if (asset.Default is { Pinned: true, Label: { } chosen }
            && versions.FirstOrDefault(v => v.Status == VersionStatus.Ready && v.Id == AssetVersion.IdFor(chosen)) is { } pinned)
        {
            return new DefaultVersion(pinned.Label, true);
        }
        return new DefaultVersion(NewestReady(versions)?.Label, false);
    }

    /// <summary>The newest version that is ready, if any.</summary>
    public static AssetVersion? NewestReady(IEnumerable<AssetVersion> versions) =>
        versions.Where(v => v.Status == VersionStatus.Ready).OrderBy(v => v.CreatedAt).ThenBy(v => v.Id, StringComparer.Ordinal).LastOrDefault();

    /// <summary>
    /// Why the version an upload was opened for cannot take its file now, or null when it can: it was
    /// deleted (or added again under the same label), or it keeps a single file and already has another.
    /// </summary>
    public async Task<string?> RefusalOfAsync(UploadSession session, CancellationToken cancellationToken)
    {
        var current = await store.FindAsync(session.AssetRef, session.Version, cancellationToken);
        if (current is null || !session.IsFor(current))
        {
            return "The version was deleted while this file was being verified.";
        }
        var asset = await Assets(session.Kind).FindAsync(session.Asset, cancellationToken);
        return asset is null ? $"The {session.Kind.Noun()} was deleted while this file was being verified." : SingleFileRefusal(asset.Files, current, session);
    }

    private static string? SingleFileRefusal(VersionFilePolicy files, AssetVersion version, UploadSession session) =>
        files.SingleFile && version.Files.Count > 0 && !version.Files.Any(f => f.Name == session.FileName && f.Sha256 == session.Sha256)
            ? $"{Describe(version)} already holds its file '{version.Files[0].Name}' and keeps it; add a new version for other content."
            : null;

    /// <summary>
    /// Adds (or replaces) a verified file; the version takes its kind's <see cref="IVersionedAssets.StatusOnceVerified"/>
    /// (ready, or validating) once no other declared file is awaited, and the kind hears of it. Recording the same file again changes nothing
    /// for a single-file version, and tells the kind again (it may have missed it).
    /// </summary>
    /// <exception cref="NotFoundException">The version (or its asset) is gone.</exception>
    /// <exception cref="ConflictException">The version keeps a single file and already holds another.</exception>
    public async Task<AssetVersion> RecordFileAsync(UploadSession session, CancellationToken cancellationToken)
    {
        var kind = Assets(session.Kind);
        var asset = await kind.FindAsync(session.Asset, cancellationToken) ?? throw new NotFoundException(session.Kind.Title(), session.Asset);
        for (var attempt = 0; ; attempt++)
        {
            var current = await store.FindAsync(session.AssetRef, session.Version, cancellationToken);
            if (current is null || !session.IsFor(current))
            {
                // A version added again under the same label is another version: this file is not its file.
                throw VersionNotFound(session.AssetRef, session.Version);
            }
            if (SingleFileRefusal(asset.Files, current, session) is { } refusal)
            {
                throw new ConflictException(refusal, "fileName");
            }
            AssetVersion saved;
            VersionFile? replaced = null;
            if (asset.Files.SingleFile && current.Files.Count > 0)
            {
                saved = current;
            }
            else
            {
                var now = clock.GetUtcNow();
                var next = current.Clone();
                replaced = next.FindFile(session.FileName);
                next.Files.RemoveAll(f => string.Equals(f.Name, session.FileName, StringComparison.OrdinalIgnoreCase));
                next.Files.Add(new VersionFile(session.FileName, session.Size, session.Sha256!, session.ContentType, now, session.CreatedBy));
                next.Files.Sort((a, b) => StringComparer.OrdinalIgnoreCase.Compare(a.Name, b.Name));
                next.AwaitedFiles.RemoveAll(f => string.Equals(f, session.FileName, StringComparison.OrdinalIgnoreCase));
                next.Status = next.AwaitedFiles.Count == 0 ? kind.StatusOnceVerified : VersionStatus.Uploading;
                next.FailureReason = null;
                next.Validation = null;
                if (next.Status == VersionStatus.Ready)
                {
                    next.ReadyAt ??= now;
                }
                next.UpdatedAt = now;
                try
                {
                    saved = await store.ReplaceAsync(next, current.ETag!, cancellationToken);
                }
                catch (PreconditionFailedException) when (attempt < MaxRetries)
                {
                    continue;
                }
            }
            if (replaced is not null && replaced.Name != session.FileName)
            {
                // Same file in another spelling: the old key is no longer referenced on case-sensitive stores.
                await blobs.DeleteAsync(BlobKeys.ForFile(session.AssetRef, session.Version, replaced.Name), cancellationToken);
            }
            LogFileRecorded(logger, session.Kind, session.Asset, saved.Label, session.FileName, session.Size);
            if (saved.Status == VersionStatus.Validating)
            {
                await kind.OnFileVerifiedAsync(saved, cancellationToken);
            }
            if (saved.Status == kind.StatusOnceVerified)
            {
                // Before the default moves to it: the model's update follows from the version being ready.
                // (A dataset's version is validating: its event comes when the validation ends.)
                await RaiseStatusAsync(kind, asset.Owner, saved, saved.FindFile(session.FileName), cancellationToken);
            }
            await RefreshDefaultAsync(session.AssetRef, cancellationToken);
            return saved;
        }
    }

    /// <summary>
    /// Takes back a version just added whose first upload could not be opened, so a failed
    /// create-with-file leaves nothing behind. A version someone changed meanwhile stays.
    /// </summary>
    public async Task DiscardAsync(AssetVersion created, CancellationToken cancellationToken)
    {
        var asset = created.AssetRef;
        try
        {
            await store.DeleteAsync(asset, created.Label, created.ETag, cancellationToken);
        }
        catch (ConflictException)
        {
            // The store keeps an asset's last version; the asset had none before this one.
            if (await store.ListAsync(asset, cancellationToken) is not [var only] || only.ETag != created.ETag)
            {
                return;
            }
            await store.DeleteAllAsync(asset, cancellationToken);
        }
        catch (PreconditionFailedException)
        {
            return;
        }
        await purger.PurgeVersionAsync(asset, created.Label, cancellationToken);
        await RefreshDefaultAsync(asset, cancellationToken);
        LogDiscarded(logger, asset.Kind, asset.Name, created.Label);
    }

    /// <summary>A version without files fails with the reason; one that already has files stays as it was.</summary>
    public async Task RecordFailureAsync(UploadSession session, string reason, CancellationToken cancellationToken)
    {
        var version = new AssetVersionRef(session.AssetRef, session.Version);
        await ChangeAsync(version, v => session.IsFor(v) && v.Files.Count == 0 && v.Status != VersionStatus.Failed,
            v => (v.Status, v.FailureReason) = (VersionStatus.Failed, reason), cancellationToken);
    }

    /// <summary>A failed version without files goes back to uploading when a new upload opens for it.</summary>
    public Task RecordRetryAsync(AssetRef asset, string label, CancellationToken cancellationToken) =>
        ChangeAsync(new AssetVersionRef(asset, label), v => v.Files.Count == 0 && v.Status == VersionStatus.Failed,
            v => (v.Status, v.FailureReason) = (VersionStatus.Uploading, null), cancellationToken);

    /// <summary>
    /// Fails versions still waiting for a first file long after any upload could have finished, hands
    /// versions still validating back to their kind (a crash may have come between the file and the
    /// start of its validation), and repairs the asset's default pointer.
    /// </summary>
    public async Task<int> SettleAsync(VersionedAsset asset, IReadOnlyList<UploadSession> sessions, DateTimeOffset staleBefore, CancellationToken cancellationToken)
    {
        var settled = 0;
        var kind = Assets(asset.Ref.Kind);
        foreach (var version in await store.ListAsync(asset.Ref, cancellationToken))
        {
            if (version.Status == VersionStatus.Uploading && version.Files.Count == 0 && version.CreatedAt < staleBefore
                && !sessions.Any(s => s.IsActive && s.VersionId == version.Id))
            {
                await ChangeAsync(version.Ref, v => v.Status == VersionStatus.Uploading && v.Files.Count == 0,
                    v => (v.Status, v.FailureReason) = (VersionStatus.Failed, "No file was uploaded before the upload window closed; start a new upload."),
                    cancellationToken);
                settled++;
            }
            else if (version.Status == VersionStatus.Validating)
            {
                await kind.OnFileVerifiedAsync(version, cancellationToken);
            }
        }
        await RefreshDefaultAsync(asset.Ref, cancellationToken);
        return settled;
    }

    /// <summary>
    /// Changes a version's state when <paramref name="when"/> holds for it as stored, under its ETag
    /// (read again on a race), raises the event its kind announces for a new status (a dataset's
    /// validation ending ready or invalid, a version failing), then refreshes its asset's summary. False
    /// when it did not hold or the version is gone. The way services outside the catalog (a dataset's
    /// validation) move a version on.
    /// </summary>
    public async Task<bool> ChangeAsync(AssetVersionRef version, Func<AssetVersion, bool> when, Action<AssetVersion> change, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < MaxRetries; attempt++)
        {
            var current = await store.FindAsync(version.Asset, version.Label, cancellationToken);
            if (current is null || !when(current))
            {
                return false;
            }
            var next = current.Clone();
            change(next);
            next.UpdatedAt = clock.GetUtcNow();
            AssetVersion saved;
            try
            {
                saved = await store.ReplaceAsync(next, current.ETag!, cancellationToken);
            }
            catch (PreconditionFailedException)
            {
                continue;
            }
            catch (NotFoundException)
            {
                return false;
            }
            if (saved.Status != current.Status)
            {
                await RefreshDefaultAsync(version.Asset, cancellationToken);
                // One event per change of state (only the writer whose replace won gets here), once the
                // asset shows it: a reader who sees the version ready sees it as the default too.
                var kind = Assets(version.Asset.Kind);
                await RaiseStatusAsync(kind, (await kind.FindAsync(version.Asset.Name, cancellationToken))?.Owner, saved, null, cancellationToken);
            }
            return true;
        }
        return false;
    }

    /// <summary>The event the version's kind announces for its status, if any, to every listener (webhooks).</summary>
    private Task RaiseStatusAsync(IVersionedAssets kind, string? owner, AssetVersion version, VersionFile? file, CancellationToken cancellationToken) =>
        kind.StatusEvent(owner, version, file, clock.GetUtcNow()) is { } hubEvent ? events.RaiseAsync(hubEvent, cancellationToken) : Task.CompletedTask;

    private static NotFoundException VersionNotFound(AssetRef asset, string label) => new("Version", $"{asset.Name}/{label}");

    private static string Describe(AssetVersion version) => $"{version.Kind.Title()} '{version.Asset}' version '{version.Label}'";

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

    [LoggerMessage(Level = LogLevel.Information, Message = "Version {Label} of {Kind} {Asset} added by {User}")]
    private static partial void LogCreated(ILogger logger, AssetKind kind, string asset, string label, string? user);

    [LoggerMessage(Level = LogLevel.Information, Message = "Version {Label} of {Kind} {Asset} taken back: its first upload could not be opened")]
    private static partial void LogDiscarded(ILogger logger, AssetKind kind, string asset, string label);

    [LoggerMessage(Level = LogLevel.Information, Message = "Version {Label} of {Kind} {Asset} updated by {User}")]
    private static partial void LogUpdated(ILogger logger, AssetKind kind, string asset, string label, string? user);

    [LoggerMessage(Level = LogLevel.Information, Message = "Version {Label} of {Kind} {Asset} deleted by {User}")]
    private static partial void LogDeleted(ILogger logger, AssetKind kind, string asset, string label, string? user);

    [LoggerMessage(Level = LogLevel.Information, Message = "Default version of {Kind} {Asset} set to {Label} (pinned: {Pinned}) by {User}")]
    private static partial void LogDefaultSet(ILogger logger, AssetKind kind, string asset, string? label, bool pinned, string? user);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Default version of {Kind} {Asset} could not be refreshed (it kept changing); the upload sweeper repairs it")]
    private static partial void LogDefaultNotRefreshed(ILogger logger, AssetKind kind, string asset);

    [LoggerMessage(Level = LogLevel.Information, Message = "File {File} ({Size} bytes) verified into version {Label} of {Kind} {Asset}")]
    private static partial void LogFileRecorded(ILogger logger, AssetKind kind, string asset, string label, string file, long size);
}
