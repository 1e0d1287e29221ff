using ModelsHub.Contracts.PullRequests;
using ModelsHub.Core.GitHub;

namespace ModelsHub.Core.PullRequests;

/// <summary>
/// The pull request that carries a model's approved change to the model repository.
/// <see cref="PublishedAt"/> is when the hub saw it merged: the change is then published upstream.
/// </summary>
public sealed record ModelPullRequest(
    int Number,
    string Url,
    PullRequestState State,
    string Repository,
    string Branch,
    string? SubmissionId,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? PublishedAt = null);

/// <summary>Names the hub gives things in the model repository.</summary>
public static class PullRequestNaming
{
    public static string Branch(string modelName) => $"chore/models-sync/{modelName}";

    public static string Title(string modelName) => $"chore: sync model \"{modelName}\" JSON";
}
