using Microsoft.Extensions.Logging;
using ModelsHub.Contracts;
using ModelsHub.Contracts.Datasets;
using ModelsHub.Core.Catalog;
using ModelsHub.Core.Common;
using ModelsHub.Core.Identity;
using ModelsHub.Core.Versions;

namespace ModelsHub.Core.Datasets;

/// <summary>
/// Creating, browsing, changing and deleting datasets. Creating one needs <see cref="Permissions.ManageDatasets"/>;
/// its owner (and an administrator) changes and deletes it and its versions; a private dataset is
/// invisible (404) to everyone else, a public one visible to all.
/// </summary>
public sealed partial class DatasetCatalog(IDatasetStore store, VersionPurger purger, TimeProvider clock, ILogger<DatasetCatalog> logger)
{
    public Task<Page<Dataset>> ListAsync(Caller caller, DatasetQuery query, CancellationToken cancellationToken) =>
        store.QueryAsync(query, ScopeFor(caller), cancellationToken);

    public static DatasetScope ScopeFor(Caller caller) => new(caller.IsAdmin, caller.UserId);

    /// <summary>The dataset, or <see cref="NotFoundException"/> when it is missing or the caller may not see it.</summary>
    public async Task<Dataset> GetAsync(Caller caller, string name, CancellationToken cancellationToken)
    {
        var dataset = await store.FindAsync(name, cancellationToken);
        return dataset is not null && ScopeFor(caller).Allows(dataset) ? dataset : throw new NotFoundException("Dataset", name);
    }

    /// <summary>The dataset when the caller may change it: 404 when hidden, 401/403 when it is someone else's.</summary>
    public async Task<Dataset> GetForChangeAsync(Caller caller, string name, string what, CancellationToken cancellationToken)
    {
        var dataset = await GetAsync(caller, name, cancellationToken);
        ModelAccess.Demand(caller, caller.IsAdmin || caller.IsUser(dataset.Owner) ? null : "ownership of the dataset", what);
        return dataset;
    }

    public async Task<Dataset> CreateAsync(Caller caller, DatasetInput input, CancellationToken cancellationToken)
    {
        var owner = caller.UserId ?? throw new AuthenticationRequiredException("Sign in to create a dataset.");
        ModelAccess.Demand(caller, caller.Has(Permissions.ManageDatasets) ? null : Permissions.ManageDatasets, "create a dataset");
        var errors = new ValidationErrors();
        var name = input.Name.HasValue ? input.Name.Value : null;
        DatasetRules.ValidateName(name, errors);
        if (!input.Format.HasValue)
        {
            errors.Add("format", "Is required; " + EnumNames<DatasetFormat>.Expected + ".");
        }
        errors.ThrowIfAny();
        var now = clock.GetUtcNow();
        var dataset = new Dataset
        {
            Id = Dataset.IdFor(name!),
            Name = name!,
            Format = input.Format.Value,
            Owner = owner,
            CreatedAt = now,
            UpdatedAt = now,
        };
        Apply(dataset, input);
        Validate(dataset);
        var created = await store.CreateAsync(dataset, cancellationToken);
        LogCreated(logger, created.Name, created.Format, created.Visibility, owner);
        // A dataset deleted before it could clean up (a crash) must not lend its versions to this one.
        await PurgeAsync(() => purger.OnAssetCreatedAsync(created.Ref, cancellationToken), created.Name);
        return created;
    }

    /// <param name="ifMatch">The dataset's ETag, or <see cref="ETags.Any"/>; null is refused (428).</param>
    public async Task<Dataset> UpdateAsync(Caller caller, string name, DatasetInput changes, string? ifMatch, CancellationToken cancellationToken)
    {
        var current = await GetForChangeAsync(caller, name, "change this dataset", cancellationToken);
        ifMatch = ifMatch == ETags.Any ? current.ETag! : ifMatch ?? throw new PreconditionRequiredException();
        var errors = new ValidationErrors();
        if (changes.Name.HasValue && !string.Equals(changes.Name.Value, current.Name, StringComparison.Ordinal))
        {
            errors.Add("name", "A dataset's name cannot change; create a new dataset instead.");
        }
        if (changes.Format.HasValue && changes.Format.Value != current.Format)
        {
            errors.Add("format", "A dataset's format cannot change (its versions were validated as it); create a new dataset instead.");
        }
        errors.ThrowIfAny();
        var next = current.Clone();
        Apply(next, changes);
        Validate(next);
        if (next.Description == current.Description && next.Visibility == current.Visibility && next.Tags.SequenceEqual(current.Tags, StringComparer.Ordinal))
        {
            return string.Equals(current.ETag, ifMatch, StringComparison.Ordinal) ? current : throw new PreconditionFailedException("Dataset", current.Name);
        }
        next.UpdatedAt = clock.GetUtcNow();
        var saved = await store.ReplaceAsync(next, ifMatch, cancellationToken);
        LogUpdated(logger, saved.Name, caller.UserId);
        return saved;
    }

    /// <summary>Deletes the dataset with its versions, uploads and files.</summary>
    public async Task DeleteAsync(Caller caller, string name, string? ifMatch, CancellationToken cancellationToken)
    {
        var current = await GetForChangeAsync(caller, name, "delete this dataset", cancellationToken);
        _ = ifMatch ?? throw new PreconditionRequiredException();
        await store.DeleteAsync(current.Name, ifMatch == ETags.Any ? current.ETag : ifMatch, cancellationToken);
        LogDeleted(logger, current.Name, caller.UserId);
        await PurgeAsync(() => purger.OnAssetDeletedAsync(current.Ref, cancellationToken), current.Name);
    }

    /// <summary>The write already committed: a purge that fails is left to the upload sweeper, which removes what no dataset references.</summary>
    private async Task PurgeAsync(Func<Task> purge, string name)
    {
        try
        {
            await purge();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogPurgeFailed(logger, ex, name);
        }
    }

    private static void Apply(Dataset dataset, DatasetInput input)
    {
        if (input.Description.HasValue) dataset.Description = input.Description.Value ?? "";
        if (input.Visibility.HasValue) dataset.Visibility = input.Visibility.Value;
        if (input.Tags.HasValue) dataset.Tags = ModelRules.NormalizeTags(input.Tags.Value ?? []);
    }

    private static void Validate(Dataset dataset)
    {
        var errors = new ValidationErrors();
        DatasetRules.Validate(dataset, errors);
        errors.ThrowIfAny();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Dataset {Name} ({Format}, {Visibility}) created by {Owner}")]
    private static partial void LogCreated(ILogger logger, string name, DatasetFormat format, DatasetVisibility visibility, string owner);

    [LoggerMessage(Level = LogLevel.Information, Message = "Dataset {Name} updated by {User}")]
    private static partial void LogUpdated(ILogger logger, string name, string? user);

    [LoggerMessage(Level = LogLevel.Information, Message = "Dataset {Name} deleted by {User}")]
    private static partial void LogDeleted(ILogger logger, string name, string? user);

    [LoggerMessage(Level = LogLevel.Error, Message = "Versions, uploads or files of dataset {Name} could not be removed now; the upload sweeper removes them")]
    private static partial void LogPurgeFailed(ILogger logger, Exception exception, string name);
}
