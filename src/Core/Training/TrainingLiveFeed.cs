using System.Collections.Concurrent;

namespace ModelsHub.Core.Training;

/// <summary>
/// Wakes the readers that follow a job live (server-sent events) when its events or its state
/// change in this process. A reader takes <see cref="Next"/> before it reads the store, so a change
/// in between is not missed; changes made by another instance reach it through its periodic re-read.
/// </summary>
public sealed class TrainingLiveFeed
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _signals = new(StringComparer.Ordinal);

    /// <summary>Completes at the job's next change.</summary>
    public Task Next(string jobId) =>
        _signals.GetOrAdd(jobId, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public void Pulse(string jobId)
    {
        if (_signals.TryRemove(jobId, out var signal))
        {
            signal.TrySetResult();
        }
    }
}
