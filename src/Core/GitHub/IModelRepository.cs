using ModelsHub.Contracts.PullRequests;
using ModelsHub.Core.Common;

namespace ModelsHub.Core.GitHub;

/// <summary>A repository on GitHub (or GitHub Enterprise): <c>owner/name</c>.</summary>
public sealed record RepositoryName(string Owner, string Name)
{
    public override string ToString() => $"{Owner}/{Name}";

    public static bool TryParse(string? text, out RepositoryName repository)
    {
        repository = null!;
        var parts = text?.Split('/') ?? [];
        if (parts.Length != 2 || parts.Any(p => p.Length == 0 || p.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))))
        {
            return false;
        }
        repository = new RepositoryName(parts[0], parts[1]);
        return true;
    }
}

/// <summary>A pull request as the hub shows it.</summary>
public sealed record PullRequestInfo(int Number, string Url, PullRequestState State, string HeadOwner, string HeadBranch);

/// <summary>Who a token belongs to and what GitHub says it may do (the <c>X-OAuth-Scopes</c> header; empty for fine-grained tokens).</summary>
public sealed record GitHubIdentity(string Login, IReadOnlyList<string> Scopes);

/// <summary>A change of one file, committed on a branch.</summary>
public sealed record FileCommit(string Branch, string Path, string Content, string Message, string ParentSha);

/// <summary>
/// The model repository on GitHub, in the hub's words: read a file at a ref, branch, commit a
/// file, find or open the pull request of a branch, fork. Every call takes the token to act with
/// (null: anonymous, for public reads). Adapters translate failures: a missing thing is
/// <see cref="NotFoundException"/>, a clash <see cref="ConflictException"/>, a moved branch
/// <see cref="PreconditionFailedException"/>, a token GitHub refuses <see cref="RepositoryAccessException"/>.
/// </summary>
public interface IModelRepository
{
    /// <summary>Who the token belongs to; <see cref="RepositoryAccessException"/> when GitHub rejects it.</summary>
    Task<GitHubIdentity> ValidateTokenAsync(string token, CancellationToken cancellationToken);

    /// <summary>The file's text at a branch, tag or commit, or null when the file (or the ref) does not exist.</summary>
    Task<string?> GetFileAsync(string? token, RepositoryName repository, string path, string reference, CancellationToken cancellationToken);

    /// <summary>The commit a branch points at, or null when there is no such branch.</summary>
    Task<string?> GetBranchHeadAsync(string? token, RepositoryName repository, string branch, CancellationToken cancellationToken);

    /// <summary>Creates a branch at a commit; <see cref="ConflictException"/> when it exists.</summary>
    Task CreateBranchAsync(string token, RepositoryName repository, string branch, string sha, CancellationToken cancellationToken);

    /// <summary>Moves an existing branch to a commit, even when that is not a fast-forward (the branch's own commits are dropped).</summary>
    Task ResetBranchAsync(string token, RepositoryName repository, string branch, string sha, CancellationToken cancellationToken);

    /// <summary>
    /// Commits one file's new content on top of <see cref="FileCommit.ParentSha"/> and moves the
    /// branch to it; <see cref="PreconditionFailedException"/> when the branch moved meanwhile.
    /// Returns the new commit's sha.
    /// </summary>
    Task<string> CommitFileAsync(string token, RepositoryName repository, FileCommit commit, CancellationToken cancellationToken);

    /// <summary>The open pull request from <paramref name="headOwner"/>:<paramref name="branch"/> into <paramref name="baseBranch"/>, or null.</summary>
    Task<PullRequestInfo?> FindOpenPullRequestAsync(string? token, RepositoryName repository, string headOwner, string branch, string baseBranch, CancellationToken cancellationToken);

    /// <summary>
    /// Opens a pull request; <see cref="ConflictException"/> when that branch already has an open one,
    /// <see cref="PullRequestRefusedException"/> when GitHub refuses it for another reason (no commits between
    /// the branches, a missing head or base).
    /// </summary>
    Task<PullRequestInfo> OpenPullRequestAsync(string token, RepositoryName repository, string headOwner, string branch, string baseBranch,
        string title, string body, CancellationToken cancellationToken);

    /// <summary>The pull request's current state (open, merged or closed).</summary>
    Task<PullRequestInfo> GetPullRequestAsync(string? token, RepositoryName repository, int number, CancellationToken cancellationToken);

    /// <summary>Whether the token may push branches to the repository.</summary>
    Task<bool> CanPushAsync(string token, RepositoryName repository, CancellationToken cancellationToken);

    /// <summary>The token owner's fork of the repository, created when missing (GitHub answers with the existing fork).</summary>
    Task<RepositoryName> ForkAsync(string token, RepositoryName repository, CancellationToken cancellationToken);
}

/// <summary>GitHub refused the token (401) or its permissions (403), or could not be reached.</summary>
public sealed class RepositoryAccessException(string message, bool tokenRejected, Exception? inner = null) : HubException(message, inner)
{
    /// <summary>True when GitHub said the token itself is not valid (401).</summary>
    public bool TokenRejected { get; } = tokenRejected;
}

/// <summary>GitHub refused to open a pull request for a reason other than an open one existing (its message says which).</summary>
public sealed class PullRequestRefusedException(string message) : HubException(message);
