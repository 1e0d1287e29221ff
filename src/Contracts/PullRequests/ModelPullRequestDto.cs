namespace ModelsHub.Contracts.PullRequests;

/// <summary>
/// The pull request that carries a model's approved change to the model repository;
/// <see cref="PublishedAt"/> is when the hub saw it merged.
/// </summary>
public sealed record ModelPullRequestDto(
    int Number,
    string Url,
    PullRequestState State,
    string Repository,
    string Branch,
    string? SubmissionId,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? PublishedAt = null);
