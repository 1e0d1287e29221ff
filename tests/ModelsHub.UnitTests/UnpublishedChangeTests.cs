using ModelsHub.Contracts.Models;
using ModelsHub.Contracts.PullRequests;
using ModelsHub.Contracts.Reviews;
using ModelsHub.Core.Catalog;
using ModelsHub.Core.GitHub;
using ModelsHub.Core.PullRequests;
using ModelsHub.Core.Reviews;

namespace ModelsHub.UnitTests;

/// <summary>When the upstream sync must leave a model alone: a hub change to it that is not published yet.</summary>
public class UnpublishedChangeTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    private static HubModel Model(string description) => new() { Id = "m", Name = "m", Owner = "uma", Description = description, Visibility = ModelVisibility.Public };

    private static Submission Change(int revision, SubmissionState state, HubModel? before, HubModel? proposed, bool auto = false, ChangeKind kind = ChangeKind.Update,
        PullRequestState? pullRequest = null) => new()
    {
        Id = "s" + revision,
        ModelName = "m",
        Revision = revision,
        Kind = kind,
        State = state,
        Submitter = "uma",
        Before = before,
        Proposed = proposed,
        AutoApproved = auto,
        PullRequest = pullRequest is { } s ? new ModelPullRequest(7, "https://github.example/pull/7", s, "o/r", "chore/models-sync/m", "s" + revision, T0) : null,
    };

    [Fact]
    public void AModelWithoutSubmissionsOrWithDecidedAndAppliedOnesIsFree()
    {
        var (v1, v2) = (Model("v1"), Model("v2"));
        Assert.False(ReviewBoard.HoldsUnpublishedChange([], v1));
        Assert.False(ReviewBoard.HoldsUnpublishedChange([], null));
        Assert.False(ReviewBoard.HoldsUnpublishedChange([Change(1, SubmissionState.Approved, v1, v2)], v2));
        Assert.False(ReviewBoard.HoldsUnpublishedChange([Change(1, SubmissionState.Rejected, v1, v2)], v1));
        Assert.False(ReviewBoard.HoldsUnpublishedChange([Change(1, SubmissionState.Approved, v1, v2, auto: true, pullRequest: PullRequestState.Open)], v2));
    }

    [Fact]
    public void APendingSubmissionHoldsTheModelAndAPendingRegistrationHoldsTheName()
    {
        var (v1, v2) = (Model("v1"), Model("v2"));
        Assert.True(ReviewBoard.HoldsUnpublishedChange([Change(1, SubmissionState.Approved, null, v1), Change(2, SubmissionState.Pending, v1, v2)], v1));
        Assert.True(ReviewBoard.HoldsUnpublishedChange([Change(1, SubmissionState.Pending, null, v1, kind: ChangeKind.Register)], null));
    }

    [Fact]
    public void AnApprovalNotYetAppliedHoldsTheModelButOnlyTheLatestRevisionCounts()
    {
        var (v1, v2) = (Model("v1"), Model("v2"));
        Assert.True(ReviewBoard.HoldsUnpublishedChange([Change(1, SubmissionState.Approved, v1, v2)], v1));
        // Revision 1 (v1 → v2) was applied long ago and revision 2 took the model back to v1: nothing is in flight.
        Assert.False(ReviewBoard.HoldsUnpublishedChange([Change(1, SubmissionState.Approved, v1, v2), Change(2, SubmissionState.Approved, v2, v1, auto: true)], v1));
    }

    [Fact]
    public void ADeleteHoldsTheNameUntilItsPullRequestIsMergedOrClosed()
    {
        var v1 = Model("v1");
        Submission Delete(PullRequestState? state) => Change(2, SubmissionState.Approved, v1, null, auto: true, kind: ChangeKind.Delete, pullRequest: state);
        Assert.True(ReviewBoard.HoldsUnpublishedChange([Delete(null)], null));
        Assert.True(ReviewBoard.HoldsUnpublishedChange([Delete(PullRequestState.Open)], null));
        Assert.False(ReviewBoard.HoldsUnpublishedChange([Delete(PullRequestState.Merged)], null));
        Assert.False(ReviewBoard.HoldsUnpublishedChange([Delete(PullRequestState.Closed)], null));
        // Registered again since: the delete is history.
        Assert.False(ReviewBoard.HoldsUnpublishedChange([Delete(PullRequestState.Open), Change(3, SubmissionState.Approved, null, v1, auto: true, kind: ChangeKind.Register)], v1));
    }
}
