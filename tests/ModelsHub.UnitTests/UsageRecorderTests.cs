using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using ModelsHub.Contracts.Usage;
using ModelsHub.Core.Usage;

namespace ModelsHub.UnitTests;

public sealed class UsageRecorderTests
{
    [Fact]
    public async Task AFlushWaitsForTheBatchAnotherFlushIsStillWriting()
    {
        var store = new HeldStore();
        var recorder = new UsageRecorder(store, Options.Create(new UsageOptions()), NullLogger<UsageRecorder>.Instance);
        recorder.Record(Call("a"));

        // The periodic flush has taken the batch and is writing it; the queue is empty meanwhile.
        var background = recorder.FlushAsync(CancellationToken.None);
        await store.Writing.Task.WaitAsync(TimeSpan.FromSeconds(10));

        // A report flushes before it reads: it must not return before that batch is stored.
        var beforeReport = recorder.FlushAsync(CancellationToken.None);
        await Task.Delay(50);
        Assert.False(beforeReport.IsCompleted, "the report's flush returned while a batch was still being written");

        store.Release.SetResult();
        await Task.WhenAll(background, beforeReport).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(1, store.Stored);
    }

    private static UsageRecord Call(string id) => new()
    {
        Id = id, At = DateTimeOffset.UnixEpoch, Model = "m", Operation = default, LatencyMs = 1,
    };

    private sealed class HeldStore : IUsageStore
    {
        public TaskCompletionSource Writing { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public int Stored { get; private set; }

        public async Task RecordAsync(IReadOnlyList<UsageRecord> calls, IReadOnlyList<UsageRollup> deltas, CancellationToken cancellationToken)
        {
            Writing.TrySetResult();
            await Release.Task;
            Stored += calls.Count;
        }

        public Task<IReadOnlyList<UsageRollup>> QueryAsync(UsageRollupQuery query, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<UsageRecord>> RecentCallsAsync(string model, int maxItems, bool failuresOnly, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
