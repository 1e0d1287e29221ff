using System.Text;
using System.Text.Json;
using Azure.Storage.Queues;
using Microsoft.Extensions.Logging.Abstractions;
using ModelsHub.Infrastructure.StorageQueues;

namespace ModelsHub.IntegrationTests.AzureProfile;

/// <summary>What the Storage Queue adapter promises beyond the port's contract: the wire format the Functions host reads, and a readable poison queue.</summary>
[Collection(AzureEmulatorsCollection.Name)]
public sealed class StorageQueueWorkQueueTests(AzureEmulators emulators)
{
    [Fact]
    public async Task MessagesAreBase64AsTheFunctionsQueueTriggerExpects()
    {
        var queues = await emulators.NewQueuesAsync();
        var queue = new StorageQueueWorkQueue(queues, TimeProvider.System, NullLogger<StorageQueueWorkQueue>.Instance);
        await queue.EnqueueAsync("""{"workflowId":"wf-1","note":"é"}""", null, CancellationToken.None);

        var raw = new QueueClient(emulators.Emulators.StorageConnectionString, queues.Work.Name);
        var peeked = Assert.Single((await raw.PeekMessagesAsync(1)).Value);
        Assert.Equal("""{"workflowId":"wf-1","note":"é"}""", Encoding.UTF8.GetString(Convert.FromBase64String(peeked.Body.ToString())));
    }

    [Fact]
    public async Task APoisonedMessageKeepsItsBodyCountAndReason()
    {
        var queues = await emulators.NewQueuesAsync();
        var queue = new StorageQueueWorkQueue(queues, TimeProvider.System, NullLogger<StorageQueueWorkQueue>.Instance);
        await queue.EnqueueAsync("wf-poison", null, CancellationToken.None);
        var first = Assert.Single(await queue.ReceiveAsync(1, TimeSpan.FromSeconds(30), CancellationToken.None));
        await queue.ReleaseAsync(first, TimeSpan.Zero, CancellationToken.None);
        var second = Assert.Single(await queue.ReceiveAsync(1, TimeSpan.FromSeconds(30), CancellationToken.None));

        await queue.MoveToPoisonAsync(second, "step 'open-pr' failed 5 times: 502 from GitHub", CancellationToken.None);

        var poisoned = Assert.Single((await queues.Poison.PeekMessagesAsync(1)).Value);
        var document = JsonDocument.Parse(poisoned.Body.ToString()).RootElement;
        Assert.Equal("wf-poison", document.GetProperty("body").GetString());
        Assert.Equal(2, document.GetProperty("dequeueCount").GetInt32());
        Assert.Equal("step 'open-pr' failed 5 times: 502 from GitHub", document.GetProperty("reason").GetString());
        Assert.Equal(0, await queue.CountAsync(CancellationToken.None));
    }
}
