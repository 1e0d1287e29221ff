using ModelsHub.Core.Common;
using ModelsHub.Core.Events;

namespace ModelsHub.Core.Training;

/// <summary>
/// The one way a job document changes after it was created: a change applied to the job as stored,
/// written with its ETag, read again and re-applied when another writer came first; then the job's
/// live readers are woken, and a move into a state users care about is raised as a hub event (webhooks):
/// once, by the write that made it. Every writer (the API, the event ingestion, the workflow) goes through it.
/// </summary>
public sealed class TrainingJobUpdates(ITrainingJobStore store, TrainingLiveFeed feed, HubEvents events, TimeProvider clock)
{
    private const int MaxAttempts = 50;

    public TimeProvider Clock => clock;

    public async Task<TrainingJob> GetAsync(string id, CancellationToken cancellationToken) =>
        await store.FindAsync(id, cancellationToken) ?? throw new NotFoundException("Training job", id);

    /// <summary>
    /// Applies <paramref name="change"/> (false: nothing to change) to the stored job and returns the job
    /// as stored afterwards. <paramref name="change"/> may run several times (once per race lost).
    /// </summary>
    public async Task<TrainingJob> ChangeAsync(string id, Func<TrainingJob, bool> change, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var current = await GetAsync(id, cancellationToken);
            var next = current.Clone();
            if (!change(next))
            {
                return current;
            }
            next.UpdatedAt = clock.GetUtcNow();
            try
            {
                var saved = await store.ReplaceAsync(next, current.ETag!, cancellationToken);
                feed.Pulse(id);
                if (saved.State != current.State)
                {
                    // The change committed: its event must not be lost to a caller that went away meanwhile.
                    await RaiseAsync(saved, CancellationToken.None);
                }
                return saved;
            }
            catch (PreconditionFailedException) when (attempt < MaxAttempts)
            {
            }
        }
    }

    /// <summary>Raises the event of the state <paramref name="job"/> is in (a new job: created), if users care about it.</summary>
    public async Task RaiseAsync(TrainingJob job, CancellationToken cancellationToken)
    {
        if (EventPayloads.TrainingJob(job, clock.GetUtcNow()) is { } hubEvent)
        {
            await events.RaiseAsync(hubEvent, cancellationToken);
        }
    }

    /// <summary>Ends a job that has not ended (failed or cancelled) with the reason; an ended job stays as it is.</summary>
    public Task<TrainingJob> EndAsync(string id, Contracts.Training.TrainingJobState state, string? reason, CancellationToken cancellationToken) =>
        ChangeAsync(id, job =>
        {
            if (job.IsEnded)
            {
                return false;
            }
            job.MoveTo(state, clock.GetUtcNow(), reason);
            if (state == Contracts.Training.TrainingJobState.Failed)
            {
                job.FailureReason = reason;
            }
            return true;
        }, cancellationToken);
}
