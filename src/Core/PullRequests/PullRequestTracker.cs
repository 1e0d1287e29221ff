using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModelsHub.Core.Catalog;
using ModelsHub.Core.Common;
using ModelsHub.Core.GitHub;

namespace ModelsHub.Core.PullRequests;

/// <summary>
/// Keeps the pull request a model shows up to date: records a newly opened one, and refreshes its
/// state (open, merged, closed) from GitHub. The upstream sync's schedule reuses <see cref="RefreshAsync"/>.
/// </summary>
public sealed partial class PullRequestTracker(IModelStore models, ModelChangeNotifier notifier, IModelRepository repository,
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
        var updated = current with { State = fresh.State, Url = fresh.Url, UpdatedAt = clock.GetUtcNow() };
        await MutateAsync(modelName, pr => pr?.Number == current.Number ? updated : pr, cancellationToken);
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Pull request #{Number} of model {Name} is now {State}")]
    private static partial void LogRefreshed(ILogger logger, string name, int number, PullRequestState state);
}
