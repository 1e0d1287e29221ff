using ModelsHub.Core.Common;

namespace ModelsHub.Core.Reviews;

/// <summary>Where review submissions live.</summary>
public interface ISubmissionStore
{
    /// <summary>Stores a new submission; <see cref="ConflictException"/> when its id, or its model's revision number, is taken.</summary>
    Task<Submission> CreateAsync(Submission submission, CancellationToken cancellationToken);

    Task<Submission?> FindAsync(string id, CancellationToken cancellationToken);

    /// <summary>Replaces the submission if its ETag still matches; <see cref="PreconditionFailedException"/> otherwise.</summary>
    Task<Submission> ReplaceAsync(Submission submission, string ifMatch, CancellationToken cancellationToken);

    /// <summary>Every submission of the model (name ignoring case), oldest revision first.</summary>
    Task<IReadOnlyList<Submission>> ListForModelAsync(string modelName, CancellationToken cancellationToken);

    /// <summary>
    /// Every submission whose pull request the hub last saw open (<c>pullRequest.state</c> = open),
    /// oldest first: what the upstream sync refreshes from GitHub. Covers deleted models too, whose
    /// pull request lives only on their submissions.
    /// </summary>
    Task<IReadOnlyList<Submission>> ListWithOpenPullRequestAsync(CancellationToken cancellationToken);

    /// <summary>One page of submissions matching the query, oldest first.</summary>
    /// <exception cref="ValidationException">The continuation token is not one this store issued for this query.</exception>
    Task<Page<Submission>> QueryAsync(SubmissionQuery query, CancellationToken cancellationToken);
}
