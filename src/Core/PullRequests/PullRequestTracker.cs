using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModelsHub.Contracts.PullRequests;
using ModelsHub.Core.Catalog;
using ModelsHub.Core.Common;
using ModelsHub.Core.GitHub;
using ModelsHub.Core.Reviews;

namespace ModelsHub.Core.PullRequests;

/// <summary>What one refresh of the open pull requests found.</summary>
public sealed record PullRequestRefreshResult(int Checked, int Merged, int Closed, IReadOnlyList<PullRequestRefreshError> Errors);

public sealed record PullRequestRefreshError(string Model, string Reason);

/// <summary>
/// Keeps the pull requests the hub shows up to date: records a newly opened one on its model, and
/// refreshes the state (open, merged, closed) from GitHub onto the model and the submissions the
/// pull request carried; a merged one marks them published. The upstream sync calls
/// <see cref="RefreshOpenAsync"/> on every run.
/// </summary>
public sealed partial class PullRequestTracker(IModelStore models, ISubmissionStore submissions, ModelChangeNotifier notifier, IModelRepository repository,
    ReviewBoard reviews, IOptions<GitHubOptions> options, ILogger<PullRequestTracker> logger, TimeProvider clock)
{
    /// <summary>Notes the pull request on the model (when the model still exists).</summary>
    public Task RecordAsync(string modelName, ModelPullRequest pullRequest, CancellationToken cancellationToken) =>
        MutateAsync(modelName, _ => pullRequest, cancellationToken);

    /// <summary>
    /// Reads the model's pull request state from GitHub and stores it when it changed. Returns the
    /// model's pull request, or null when it has none.
    /// </summary>
    public async Task<ModelPullRequest?> RefreshAsync(string modelName, CancellationToken cancellationToken)
    {
        var model = await models.FindAsync(modelName, cancellationToken) ?? throw new NotFoundException("Model", modelName);
        return model.PullRequest is { } current ? await RefreshAsync(modelName, current, cancellationToken) : null;
    }

    /// <summary>
    /// Refreshes every pull request the hub last saw open, found through the submissions that
    /// carried them (so a deleted model's pull request is followed too). One pull request's failure
    /// (GitHub refusing, a pull request gone) is reported and the others go on.
    /// </summary>
    public async Task<PullRequestRefreshResult> RefreshOpenAsync(CancellationToken cancellationToken)
    {
        var open = (await submissions.ListWithOpenPullRequestAsync(cancellationToken))
            .GroupBy(s => (Model: HubModel.IdFor(s.ModelName), s.PullRequest!.Repository, s.PullRequest.Number))
            .Select(g => (g.First().ModelName, PullRequest: g.First().PullRequest!))
            .ToList();
        int merged = 0, closed = 0;
        var errors = new List<PullRequestRefreshError>();
        foreach (var (name, pullRequest) in open)
        {
            try
            {
                switch ((await RefreshAsync(name, pullRequest, cancellationToken)).State)
                {
                    case PullRequestState.Merged: merged++; break;
                    case PullRequestState.Closed: closed++; break;
                }
            }
            catch (HubException ex)
            {
                errors.Add(new PullRequestRefreshError(name, $"#{pullRequest.Number}: {ex.Message}"));
                LogRefreshFailed(logger, name, pullRequest.Number, ex.Message);
            }
        }
        return new PullRequestRefreshResult(open.Count, merged, closed, errors);
    }

    /// <summary>Reads the pull request from GitHub; when it moved on, stores its state on the model (while it shows it) and on its submissions.</summary>
    private async Task<ModelPullRequest> RefreshAsync(string modelName, ModelPullRequest current, CancellationToken cancellationToken)
    {
        if (!RepositoryName.TryParse(current.Repository, out var repositoryName))
        {
            return current;
        }
        var token = string.IsNullOrEmpty(options.Value.DefaultToken) ? null : options.Value.DefaultToken;
        var fresh = await repository.GetPullRequestAsync(token, repositoryName, current.Number, cancellationToken);
        if (fresh.State == current.State && fresh.Url == current.Url)
        {
            return current;
        }
        var now = clock.GetUtcNow();
        var updated = current with
        {
            State = fresh.State,
            Url = fresh.Url,
            UpdatedAt = now,
            PublishedAt = fresh.State == PullRequestState.Merged ? current.PublishedAt ?? now : null,
        };
        await MutateAsync(modelName, pr => pr is not null && pr.Number == current.Number && pr.Repository == current.Repository && (pr.State != updated.State || pr.Url != updated.Url)
            ? pr with { State = updated.State, Url = updated.Url, UpdatedAt = updated.UpdatedAt, PublishedAt = updated.PublishedAt }
            : pr, cancellationToken);
        // After the model: a crash in between leaves the submissions open, so the next sync's refresh
        // (which starts from them) finishes the job.
        await reviews.UpdatePullRequestAsync(modelName, updated, cancellationToken);
        LogRefreshed(logger, modelName, current.Number, fresh.State);
        return updated;
    }

    private async Task MutateAsync(string modelName, Func<ModelPullRequest?, ModelPullRequest?> change, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var current = await models.FindAsync(modelName, cancellationToken);
            if (current is null)
            {
                return;
            }
            var pullRequest = change(current.PullRequest);
            if (pullRequest == current.PullRequest)
            {
                return;
            }
            var next = current.Clone();
            next.PullRequest = pullRequest;
            try
            {
                var saved = await models.ReplaceAsync(next, current.ETag!, cancellationToken);
                await notifier.NotifyAsync(new ModelChange(saved.Name, current, saved), cancellationToken);
                return;
            }
            catch (PreconditionFailedException) when (attempt < 10)
            {
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Pull request #{Number} of model {Name} could not be refreshed: {Reason}")]
    private static partial void LogRefreshFailed(ILogger logger, string name, int number, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pull request #{Number} of model {Name} is now {State}")]
    private static partial void LogRefreshed(ILogger logger, string name, int number, PullRequestState state);
}
