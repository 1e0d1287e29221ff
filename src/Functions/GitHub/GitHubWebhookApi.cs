using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using ModelsHub.Contracts.PullRequests;
using ModelsHub.Core.GitHub;
using ModelsHub.Core.PullRequests;
using ModelsHub.Functions.Hosting;
using Octokit.Webhooks;
using Octokit.Webhooks.AspNetCore;
using Octokit.Webhooks.Events;
using Octokit.Webhooks.Events.PullRequest;

namespace ModelsHub.Functions.GitHub;

/// <summary>
/// GitHub's <c>pull_request</c> events for the model repository: a merged or closed pull request is marked
/// at once through <see cref="PullRequestTracker"/>, the same path the sync's polling refresh takes (which
/// stays, for events that never arrive). Octokit.Webhooks checks <c>X-Hub-Signature-256</c> with
/// <c>GitHub:WebhookSecret</c> before anything is read; without the setting the route refuses every delivery.
/// </summary>
public static class GitHubWebhookApi
{
    public const string Route = "/github/webhook";

    public static RouteGroupBuilder MapGitHubWebhookApi(this RouteGroupBuilder api)
    {
        var secret = ((IEndpointRouteBuilder)api).ServiceProvider.GetRequiredService<IOptions<GitHubOptions>>().Value.WebhookSecret;
        // Never mapped without a secret: the library would then accept unsigned deliveries.
        var route = string.IsNullOrEmpty(secret) ? api.MapPost(Route, WebhookNotConfigured) : api.MapGitHubWebhooks(Route, secret);
        route.WithName("ReceiveGitHubWebhook").WithTags("GitHub")
            .WithSummary("GitHub's pull_request events for the model repository (X-Hub-Signature-256 checked with GitHub:WebhookSecret): marks merged and closed pull requests at once.")
            // A POST, but no one signs in to it: per address under the sign-in-free allowance (the convention
            // would give it the writes one). GitHub does not retry a refused delivery; the sync's polling
            // refresh marks what a burst beyond the allowance loses.
            .RequireRateLimiting(RateLimitPolicies.SignInFree);
        return api;
    }

    public static ProblemHttpResult WebhookNotConfigured() =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "GitHub webhooks are not set up",
            detail: $"This hub has no {GitHubOptions.Section}:WebhookSecret, so it cannot verify GitHub's deliveries; pull requests are followed by the sync's polling.");
}

/// <summary>Turns verified <c>pull_request</c> events of the model repository into pull request states.</summary>
public sealed partial class GitHubPullRequestEvents(PullRequestTracker tracker, IOptions<GitHubOptions> options, ILogger<GitHubPullRequestEvents> logger)
    : WebhookEventProcessor
{
    protected override async ValueTask ProcessPullRequestWebhookAsync(WebhookHeaders headers, PullRequestEvent pullRequestEvent, PullRequestAction action,
        CancellationToken cancellationToken = default)
    {
        var repository = pullRequestEvent.Repository?.FullName;
        var pullRequest = pullRequestEvent.PullRequest;
        if (repository is null || pullRequest is null || !string.Equals(repository, options.Value.Target.ToString(), StringComparison.OrdinalIgnoreCase))
        {
            return;
        }
        PullRequestState? state = action == PullRequestAction.Closed ? (pullRequest.Merged == true ? PullRequestState.Merged : PullRequestState.Closed)
            : action == PullRequestAction.Reopened ? PullRequestState.Open
            : null;
        if (state is not { } now)
        {
            return;
        }
        var touched = await tracker.ApplyEventAsync(repository, (int)pullRequest.Number, now, pullRequest.HtmlUrl, pullRequest.Head?.Ref, cancellationToken);
        LogReceived(logger, headers.Delivery ?? "", (int)pullRequest.Number, now, touched);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "GitHub delivery {Delivery}: pull request #{Number} is {State}; {Models} model(s) follow it")]
    private static partial void LogReceived(ILogger logger, string delivery, int number, PullRequestState state, int models);
}
