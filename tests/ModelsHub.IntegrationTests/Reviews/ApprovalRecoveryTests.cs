using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using ModelsHub.Contracts.Reviews;
using ModelsHub.Core.Common;
using ModelsHub.Core.Reviews;
using ModelsHub.IntegrationTests.Infrastructure;
using ModelsHub.Testing;
using static ModelsHub.IntegrationTests.Infrastructure.GitHubTesting;

namespace ModelsHub.IntegrationTests.Reviews;

/// <summary>An approval whose decision could not be stored: its workflow ends without effect, and approving again carries the change out.</summary>
public sealed class ApprovalRecoveryTests : IAsyncLifetime
{
    private FakeGitHub _github = null!;
    private FlakyDecisionsHub _app = null!;

    public async Task InitializeAsync()
    {
        _github = await FakeGitHub.StartAsync();
        _app = new FlakyDecisionsHub();
        _app.WithGitHub(_github);
    }

    public async Task DisposeAsync()
    {
        _app.Dispose();
        await _github.DisposeAsync();
    }

    [Fact]
    public async Task AnApprovalWhoseDecisionWasNotStoredLeavesNoStuckWorkflowAndCanBeRepeated()
    {
        var carol = _app.ClientFor("carol", "user");
        var rita = _app.ClientFor("rita", "reviewer");
        const string name = "orphan-video";
        var submitted = await (await carol.PostAsJsonAsync("/api/models", VideoModel(name), HubApplication.Json).ExpectAsync(HttpStatusCode.Accepted)).JsonAsync();
        var id = submitted.GetProperty("id").GetString()!;

        _app.Submissions.FailNextDecision = true;
        var failed = await rita.PostAsJsonAsync($"/api/reviews/{id}/decision", new { decision = "approve" }, HubApplication.Json);
        Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
        var orphan = _app.Submissions.FailedDecisionWorkflowId!;
        Assert.Equal("pending", (await (await rita.GetAsync($"/api/reviews/{id}").ExpectAsync(HttpStatusCode.OK)).JsonAsync()).GetProperty("state").GetString());

        // The sweeper would send the orphan its message after the visibility timeout; the queue trigger handles it now.
        var message = new { queueItem = $"{{\"workflowId\":\"{orphan}\"}}" };
        await _app.RunFunctionAsync("WorkflowQueue", message);
        var ended = await FinishedWorkflowAsync(rita, orphan);
        Assert.True(ended.GetProperty("status").GetString() == "completed", ended.ToString());
        await rita.GetAsync($"/api/models/{name}").ExpectAsync(HttpStatusCode.NotFound);

        var approved = await DecideAsync(rita, id, "approve");
        var workflowId = approved.GetProperty("workflowId").GetString()!;
        Assert.NotEqual(orphan, workflowId);
        var done = await FinishedWorkflowAsync(rita, workflowId);
        Assert.True(done.GetProperty("status").GetString() == "completed", done.ToString());
        await PullRequestOfAsync(carol, name);
        Assert.Equal(1, _github.CountPullRequests());

        // Sent again, the orphan stays finished and changes nothing.
        await _app.RunFunctionAsync("WorkflowQueue", message);
        Assert.Equal(1, _github.CountPullRequests());
    }

    private sealed class FlakyDecisionsHub : HubApplication
    {
        public FailingSubmissionStore Submissions { get; private set; } = null!;

        protected override void ConfigureTestServices(IServiceCollection services)
        {
            var original = services.Last(d => d.ServiceType == typeof(ISubmissionStore));
            services.Remove(original);
            services.AddSingleton<ISubmissionStore>(sp =>
            {
                var inner = (ISubmissionStore)(original.ImplementationInstance
                    ?? original.ImplementationFactory?.Invoke(sp)
                    ?? ActivatorUtilities.CreateInstance(sp, original.ImplementationType!));
                return Submissions = new FailingSubmissionStore(inner);
            });
        }
    }

    /// <summary>Fails storing the next approval once, as a store outage between "workflow created" and "decision saved" would.</summary>
    private sealed class FailingSubmissionStore(ISubmissionStore inner) : ISubmissionStore
    {
        public volatile bool FailNextDecision;

        public string? FailedDecisionWorkflowId { get; private set; }

        public Task<Submission> ReplaceAsync(Submission submission, string ifMatch, CancellationToken cancellationToken)
        {
            if (submission.State == SubmissionState.Approved && FailNextDecision)
            {
                FailNextDecision = false;
                FailedDecisionWorkflowId = submission.WorkflowId;
                throw new InvalidOperationException("The submission store is unavailable (injected).");
            }
            return inner.ReplaceAsync(submission, ifMatch, cancellationToken);
        }

        public Task<Submission> CreateAsync(Submission submission, CancellationToken cancellationToken) => inner.CreateAsync(submission, cancellationToken);

        public Task<Submission?> FindAsync(string id, CancellationToken cancellationToken) => inner.FindAsync(id, cancellationToken);

        public Task<IReadOnlyList<Submission>> ListForModelAsync(string modelName, CancellationToken cancellationToken) => inner.ListForModelAsync(modelName, cancellationToken);

        public Task<IReadOnlyList<Submission>> ListWithOpenPullRequestAsync(CancellationToken cancellationToken) => inner.ListWithOpenPullRequestAsync(cancellationToken);

        public Task<Page<Submission>> QueryAsync(SubmissionQuery query, CancellationToken cancellationToken) => inner.QueryAsync(query, cancellationToken);
    }
}
