using System.Net;
using System.Text.Json;
using Azure;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Microsoft.Extensions.Logging;
using ModelsHub.Core.Common;
using ModelsHub.Core.Workflows;

using ModelsHub.Infrastructure.AzureProfile;

namespace ModelsHub.Infrastructure.StorageQueues;

/// <summary>
/// The work queue on Azure Storage Queues. The service already has what the port promises: a
/// visibility delay, a dequeue count, and a pop receipt per receive (a completion or release with
/// an older receipt is refused by the service, which the port treats as "already handled").
/// Poisoned messages go to a second queue with the reason, as the embedded queue's table does.
/// </summary>
public sealed partial class StorageQueueWorkQueue(WorkQueues queues, TimeProvider clock, ILogger<StorageQueueWorkQueue> logger) : IWorkQueue
{
    /// <summary>The service hides a received message for at least one second and at most seven days.</summary>
    private static readonly TimeSpan MinVisibility = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxVisibility = TimeSpan.FromDays(7);

    /// <summary>The service returns at most 32 messages per receive.</summary>
    private const int MaxBatch = 32;

    /// <summary>Never expire: a workflow message dropped after the default seven days would strand its workflow.</summary>
    private static readonly TimeSpan NeverExpire = TimeSpan.FromSeconds(-1);

    public async Task EnqueueAsync(string body, TimeSpan? delay, CancellationToken cancellationToken)
    {
        var visibility = delay is { } d && d > TimeSpan.Zero ? Clamp(d, TimeSpan.Zero) : (TimeSpan?)null;
        await Call(() => queues.Work.SendMessageAsync(body, visibility, NeverExpire, cancellationToken), "send");
    }

    public async Task<IReadOnlyList<WorkItem>> ReceiveAsync(int maxItems, TimeSpan visibilityTimeout, CancellationToken cancellationToken)
    {
        if (maxItems < 1)
        {
            return [];
        }
        var received = await Call(() => queues.Work.ReceiveMessagesAsync(Math.Min(maxItems, MaxBatch), Clamp(visibilityTimeout, MinVisibility), cancellationToken), "receive");
        return received.Value.Select(m => new WorkItem(m.MessageId, m.Body.ToString(), (int)Math.Min(m.DequeueCount, int.MaxValue), m.PopReceipt,
            m.InsertedOn ?? clock.GetUtcNow())).ToList();
    }

    public async Task CompleteAsync(WorkItem item, CancellationToken cancellationToken)
    {
        try
        {
            await Call(() => queues.Work.DeleteMessageAsync(item.MessageId, item.Receipt, cancellationToken), "delete");
        }
        catch (RequestFailedException ex) when (IsGoneOrReceivedAgain(ex))
        {
        }
    }

    public async Task ReleaseAsync(WorkItem item, TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Call(() => queues.Work.UpdateMessageAsync(item.MessageId, item.Receipt, visibilityTimeout: Clamp(delay, TimeSpan.Zero), cancellationToken: cancellationToken), "release");
        }
        catch (RequestFailedException ex) when (IsGoneOrReceivedAgain(ex))
        {
        }
    }

    public async Task MoveToPoisonAsync(WorkItem item, string reason, CancellationToken cancellationToken)
    {
        // Copy first, then delete: a crash in between leaves a duplicate in the poison queue, never a lost message.
        var poisoned = JsonSerializer.Serialize(new PoisonedMessage(item.MessageId, item.Body, item.DequeueCount, reason, item.InsertedAt, clock.GetUtcNow()), HubJson.Options);
        await Call(() => queues.Poison.SendMessageAsync(poisoned, null, NeverExpire, cancellationToken), "poison");
        LogPoisoned(logger, item.MessageId, item.DequeueCount, reason);
        await CompleteAsync(item, cancellationToken);
    }

    /// <summary>The service's approximate count (exact on Azurite): good enough for health and tests, which is all the port asks.</summary>
    public async Task<int> CountAsync(CancellationToken cancellationToken)
    {
        var properties = await Call(() => queues.Work.GetPropertiesAsync(cancellationToken), "count");
        return properties.Value.ApproximateMessagesCount;
    }

    /// <summary>404: the message is gone; 400 PopReceiptMismatch: someone received it since.</summary>
    private static bool IsGoneOrReceivedAgain(RequestFailedException ex) =>
        ex.Status == (int)HttpStatusCode.NotFound || ex.ErrorCode == QueueErrorCode.PopReceiptMismatch.ToString();

    private static TimeSpan Clamp(TimeSpan value, TimeSpan min) => value < min ? min : value > MaxVisibility ? MaxVisibility : value;

    private static Task<T> Call<T>(Func<Task<T>> call, string operation) => StorageOutcomes.BusyAsync("The storage queue", operation, call);

    /// <summary>What the poison queue holds: the message and why it was given up on.</summary>
    internal sealed record PoisonedMessage(string MessageId, string Body, int DequeueCount, string Reason, DateTimeOffset InsertedAt, DateTimeOffset PoisonedAt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Work item {MessageId} moved to the poison queue after {DequeueCount} deliveries: {Reason}")]
    private static partial void LogPoisoned(ILogger logger, string messageId, int dequeueCount, string reason);
}
