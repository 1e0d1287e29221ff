namespace ModelsHub.Core.Versions;

/// <summary>
/// Where version documents live, grouped by model (the Cosmos adapter partitions by model id).
/// Labels are unique per model ignoring case.
/// </summary>
public interface IVersionStore
{
    /// <summary>The version with that label (ignoring case), or null.</summary>
    Task<ModelVersion?> FindAsync(string modelName, string label, CancellationToken cancellationToken);

    /// <summary>Every version of the model, oldest first.</summary>
    Task<IReadOnlyList<ModelVersion>> ListAsync(string modelName, CancellationToken cancellationToken);

    /// <summary>Stores a new version; <see cref="Common.ConflictException"/> (field <c>label</c>) when the model already has that label.</summary>
    Task<ModelVersion> CreateAsync(ModelVersion version, CancellationToken cancellationToken);

    /// <summary>Replaces the version if its ETag still matches; <see cref="Common.PreconditionFailedException"/> otherwise, <see cref="Common.NotFoundException"/> when gone.</summary>
    Task<ModelVersion> ReplaceAsync(ModelVersion version, string ifMatch, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes one version, with an ETag only if it still matches. Atomically refuses to delete the
    /// model's last version (<see cref="Common.ConflictException"/>, <see cref="VersionRules.LastVersionMessage"/>).
    /// Deleting a missing version is not an error.
    /// </summary>
    Task DeleteAsync(string modelName, string label, string? ifMatch, CancellationToken cancellationToken);

    /// <summary>Deletes every version of the model (the model is gone).</summary>
    Task DeleteAllAsync(string modelName, CancellationToken cancellationToken);

    /// <summary>The ids of the models that have at least one version, for the orphan sweep.</summary>
    Task<IReadOnlyList<string>> ListModelIdsAsync(CancellationToken cancellationToken);

    /// <summary>
    /// The bytes of every verified file <paramref name="userId"/> uploaded (<see cref="VersionFile.UploadedBy"/>;
    /// for files recorded before that was kept, the version's creator), across all versions of every asset:
    /// what the user's stored-bytes quota counts.
    /// </summary>
    Task<long> GetStoredBytesAsync(string userId, CancellationToken cancellationToken);
}
