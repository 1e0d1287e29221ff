using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModelsHub.Core.Catalog;
using ModelsHub.Core.Common;
using ModelsHub.Core.GitHub;
using ModelsHub.Core.Reviews;

namespace ModelsHub.Core.PullRequests;

/// <summary>What one refresh of the open pull requests found.</summary>
public sealed record PullRequestRefreshResult(int Checked, int Merged, int Closed, IReadOnlyList<PullRequestRefreshError> Errors);

public sealed record PullRequestRefreshError(string Model, string Reason);

/// <summary>
/// Keeps the pull request a model shows up to date: records a newly opened one, and refreshes its
/// state (open, merged, closed) from GitHub; a merged one marks the change published. The upstream
/// sync calls <see cref="RefreshOpenAsync"/> on every run.
/// </summary>
public sealed partial class PullRequestTracker(IModelStore models, ModelChangeNotifier notifier, IModelRepository repository, ReviewBoard reviews,
    IOptions<GitHubOptions> options, ILogger<PullRequestTracker> logger, TimeProvider clock)
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
        if (model.PullRequest is not { } current)
        {
            return null;
        }
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
        await MutateAsync(modelName, pr => pr?.Number == current.Number && pr.Repository == current.Repository ? updated : pr, cancellationToken);
        LogRefreshed(logger, modelName, current.Number, fresh.State);
        if (updated.State == PullRequestState.Merged)
        {
            // After the model: a crash in between leaves the submissions to the next refresh of
            // this pull request (the manual one), never a model that claims less than its submissions.
            await reviews.MarkPublishedAsync(modelName, updated, cancellationToken);
        }
        return updated;
    }

    /// <summary>
    /// Refreshes every model whose pull request the hub still knows as open. One model's failure
    /// (GitHub refusing, a pull request gone) is reported and the others go on.
    /// </summary>
    public async Task<PullRequestRefreshResult> RefreshOpenAsync(CancellationToken cancellationToken)
    {
        var names = await models.ListWithOpenPullRequestAsync(cancellationToken);
        int merged = 0, closed = 0;
        var errors = new List<PullRequestRefreshError>();
        foreach (var name in names)
        {
            try
            {
                switch ((await RefreshAsync(name, cancellationToken))?.State)
                {
                    case PullRequestState.Merged: merged++; break;
                    case PullRequestState.Closed: closed++; break;
                }
            }
            catch (NotFoundException ex) when (ex.Resource == "Model")
            {
                // Deleted since it was listed: nothing left to show the state on.
            }
            catch (HubException ex)
            {
                errors.Add(new PullRequestRefreshError(name, ex.Message));
                LogRefreshFailed(logger, name, ex.Message);
            }
        }
        return new PullRequestRefreshResult(names.Count, merged, closed, errors);
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "The pull request of model {Name} could not be refreshed: {Reason}")]
    private static partial void LogRefreshFailed(ILogger logger, string name, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pull request #{Number} of model {Name} is now {State}")]
    private static partial void LogRefreshed(ILogger logger, string name, int number, PullRequestState state);
}
