using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModelsHub.Contracts.PullRequests;
using ModelsHub.Core.Catalog;
using ModelsHub.Core.Common;
using ModelsHub.Core.Events;
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
/// <see cref="RefreshOpenAsync"/> on every run; GitHub's <c>pull_request</c> events reach
/// <see cref="ApplyEventAsync"/>, which takes the same path with the state the event carries. Each
/// change of state raises <c>pull_request.opened/merged/closed</c>.
/// </summary>
public sealed partial class PullRequestTracker(IModelStore models, ISubmissionStore submissions, ModelChangeNotifier notifier, IModelRepository repository,
    ReviewBoard reviews, HubEvents events, IOptions<GitHubOptions> options, ILogger<PullRequestTracker> logger, TimeProvider clock)
{
    /// <summary>Notes the pull request on the model (when the model still exists); a newly opened one raises <c>pull_request.opened</c>.</summary>
    public async Task RecordAsync(string modelName, ModelPullRequest pullRequest, CancellationToken cancellationToken)
    {
        if (await MutateAsync(modelName, _ => pullRequest, cancellationToken) is var (before, after)
            && (before.PullRequest is not { } previous || previous.Number != pullRequest.Number || previous.Repository != pullRequest.Repository
                || previous.State != PullRequestState.Open))
        {
            await events.RaiseAsync(EventPayloads.PullRequest(after.Name, after.Owner, pullRequest, clock.GetUtcNow()), cancellationToken);
        }
    }

    /// <summary>
    /// GitHub said pull request <paramref name="number"/> of <paramref name="repository"/> is now
    /// <paramref name="state"/>: brings the model and the submissions that carried it up to that state at
    /// once, as the polling refresh would. The pull request is found through the submissions that saw it
    /// open, else (a reopened one) through the model its branch names. Returns how many models it touched.
    /// </summary>
    public async Task<int> ApplyEventAsync(string repository, int number, PullRequestState state, string url, string? branch, CancellationToken cancellationToken)
    {
        var carried = (await submissions.ListWithOpenPullRequestAsync(cancellationToken))
            .Where(s => s.PullRequest!.Number == number && string.Equals(s.PullRequest.Repository, repository, StringComparison.OrdinalIgnoreCase))
            .GroupBy(s => HubModel.IdFor(s.ModelName))
            .Select(g => (g.First().ModelName, PullRequest: g.First().PullRequest!))
            .ToList();
        if (carried.Count == 0 && branch is not null && branch.StartsWith(PullRequestNaming.Branch(""), StringComparison.Ordinal)
            && await models.FindAsync(branch[PullRequestNaming.Branch("").Length..], cancellationToken) is { PullRequest: { } shown } model
            && shown.Number == number && string.Equals(shown.Repository, repository, StringComparison.OrdinalIgnoreCase))
        {
            carried.Add((model.Name, shown));
        }
        foreach (var (name, pullRequest) in carried)
        {
            if (pullRequest.State != state || pullRequest.Url != url)
            {
                await ApplyStateAsync(name, pullRequest, state, url, cancellationToken);
            }
        }
        return carried.Count;
    }

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
        return await ApplyStateAsync(modelName, current, fresh.State, fresh.Url, cancellationToken);
    }

    /// <summary>Stores a pull request's new state on the model (while it shows it) and on its submissions; a merged one publishes them.</summary>
    private async Task<ModelPullRequest> ApplyStateAsync(string modelName, ModelPullRequest current, PullRequestState state, string url, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var updated = current with
        {
            State = state,
            Url = url,
            UpdatedAt = now,
            PublishedAt = state == PullRequestState.Merged ? current.PublishedAt ?? now : null,
        };
        await MutateAsync(modelName, pr => pr is not null && pr.Number == current.Number && pr.Repository == current.Repository && (pr.State != updated.State || pr.Url != updated.Url)
            ? pr with { State = updated.State, Url = updated.Url, UpdatedAt = updated.UpdatedAt, PublishedAt = updated.PublishedAt }
            : pr, cancellationToken);
        // After the model: a crash in between leaves the submissions open, so the next sync's refresh
        // (which starts from them) finishes the job.
        await reviews.UpdatePullRequestAsync(modelName, updated, cancellationToken);
        LogRefreshed(logger, modelName, current.Number, state);
        var owner = (await models.FindAsync(modelName, cancellationToken))?.Owner;
        await events.RaiseAsync(EventPayloads.PullRequest(modelName, owner, updated, now), cancellationToken);
        return updated;
    }

    /// <summary>Sets the model's pull request; the model before and after, or null when there was nothing to change.</summary>
    private async Task<(HubModel Before, HubModel After)?> MutateAsync(string modelName, Func<ModelPullRequest?, ModelPullRequest?> change, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var current = await models.FindAsync(modelName, cancellationToken);
            if (current is null)
            {
                return null;
            }
            var pullRequest = change(current.PullRequest);
            if (pullRequest == current.PullRequest)
            {
                return null;
            }
            var next = current.Clone();
            next.PullRequest = pullRequest;
            try
            {
                var saved = await models.ReplaceAsync(next, current.ETag!, cancellationToken);
                await notifier.NotifyAsync(new ModelChange(saved.Name, current, saved), cancellationToken);
                return (current, saved);
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
