namespace ModelsHub.Core.Workflows;

/// <summary>A message taken from the work queue; hidden from other readers until completed or released.</summary>
public sealed record WorkItem(string MessageId, string Body, int DequeueCount, string Receipt, DateTimeOffset InsertedAt);

/// <summary>
/// The queue that asks workflows to advance. Delivery is at least once: a received item that is
/// neither completed nor released reappears after its visibility timeout.
/// </summary>
public interface IWorkQueue
{
    /// <summary>Adds a message that becomes visible after <paramref name="delay"/> (none: at once).</summary>
    Task EnqueueAsync(string body, TimeSpan? delay, CancellationToken cancellationToken);

    /// <summary>Takes up to <paramref name="maxItems"/> visible messages, hiding them for <paramref name="visibilityTimeout"/>.</summary>
    Task<IReadOnlyList<WorkItem>> ReceiveAsync(int maxItems, TimeSpan visibilityTimeout, CancellationToken cancellationToken);

    /// <summary>Removes a received message. Completing one already gone is not an error.</summary>
    Task CompleteAsync(WorkItem item, CancellationToken cancellationToken);

    /// <summary>Makes a received message visible again after <paramref name="delay"/>.</summary>
    Task ReleaseAsync(WorkItem item, TimeSpan delay, CancellationToken cancellationToken);

    /// <summary>Moves a message that keeps failing to the poison queue, with the reason.</summary>
    Task MoveToPoisonAsync(WorkItem item, string reason, CancellationToken cancellationToken);

    /// <summary>How many messages wait (visible or not); for health and tests.</summary>
    Task<int> CountAsync(CancellationToken cancellationToken);
}
