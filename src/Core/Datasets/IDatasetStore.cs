using ModelsHub.Core.Common;

namespace ModelsHub.Core.Datasets;

/// <summary>Where dataset documents live.</summary>
public interface IDatasetStore
{
    /// <summary>The dataset with that name (ignoring case), or null.</summary>
    Task<Dataset?> FindAsync(string name, CancellationToken cancellationToken);

    /// <summary>Stores a new dataset; <see cref="ConflictException"/> (field <c>name</c>) when the name is taken, ignoring case.</summary>
    Task<Dataset> CreateAsync(Dataset dataset, CancellationToken cancellationToken);

    /// <summary>Replaces the dataset if its ETag still matches; <see cref="PreconditionFailedException"/> otherwise, <see cref="NotFoundException"/> when gone.</summary>
    Task<Dataset> ReplaceAsync(Dataset dataset, string ifMatch, CancellationToken cancellationToken);

    /// <summary>Deletes the dataset, with an ETag only if it still matches (<see cref="PreconditionFailedException"/>); deleting a missing one is not an error.</summary>
    Task DeleteAsync(string name, string? ifMatch, CancellationToken cancellationToken);

    /// <summary>One page of the datasets the scope allows that match the query.</summary>
    /// <exception cref="ValidationException">The continuation token is not one this store issued for this query.</exception>
    Task<Page<Dataset>> QueryAsync(DatasetQuery query, DatasetScope scope, CancellationToken cancellationToken);
}
