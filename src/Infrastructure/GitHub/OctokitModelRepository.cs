using System.Net;
using System.Text;
using ModelsHub.Contracts.PullRequests;
using ModelsHub.Core.Common;
using ModelsHub.Core.GitHub;
using Octokit;
using HubConflict = ModelsHub.Core.Common.ConflictException;
using HubNotFound = ModelsHub.Core.Common.NotFoundException;
using PullRequestState = ModelsHub.Contracts.PullRequests.PullRequestState;

namespace ModelsHub.Infrastructure.GitHub;

/// <summary>
/// The model repository through Octokit (github.com or GitHub Enterprise). Files are read raw and
/// committed through the Git data API (blob, tree, commit, ref), which takes files of any size
/// the repository holds (llm_family.json is over the contents API's 1 MB limit).
/// </summary>
public sealed class OctokitModelRepository(GitHubClientFactory clients) : IModelRepository
{
    public async Task<GitHubIdentity> ValidateTokenAsync(string token, CancellationToken cancellationToken)
    {
        var client = clients.Fresh(token);
        var user = await Call(() => client.User.Current(), "the token's user");
        var scopes = client.GetLastApiInfo()?.OauthScopes ?? [];
        return new GitHubIdentity(user.Login, scopes.ToList());
    }

    public async Task<string?> GetFileAsync(string? token, RepositoryName repository, string path, string reference, CancellationToken cancellationToken)
    {
        try
        {
            var bytes = await Call(() => clients.For(token).Repository.Content.GetRawContentByRef(repository.Owner, repository.Name, path, reference), path);
            return Encoding.UTF8.GetString(bytes);
        }
        catch (HubNotFound)
        {
            return null;
        }
    }

    public async Task<string?> GetBranchHeadAsync(string? token, RepositoryName repository, string branch, CancellationToken cancellationToken)
    {
        try
        {
            var reference = await Call(() => clients.For(token).Git.Reference.Get(repository.Owner, repository.Name, "heads/" + branch), "branch " + branch);
            return reference.Object.Sha;
        }
        catch (HubNotFound)
        {
            return null;
        }
    }

    public async Task CreateBranchAsync(string token, RepositoryName repository, string branch, string sha, CancellationToken cancellationToken)
    {
        try
        {
            await Call(() => clients.For(token).Git.Reference.Create(repository.Owner, repository.Name, new NewReference("refs/heads/" + branch, sha)), "branch " + branch);
        }
        catch (ApiValidationException ex)
        {
            throw new HubConflict($"Branch '{branch}' already exists in {repository}: {ex.Message}");
        }
    }

    public async Task ResetBranchAsync(string token, RepositoryName repository, string branch, string sha, CancellationToken cancellationToken)
    {
        try
        {
            await Call(() => clients.For(token).Git.Reference.Update(repository.Owner, repository.Name, "heads/" + branch, new ReferenceUpdate(sha, force: true)), "branch " + branch);
        }
        catch (ApiValidationException ex)
        {
            throw new HubNotFound("Branch", $"{repository}:{branch} ({ex.Message})");
        }
    }

    public async Task<string> CommitFileAsync(string token, RepositoryName repository, FileCommit commit, CancellationToken cancellationToken)
    {
        var git = clients.For(token).Git;
        var (owner, name) = (repository.Owner, repository.Name);
        var parent = await Call(() => git.Commit.Get(owner, name, commit.ParentSha), "commit " + commit.ParentSha);
        var blob = await Call(() => git.Blob.Create(owner, name, new NewBlob
        {
            Content = Convert.ToBase64String(Encoding.UTF8.GetBytes(commit.Content)),
            Encoding = EncodingType.Base64,
        }), commit.Path);
        var newTree = new NewTree { BaseTree = parent.Tree.Sha };
        newTree.Tree.Add(new NewTreeItem { Path = commit.Path, Mode = "100644", Type = TreeType.Blob, Sha = blob.Sha });
        var tree = await Call(() => git.Tree.Create(owner, name, newTree), commit.Path);
        var created = await Call(() => git.Commit.Create(owner, name, new NewCommit(commit.Message, tree.Sha, commit.ParentSha)), "commit");
        try
        {
            await Call(() => git.Reference.Update(owner, name, "heads/" + commit.Branch, new ReferenceUpdate(created.Sha, force: false)), "branch " + commit.Branch);
        }
        catch (ApiValidationException)
        {
            // Not a fast-forward: the branch moved after the parent was read.
            throw new PreconditionFailedException("Branch", commit.Branch);
        }
        return created.Sha;
    }

    public async Task<PullRequestInfo?> FindOpenPullRequestAsync(string? token, RepositoryName repository, string headOwner, string branch, string baseBranch,
        CancellationToken cancellationToken)
    {
        var request = new PullRequestRequest { State = ItemStateFilter.Open, Head = $"{headOwner}:{branch}", Base = baseBranch };
        var found = await Call(() => clients.For(token).PullRequest.GetAllForRepository(repository.Owner, repository.Name, request,
            new ApiOptions { PageSize = 10, PageCount = 1, StartPage = 1 }), "pull requests");
        var match = found.FirstOrDefault(p => p.Head?.Ref == branch && (p.Head.User?.Login ?? p.Head.Repository?.Owner?.Login ?? headOwner) == headOwner);
        return match is null ? null : ToInfo(match);
    }

    public async Task<PullRequestInfo> OpenPullRequestAsync(string token, RepositoryName repository, string headOwner, string branch, string baseBranch,
        string title, string body, CancellationToken cancellationToken)
    {
        try
        {
            var created = await Call(() => clients.For(token).PullRequest.Create(repository.Owner, repository.Name,
                new NewPullRequest(title, $"{headOwner}:{branch}", baseBranch) { Body = body }), "pull request");
            return ToInfo(created);
        }
        catch (ApiValidationException ex)
        {
            var messages = ex.ApiError?.Errors?.Select(e => e.Message).Where(m => !string.IsNullOrEmpty(m)).ToList() ?? [];
            var reason = messages.Count > 0 ? string.Join("; ", messages) : ex.Message;
            // Only this 422 means the pull request is there already; "No commits between", a missing head
            // or base and the like are failures the caller must see as they are.
            if (messages.Any(m => m.StartsWith("A pull request already exists", StringComparison.OrdinalIgnoreCase)))
            {
                throw new HubConflict($"GitHub refused the pull request from {headOwner}:{branch}: {reason}");
            }
            throw new PullRequestRefusedException($"GitHub refused the pull request from {headOwner}:{branch} into {baseBranch} (422): {reason}");
        }
    }

    public async Task<PullRequestInfo> GetPullRequestAsync(string? token, RepositoryName repository, int number, CancellationToken cancellationToken) =>
        ToInfo(await Call(() => clients.For(token).PullRequest.Get(repository.Owner, repository.Name, number), $"pull request #{number}"));

    public async Task<bool> CanPushAsync(string token, RepositoryName repository, CancellationToken cancellationToken)
    {
        var repo = await Call(() => clients.For(token).Repository.Get(repository.Owner, repository.Name), repository.ToString());
        return repo.Permissions?.Push == true;
    }

    public async Task<RepositoryName> ForkAsync(string token, RepositoryName repository, CancellationToken cancellationToken)
    {
        var fork = await Call(() => clients.For(token).Repository.Forks.Create(repository.Owner, repository.Name, new NewRepositoryFork()), "fork of " + repository);
        return new RepositoryName(fork.Owner.Login, fork.Name);
    }

    private static PullRequestInfo ToInfo(PullRequest pr) => new(
        pr.Number,
        pr.HtmlUrl,
        pr.Merged ? PullRequestState.Merged : pr.State.Value == ItemState.Open ? PullRequestState.Open : PullRequestState.Closed,
        pr.Head?.User?.Login ?? pr.Head?.Repository?.Owner?.Login ?? "",
        pr.Head?.Ref ?? "");

    /// <summary>Octokit's failures in the hub's terms; a 422 is left for the caller, whose meaning depends on the call.</summary>
    private static async Task<T> Call<T>(Func<Task<T>> call, string what)
    {
        try
        {
            return await call();
        }
        catch (Octokit.NotFoundException)
        {
            throw new HubNotFound("GitHub resource", what);
        }
        catch (AuthorizationException ex)
        {
            throw new RepositoryAccessException("GitHub rejected the token (401).", tokenRejected: true, ex);
        }
        catch (RateLimitExceededException ex)
        {
            throw new RepositoryAccessException($"GitHub's rate limit is exhausted until {ex.Reset:O}.", tokenRejected: false, ex);
        }
        catch (Octokit.ForbiddenException ex)
        {
            throw new RepositoryAccessException($"GitHub refused access to {what} (403): {ex.Message}", tokenRejected: false, ex);
        }
        catch (ApiValidationException)
        {
            throw;
        }
        catch (ApiException ex) when (ex.StatusCode == HttpStatusCode.Conflict)
        {
            throw new HubConflict($"GitHub reported a conflict on {what}: {ex.Message}");
        }
        catch (ApiException ex)
        {
            throw new RepositoryAccessException($"GitHub answered {(int)ex.StatusCode} for {what}: {ex.Message}", tokenRejected: false, ex);
        }
        catch (HttpRequestException ex)
        {
            throw new RepositoryAccessException($"GitHub could not be reached for {what}: {ex.Message}", tokenRejected: false, ex);
        }
    }
}
