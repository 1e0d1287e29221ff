using System.Text.Json;
using Microsoft.Extensions.Logging;
using ModelsHub.Core.Catalog;
using ModelsHub.Core.Common;
using ModelsHub.Core.Specs;

namespace ModelsHub.Core.Upstream;

/// <summary>The outcome of one import: what changed, and each model that could not be taken.</summary>
public sealed record UpstreamImportResult(int Added, int Updated, int Unchanged, IReadOnlyList<UpstreamImportError> Errors)
{
    public int Entries { get; init; }
}

public sealed record UpstreamImportError(ModelType Type, string ModelName, string Reason);

/// <summary>
/// Loads upstream Xinference files as public upstream models. Idempotent: an entry list equal to
/// the stored one writes nothing; a newer <c>updated_at</c> replaces; an older one is left alone.
/// </summary>
public sealed partial class UpstreamImporter(IModelStore store, ModelChangeNotifier changes, TimeProvider clock, ILogger<UpstreamImporter> logger)
{
    public async Task<UpstreamImportResult> ImportAsync(IReadOnlyDictionary<ModelType, JsonElement> files, CancellationToken cancellationToken)
    {
        int added = 0, updated = 0, unchanged = 0, entries = 0;
        var errors = new List<UpstreamImportError>();
        foreach (var (type, file) in files)
        {
            if (!type.IsXinference())
            {
                throw new ValidationException(EnumNames<ModelType>.NameOf(type), "The model repository has no file for this type.");
            }
            foreach (var (name, spec) in UpstreamCatalog.GroupByModel(file))
            {
                entries += spec.GetArrayLength();
                try
                {
                    switch (await ImportModelAsync(type, name, spec, cancellationToken))
                    {
                        case Outcome.Added: added++; break;
                        case Outcome.Updated: updated++; break;
                        default: unchanged++; break;
                    }
                }
                catch (HubException ex) when (ex is ValidationException or ConflictException or PreconditionFailedException)
                {
                    var reason = ex is ValidationException v
                        ? string.Join("; ", v.Errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}"))
                        : ex.Message;
                    errors.Add(new UpstreamImportError(type, name, reason));
                    LogSkipped(logger, name, reason);
                }
            }
        }
        LogImported(logger, added, updated, unchanged, errors.Count);
        return new UpstreamImportResult(added, updated, unchanged, errors) { Entries = entries };
    }

    private enum Outcome { Added, Updated, Unchanged }

    private async Task<Outcome> ImportModelAsync(ModelType type, string name, JsonElement spec, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        ModelRules.ValidateName(name, errors, "model_name");
        errors.ThrowIfAny();

        var existing = await store.FindAsync(name, cancellationToken);
        var now = clock.GetUtcNow();
        if (existing is null)
        {
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
            var created = await store.CreateAsync(model, cancellationToken);
            await changes.NotifyAsync(new ModelChange(created.Name, null, created), cancellationToken);
            return Outcome.Added;
        }

        if (existing.Source != ModelSource.Upstream || existing.Type != type)
        {
            throw new ConflictException($"The name is taken by a hub {EnumNames<ModelType>.NameOf(existing.Type)} model that did not come from the model repository.");
        }
        if (XinferenceSpec.SameJson(existing.Spec, spec)
            || XinferenceSpec.LatestUpdatedAt(spec) < XinferenceSpec.LatestUpdatedAt(existing.Spec))
        {
            return Outcome.Unchanged;
        }

        var next = existing.Clone();
        var generatedReadme = ReadmeTemplate.Render(existing.Name, existing.Type, existing.Description, existing.Spec);
        next.Spec = spec;
        UpstreamCatalog.DeriveFields(next, spec);
        if (existing.Readme == generatedReadme)
        {
            next.Readme = ReadmeTemplate.Render(next.Name, next.Type, next.Description, spec);
        }
        next.UpdatedAt = now;
        Validate(next);
        var saved = await store.ReplaceAsync(next, existing.ETag!, cancellationToken);
        await changes.NotifyAsync(new ModelChange(saved.Name, existing, saved), cancellationToken);
        return Outcome.Updated;
    }

    private static void Validate(HubModel model)
    {
        var errors = new ValidationErrors();
        ModelRules.Validate(model, errors);
        errors.ThrowIfAny();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Upstream model {Name} skipped: {Reason}")]
    private static partial void LogSkipped(ILogger logger, string name, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Upstream import: {Added} added, {Updated} updated, {Unchanged} unchanged, {Errors} errors")]
    private static partial void LogImported(ILogger logger, int added, int updated, int unchanged, int errors);
}
