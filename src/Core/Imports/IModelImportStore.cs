namespace ModelsHub.Core.Imports;

/// <summary>Where import documents live (one per import, by id).</summary>
public interface IModelImportStore
{
    /// <summary>Stores a new import; <see cref="Common.ConflictException"/> when the id exists.</summary>
    Task<ModelImport> CreateAsync(ModelImport import, CancellationToken cancellationToken);

    /// <summary>The import, or null.</summary>
    Task<ModelImport?> FindAsync(string id, CancellationToken cancellationToken);

    /// <summary>Replaces the import if its ETag still matches; <see cref="Common.PreconditionFailedException"/> otherwise, <see cref="Common.NotFoundException"/> when gone.</summary>
    Task<ModelImport> ReplaceAsync(ModelImport import, string ifMatch, CancellationToken cancellationToken);

    /// <summary>The imports <paramref name="createdBy"/> started (everyone's when null), newest first, at most <paramref name="maxItems"/>.</summary>
    Task<IReadOnlyList<ModelImport>> ListRecentAsync(string? createdBy, int maxItems, CancellationToken cancellationToken);
}
