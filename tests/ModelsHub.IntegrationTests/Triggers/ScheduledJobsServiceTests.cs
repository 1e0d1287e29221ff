using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using ModelsHub.Functions.Triggers;

namespace ModelsHub.IntegrationTests.Triggers;

public sealed class ScheduledJobsServiceTests
{
    [Fact]
    public async Task AYearlyScheduleStartedAfterItsDayWaitsAYearAndRunsOnce()
    {
        // Jan 2: the next occurrence is 364 days away, far beyond what one Task.Delay accepts.
        var clock = new ObservedClock(new DateTimeOffset(2027, 1, 2, 0, 0, 0, TimeSpan.Zero));
        var job = new RecordingJob("0 0 0 1 1 *", clock);
        var logger = new ErrorRecorder();
        using var service = new ScheduledJobsService([job], new ConfigurationBuilder().Build(),
            Options.Create(new TriggerOptions { InProcess = true }), clock, logger);

        await service.StartAsync(CancellationToken.None);
        try
        {
            while (clock.GetUtcNow() <= new DateTimeOffset(2028, 1, 1, 0, 0, 0, TimeSpan.Zero))
            {
                // The service arms a timer for every wait; a service that cannot wait never arms one.
                Assert.True(await clock.Armed.WaitAsync(TimeSpan.FromSeconds(10)),
                    $"the service stopped waiting at {clock.GetUtcNow():O}; errors: {string.Join(" | ", logger.Errors.Take(3))}");
                clock.Advance(ScheduledJobsService.LongestWait);
            }
            Assert.True(await clock.Armed.WaitAsync(TimeSpan.FromSeconds(10)));
            Assert.Equal([new DateTimeOffset(2028, 1, 1, 0, 0, 0, TimeSpan.Zero)], job.RunsAt);
            Assert.Empty(logger.Errors);
        }
        finally
        {
            await service.StopAsync(CancellationToken.None);
        }
    }

    private sealed class ObservedClock(DateTimeOffset start) : FakeTimeProvider(start)
    {
        public SemaphoreSlim Armed { get; } = new(0);

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = base.CreateTimer(callback, state, dueTime, period);
            Armed.Release();
            return timer;
        }
    }

    private sealed class RecordingJob(string schedule, TimeProvider clock) : IScheduledJob
    {
        public List<DateTimeOffset> RunsAt { get; } = [];
        public string Name => "recording";
        public string ScheduleSetting => "Test:Schedule";
        public string DefaultSchedule => schedule;

        public Task RunAsync(CancellationToken cancellationToken)
        {
            lock (RunsAt) RunsAt.Add(clock.GetUtcNow());
            return Task.CompletedTask;
        }
    }

    private sealed class ErrorRecorder : ILogger<ScheduledJobsService>
    {
        public List<string> Errors { get; } = [];
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel < LogLevel.Error) return;
            lock (Errors) Errors.Add($"{formatter(state, exception)} {exception?.GetType().Name}");
        }
    }
}
