using ModelsHub.Contracts.Training;
using ModelsHub.Core.Common;

namespace ModelsHub.Core.Training;

/// <summary>What a listing of jobs filters on.</summary>
public sealed record TrainingJobQuery(TrainingJobState? State = null, string? Model = null, string? CreatedBy = null, string? Compute = null);

/// <summary>Where training jobs live.</summary>
public interface ITrainingJobStore
{
    /// <summary>Stores a new job; <see cref="ConflictException"/> when the id is taken.</summary>
    Task<TrainingJob> CreateAsync(TrainingJob job, CancellationToken cancellationToken);

    /// <summary>The job, or null.</summary>
    Task<TrainingJob?> FindAsync(string id, CancellationToken cancellationToken);

    /// <summary>Replaces the job if its ETag still matches; <see cref="PreconditionFailedException"/> otherwise, <see cref="NotFoundException"/> when gone.</summary>
    Task<TrainingJob> ReplaceAsync(TrainingJob job, string ifMatch, CancellationToken cancellationToken);

    /// <summary>Jobs matching <paramref name="query"/>, newest first, one page at a time.</summary>
    Task<Page<TrainingJob>> ListAsync(TrainingJobQuery query, int pageSize, string? continuationToken, CancellationToken cancellationToken);

    /// <summary>Jobs of <paramref name="compute"/> in one of <paramref name="states"/> (a compute adapter's slots), at most <paramref name="maxItems"/>.</summary>
    Task<IReadOnlyList<TrainingJob>> ListInStatesAsync(string compute, IReadOnlyCollection<TrainingJobState> states, int maxItems, CancellationToken cancellationToken);
}

/// <summary>
/// Where a job's events live, in sequence order. Appends are idempotent per (job, seq): a line the
/// store holds already is not written again; the caller compares it with the stored one.
/// </summary>
public interface ITrainingEventStore
{
    /// <summary>Stores the events the store does not hold yet; returns those and, for the ones it held, the stored events.</summary>
    Task<(IReadOnlyList<TrainingEvent> Stored, IReadOnlyList<TrainingEvent> Existing)> AppendAsync(string jobId, IReadOnlyList<TrainingEvent> events, CancellationToken cancellationToken);

    /// <summary>
    /// Up to <paramref name="maxItems"/> events with a sequence number above <paramref name="afterSeq"/>, in order;
    /// only those of <paramref name="types"/> when given.
    /// </summary>
    Task<IReadOnlyList<TrainingEvent>> ListAsync(string jobId, long afterSeq, int maxItems, IReadOnlyCollection<TrainerEventType>? types, CancellationToken cancellationToken);

    /// <summary>How many events with a sequence number up to <paramref name="upToSeq"/> the store holds (fewer than <paramref name="upToSeq"/>: some never arrived).</summary>
    Task<long> CountAsync(string jobId, long upToSeq, CancellationToken cancellationToken);
}
