using Microsoft.Extensions.Options;
using ModelsHub.Core.Common;
using ModelsHub.Core.GitHub;
using ModelsHub.Infrastructure.GitHub;
using ModelsHub.Testing;

namespace ModelsHub.IntegrationTests.Reviews;

/// <summary>The Octokit adapter's translation of GitHub's answers, against the fake GitHub.</summary>
public sealed class OctokitModelRepositoryTests : IAsyncLifetime
{
    private const string Token = "ghp_adaptertests000000";
    private static readonly RepositoryName Target = new("xorbitsai", "inference");
    private FakeGitHub _github = null!;
    private OctokitModelRepository _repository = null!;

    public async Task InitializeAsync()
    {
        _github = await FakeGitHub.StartAsync();
        _github.AddToken(Token, "adapter-bot");
        _repository = new OctokitModelRepository(new GitHubClientFactory(Options.Create(new GitHubOptions { ApiUrl = _github.ApiUrl.ToString() })));
    }

    public async Task DisposeAsync() => await _github.DisposeAsync();

    private Task<PullRequestInfo> OpenAsync(string branch) =>
        _repository.OpenPullRequestAsync(Token, Target, "xorbitsai", branch, FakeGitHub.BaseBranch, "title", "body", CancellationToken.None);

    [Fact]
    public async Task OnlyAnOpenPullRequestOfTheBranchIsAConflictOtherRefusalsSayWhatGitHubSaid()
    {
        var baseSha = _github.BranchHead()!;
        await _repository.CreateBranchAsync(Token, Target, "chore/models-sync/empty", baseSha, CancellationToken.None);
        var noCommits = await Assert.ThrowsAsync<PullRequestRefusedException>(() => OpenAsync("chore/models-sync/empty"));
        Assert.Contains("No commits between", noCommits.Message);

        var missing = await Assert.ThrowsAsync<PullRequestRefusedException>(() => OpenAsync("chore/models-sync/never-pushed"));
        Assert.Contains("does not exist", missing.Message);

        await _repository.CreateBranchAsync(Token, Target, "chore/models-sync/real", baseSha, CancellationToken.None);
        _github.SetFile("README.md", "changed\n", branch: "chore/models-sync/real");
        var opened = await OpenAsync("chore/models-sync/real");
        var again = await Assert.ThrowsAsync<ConflictException>(() => OpenAsync("chore/models-sync/real"));
        Assert.Contains("A pull request already exists", again.Message);
        Assert.Equal(opened.Number, (await _repository.FindOpenPullRequestAsync(Token, Target, "xorbitsai", "chore/models-sync/real", FakeGitHub.BaseBranch, CancellationToken.None))!.Number);
    }

    [Fact]
    public async Task ResettingABranchMovesItEvenWhenThatIsNotAFastForward()
    {
        var baseSha = _github.BranchHead()!;
        await _repository.CreateBranchAsync(Token, Target, "chore/models-sync/reset", baseSha, CancellationToken.None);
        _github.SetFile("README.md", "on the branch\n", branch: "chore/models-sync/reset");
        var newBase = _github.SetFile("README.md", "on the base\n");
        await _repository.ResetBranchAsync(Token, Target, "chore/models-sync/reset", newBase, CancellationToken.None);
        Assert.Equal(newBase, _github.BranchHead("chore/models-sync/reset"));
        await Assert.ThrowsAsync<NotFoundException>(() => _repository.ResetBranchAsync(Token, Target, "chore/models-sync/none", newBase, CancellationToken.None));
    }
}
