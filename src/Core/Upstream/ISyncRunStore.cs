using ModelsHub.Core.Common;

namespace ModelsHub.Core.Upstream;

/// <summary>Where upstream sync runs are kept.</summary>
public interface ISyncRunStore
{
    /// <summary>Stores a new run; <see cref="ConflictException"/> when its id is taken (another trigger started that run).</summary>
    Task<SyncRun> CreateAsync(SyncRun run, CancellationToken cancellationToken);

    /// <summary>The run, or null.</summary>
    Task<SyncRun?> FindAsync(string id, CancellationToken cancellationToken);

    /// <summary>Replaces the run if its ETag still matches; <see cref="PreconditionFailedException"/> otherwise, <see cref="NotFoundException"/> when gone.</summary>
    Task<SyncRun> ReplaceAsync(SyncRun run, string ifMatch, CancellationToken cancellationToken);

    /// <summary>The latest runs, highest <see cref="SyncRun.Sequence"/> first, at most <paramref name="maxItems"/>.</summary>
    Task<IReadOnlyList<SyncRun>> ListRecentAsync(int maxItems, CancellationToken cancellationToken);
}
