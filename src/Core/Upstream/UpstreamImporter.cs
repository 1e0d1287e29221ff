using System.Text.Json;
using Microsoft.Extensions.Logging;
using ModelsHub.Contracts.Models;
using ModelsHub.Contracts;
using ModelsHub.Core.Catalog;
using ModelsHub.Core.Common;
using ModelsHub.Core.Reviews;
using ModelsHub.Core.Specs;

namespace ModelsHub.Core.Upstream;

/// <summary>
/// The outcome of one import: what changed, and each model that could not be taken.
/// <see cref="UnderReview"/> counts models left alone because the hub holds a change to them that
/// is not published yet; <see cref="Removed"/> the upstream models newly marked as gone from the
/// repository (a <see cref="UpstreamImportMode.Mirror"/> import only).
/// </summary>
public sealed record UpstreamImportResult(int Added, int Updated, int Unchanged, IReadOnlyList<UpstreamImportError> Errors)
{
    public int Entries { get; init; }

    public int Removed { get; init; }

    public int UnderReview { get; init; }
}

public sealed record UpstreamImportError(ModelType Type, string ModelName, string Reason);

/// <summary>How an import treats upstream models its files do not list.</summary>
public enum UpstreamImportMode
{
    /// <summary>The files add to what is there (an administrator's import of some files): nothing is marked removed.</summary>
    Merge,

    /// <summary>
    /// The files are the repository's complete lists of their types (the scheduled sync): an upstream
    /// model of one of those types that no file lists is marked removed upstream, never deleted.
    /// </summary>
    Mirror,
}

/// <summary>
/// Loads upstream Xinference files as public upstream models: the one reconcile path of both the
/// administrator's import and the scheduled sync. Idempotent: an entry list equal to the stored one
/// writes nothing; a newer (or equally new) <c>updated_at</c> replaces; an older one is left alone.
/// A hub change not yet published (<see cref="ReviewBoard.HoldsUnpublishedChange"/>) is never
/// overwritten. A hub-owned model the hub carried upstream through a pull request follows the
/// repository's newer entries too (its spec only; its metadata stays the owner's).
/// </summary>
public sealed partial class UpstreamImporter(IModelStore store, ISubmissionStore submissions, ModelChangeNotifier changes, TimeProvider clock,
    ILogger<UpstreamImporter> logger)
{
    /// <summary>Writes that lost a race (another import or a hub change) are looked at again this many times.</summary>
    private const int RaceRetries = 3;

    public Task<UpstreamImportResult> ImportAsync(IReadOnlyDictionary<ModelType, JsonElement> files, CancellationToken cancellationToken) =>
        ImportAsync(files, UpstreamImportMode.Merge, cancellationToken);

    public async Task<UpstreamImportResult> ImportAsync(IReadOnlyDictionary<ModelType, JsonElement> files, UpstreamImportMode mode, CancellationToken cancellationToken)
    {
        int added = 0, updated = 0, unchanged = 0, underReview = 0, removed = 0, entries = 0;
        var errors = new List<UpstreamImportError>();
        foreach (var (type, groups) in GroupEveryFile(files))
        {
            var listed = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (name, spec) in groups)
            {
                entries += spec.GetArrayLength();
                listed.Add(HubModel.IdFor(name));
                try
                {
                    switch (await ImportModelAsync(type, name, spec, cancellationToken))
                    {
                        case Outcome.Added: added++; break;
                        case Outcome.Updated: updated++; break;
                        case Outcome.UnderReview: underReview++; break;
                        default: unchanged++; break;
                    }
                }
                catch (HubException ex) when (ex is ValidationException or ConflictException or PreconditionFailedException or ConcurrentCreateException)
                {
                    var reason = ex is ValidationException v
                        ? string.Join("; ", v.Errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}"))
                        : ex.Message;
                    errors.Add(new UpstreamImportError(type, name, reason));
                    LogSkipped(logger, name, reason);
                }
            }
            if (mode == UpstreamImportMode.Mirror)
            {
                removed += await MarkRemovedAsync(type, listed, errors, cancellationToken);
            }
        }
        LogImported(logger, added, updated, unchanged, removed, underReview, errors.Count);
        return new UpstreamImportResult(added, updated, unchanged, errors) { Entries = entries, Removed = removed, UnderReview = underReview };
    }

    private enum Outcome { Added, Updated, Unchanged, UnderReview }

    /// <summary>
    /// Groups every file before anything is written, so a file the import cannot read (an entry
    /// without a model_name, a repeated property) refuses the whole import rather than part of it.
    /// Field paths are prefixed with the file's type: <c>audio[3].model_name</c>.
    /// </summary>
    private static List<(ModelType Type, IReadOnlyList<(string Name, JsonElement Spec)> Groups)> GroupEveryFile(IReadOnlyDictionary<ModelType, JsonElement> files)
    {
        var errors = new ValidationErrors();
        var grouped = new List<(ModelType, IReadOnlyList<(string, JsonElement)>)>();
        foreach (var (type, file) in files)
        {
            var typeName = EnumNames<ModelType>.NameOf(type);
            if (!type.IsXinference())
            {
                errors.Add(typeName, "The model repository has no file for this type.");
                continue;
            }
            try
            {
                grouped.Add((type, UpstreamCatalog.GroupByModel(file)));
            }
            catch (ValidationException ex)
            {
                foreach (var (key, messages) in ex.Errors)
                {
                    foreach (var message in messages)
                    {
                        errors.Add(key == "file" ? typeName : typeName + key, message);
                    }
                }
            }
        }
        errors.ThrowIfAny();
        return grouped;
    }

    private async Task<Outcome> ImportModelAsync(ModelType type, string name, JsonElement spec, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        ModelRules.ValidateName(name, errors, "model_name");
        errors.ThrowIfAny();
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await ReconcileModelAsync(type, name, spec, await store.FindAsync(name, cancellationToken), cancellationToken);
            }
            catch (HubException ex) when (attempt < RaceRetries && ex is PreconditionFailedException or ConcurrentCreateException)
            {
                // Someone wrote the model between the read and the write (an overlapping import, a
                // hub change): judge it again as it is now, so an equal result is not written twice.
            }
        }
    }

    private async Task<Outcome> ReconcileModelAsync(ModelType type, string name, JsonElement spec, HubModel? existing, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        if (existing is null)
        {
            if (await HoldsUnpublishedChangeAsync(name, null, cancellationToken))
            {
                return Outcome.UnderReview;
            }
            var model = new HubModel
            {
                Id = HubModel.IdFor(name),
                Name = name,
                Type = type,
                Owner = UpstreamCatalog.OwnerId,
                Source = ModelSource.Upstream,
                Visibility = ModelVisibility.Public,
                Tier = ModelTier.Standard,
                CreatedAt = now,
                UpdatedAt = now,
                Spec = spec,
            };
            UpstreamCatalog.DeriveFields(model, spec);
            model.Readme = ReadmeTemplate.Render(model.Name, model.Type, model.Description, spec);
            Validate(model);
            HubModel created;
            try
            {
                created = await store.CreateAsync(model, cancellationToken);
            }
            catch (ConflictException)
            {
                throw new ConcurrentCreateException(name);
            }
            await changes.NotifyAsync(new ModelChange(created.Name, null, created), cancellationToken);
            return Outcome.Added;
        }

        if (existing.Type != type)
        {
            throw new ConflictException($"The name is taken by a hub {EnumNames<ModelType>.NameOf(existing.Type)} model.");
        }
        var fromUpstream = existing.Source == ModelSource.Upstream;
        var sameSpec = XinferenceSpec.SameJson(existing.Spec, spec);
        if (!fromUpstream && !sameSpec && existing.PullRequest is null)
        {
            throw new ConflictException("The name is taken by a hub model that did not come from the model repository and was never carried there.");
        }
        var newer = !sameSpec && XinferenceSpec.LatestUpdatedAt(spec) >= XinferenceSpec.LatestUpdatedAt(existing.Spec);
        var restored = existing.RemovedUpstreamAt is not null;
        if (!newer && !restored)
        {
            return Outcome.Unchanged;
        }
        if (await HoldsUnpublishedChangeAsync(name, existing, cancellationToken))
        {
            return Outcome.UnderReview;
        }

        var next = existing.Clone();
        next.RemovedUpstreamAt = null;
        if (newer)
        {
            next.Spec = spec;
            if (fromUpstream)
            {
                var generatedReadme = ReadmeTemplate.Render(existing.Name, existing.Type, existing.Description, existing.Spec);
                UpstreamCatalog.DeriveFields(next, spec);
                if (existing.Readme == generatedReadme)
                {
                    next.Readme = ReadmeTemplate.Render(next.Name, next.Type, next.Description, spec);
                }
            }
        }
        next.UpdatedAt = now;
        Validate(next);
        var saved = await store.ReplaceAsync(next, existing.ETag!, cancellationToken);
        await changes.NotifyAsync(new ModelChange(saved.Name, existing, saved), cancellationToken);
        return Outcome.Updated;
    }

    /// <summary>Marks the upstream models of <paramref name="type"/> that the file no longer lists; returns how many were newly marked.</summary>
    private async Task<int> MarkRemovedAsync(ModelType type, HashSet<string> listed, List<UpstreamImportError> errors, CancellationToken cancellationToken)
    {
        var everything = new ModelVisibilityScope(true, null, new HashSet<ModelTier>(), new HashSet<ModelTier>(), clock.GetUtcNow());
        var query = new ModelQuery { Type = type, Source = ModelSource.Upstream, PageSize = Paging.MaxPageSize };
        var gone = new List<ModelSummary>();
        string? token = null;
        do
        {
            var page = await store.QueryAsync(query with { ContinuationToken = token }, everything, cancellationToken);
            gone.AddRange(page.Items.Where(m => m.RemovedUpstreamAt is null && !listed.Contains(HubModel.IdFor(m.Name))));
            token = page.ContinuationToken;
        }
        while (token is not null);

        var removed = 0;
        foreach (var summary in gone)
        {
            for (var attempt = 0; ; attempt++)
            {
                var current = await store.FindAsync(summary.Name, cancellationToken);
                if (current is null || current.Source != ModelSource.Upstream || current.RemovedUpstreamAt is not null
                    || await HoldsUnpublishedChangeAsync(current.Name, current, cancellationToken))
                {
                    break;
                }
                var next = current.Clone();
                next.RemovedUpstreamAt = next.UpdatedAt = clock.GetUtcNow();
                try
                {
                    var saved = await store.ReplaceAsync(next, current.ETag!, cancellationToken);
                    await changes.NotifyAsync(new ModelChange(saved.Name, current, saved), cancellationToken);
                    LogRemoved(logger, saved.Name);
                    removed++;
                    break;
                }
                catch (PreconditionFailedException) when (attempt < RaceRetries)
                {
                }
                catch (PreconditionFailedException ex)
                {
                    errors.Add(new UpstreamImportError(type, summary.Name, ex.Message));
                    break;
                }
            }
        }
        return removed;
    }

    private async Task<bool> HoldsUnpublishedChangeAsync(string name, HubModel? live, CancellationToken cancellationToken) =>
        ReviewBoard.HoldsUnpublishedChange(await submissions.ListForModelAsync(name, cancellationToken), live);

    private static void Validate(HubModel model)
    {
        var errors = new ValidationErrors();
        ModelRules.Validate(model, errors);
        errors.ThrowIfAny();
    }

    /// <summary>The name was free when read and taken when written: another import created it meanwhile.</summary>
    private sealed class ConcurrentCreateException(string name) : HubException($"Model '{name}' was created by someone else meanwhile.");

    [LoggerMessage(Level = LogLevel.Warning, Message = "Upstream model {Name} skipped: {Reason}")]
    private static partial void LogSkipped(ILogger logger, string name, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Upstream model {Name} is no longer in the model repository; marked removed upstream")]
    private static partial void LogRemoved(ILogger logger, string name);

    [LoggerMessage(Level = LogLevel.Information, Message = "Upstream import: {Added} added, {Updated} updated, {Unchanged} unchanged, {Removed} removed, {UnderReview} under review, {Errors} errors")]
    private static partial void LogImported(ILogger logger, int added, int updated, int unchanged, int removed, int underReview, int errors);
}
