using ModelsHub.Core.Common;

namespace ModelsHub.Core.Catalog;

/// <summary>Where model documents live.</summary>
public interface IModelStore
{
    /// <summary>Returns the model with that name (ignoring case), or null.</summary>
    Task<HubModel?> FindAsync(string name, CancellationToken cancellationToken);

    /// <summary>Stores a new model; throws <see cref="ConflictException"/> when the name is taken (ignoring case).</summary>
    Task<HubModel> CreateAsync(HubModel model, CancellationToken cancellationToken);

    /// <summary>Replaces the model if its ETag still matches; <see cref="PreconditionFailedException"/> otherwise, <see cref="NotFoundException"/> when gone.</summary>
    Task<HubModel> ReplaceAsync(HubModel model, string ifMatch, CancellationToken cancellationToken);

    /// <summary>Deletes the model; with an ETag only if it still matches. Deleting a missing model is not an error.</summary>
    Task DeleteAsync(string name, string? ifMatch, CancellationToken cancellationToken);

    /// <summary>One page of the models the scope allows that match the query.</summary>
    /// <exception cref="ValidationException">The continuation token is not one this store issued for this query.</exception>
    Task<Page<ModelSummary>> QueryAsync(ModelQuery query, ModelVisibilityScope scope, CancellationToken cancellationToken);

    /// <summary>How many models the scope allows, in total and per type.</summary>
    Task<ModelCounts> CountAsync(ModelVisibilityScope scope, CancellationToken cancellationToken);
}
