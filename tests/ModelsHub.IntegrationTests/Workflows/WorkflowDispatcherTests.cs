using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using ModelsHub.Core.Workflows;
using ModelsHub.Infrastructure.Sqlite;
using ModelsHub.IntegrationTests.Infrastructure;
using ModelsHub.Testing;
using static ModelsHub.IntegrationTests.Infrastructure.SyncTesting;

namespace ModelsHub.IntegrationTests.Workflows;

/// <summary>The in-process dispatcher never loses the message that asks for an instance's next step.</summary>
public sealed class WorkflowDispatcherTests : IAsyncLifetime
{
    private FakeGitHub _github = null!;

    public async Task InitializeAsync() => _github = await FakeGitHub.StartAsync();

    public async Task DisposeAsync() => await _github.DisposeAsync();

    /// <summary>
    /// A queue whose enqueue returns late: the runner's next-step message is already visible while the
    /// step that sent it is still in flight, which is when a dispatcher that drops "duplicates" lost it.
    /// </summary>
    private sealed class SlowEnqueueQueue(IWorkQueue inner) : IWorkQueue
    {
        public async Task EnqueueAsync(string body, TimeSpan? delay, CancellationToken cancellationToken)
        {
            await inner.EnqueueAsync(body, delay, cancellationToken);
            await Task.Delay(TimeSpan.FromMilliseconds(600), cancellationToken);
        }

        public Task<IReadOnlyList<WorkItem>> ReceiveAsync(int maxItems, TimeSpan visibilityTimeout, CancellationToken cancellationToken) =>
            inner.ReceiveAsync(maxItems, visibilityTimeout, cancellationToken);

        public Task CompleteAsync(WorkItem item, CancellationToken cancellationToken) => inner.CompleteAsync(item, cancellationToken);

        public Task ReleaseAsync(WorkItem item, TimeSpan delay, CancellationToken cancellationToken) => inner.ReleaseAsync(item, delay, cancellationToken);

        public Task MoveToPoisonAsync(WorkItem item, string reason, CancellationToken cancellationToken) => inner.MoveToPoisonAsync(item, reason, cancellationToken);

        public Task<int> CountAsync(CancellationToken cancellationToken) => inner.CountAsync(cancellationToken);
    }

    private sealed class Application : HubApplication
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureTestServices(services =>
            {
                services.RemoveAll<IWorkQueue>();
                services.AddSingleton<IWorkQueue>(sp => new SlowEnqueueQueue(ActivatorUtilities.CreateInstance<SqliteWorkQueue>(sp)));
            });
        }
    }

    [Fact]
    public async Task ANextStepMessageThatArrivesWhileItsStepIsStillInFlightIsNotLost()
    {
        // The sweeper would rescue a lost message only after the visibility timeout (5 minutes), far
        // beyond this test's patience: each of the sync's three steps must be driven by its own message.
        using var app = new Application();
        app.WithGitHub(_github);
        var admin = app.ClientFor("ada", "admin");
        var (runId, _) = await StartSyncAsync(admin);
        var run = await FinishedRunAsync(admin, runId, TimeSpan.FromSeconds(60));
        Assert.Equal("succeeded", run.GetProperty("status").GetString());
    }
}
