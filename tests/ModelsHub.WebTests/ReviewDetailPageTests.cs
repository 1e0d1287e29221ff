using ModelsHub.Web.Services.Auth;
using System.Net;
using ModelsHub.Web.Components.Pages.Reviews;

namespace ModelsHub.WebTests;

public sealed class ReviewDetailPageTests : WebTestContext
{
    [Fact]
    public void RejectingNeedsFeedbackAndSendsNothingWithout()
    {
        SignIn("rita", Permissions.ListReviews, Permissions.DecideReviews);
        Hub.On(HttpMethod.Get, "/api/reviews/sub-1", HttpStatusCode.OK, Samples.Submission("sub-1", "qwen3"));
        var cut = Render<ReviewDetailPage>(p => p.Add(x => x.Id, "sub-1"));
        cut.WaitForAssertion(() => cut.Find("[data-testid=review-reject]"));

        cut.Find("[data-testid=review-reject]").Click();

        Assert.Contains("Write feedback to reject", cut.Find("#review-feedback-errors").TextContent);
        Assert.DoesNotContain(Hub.Requests, r => r.Method == HttpMethod.Post);
    }

    [Fact]
    public void RejectingWithFeedbackSendsTheDecision()
    {
        SignIn("rita", Permissions.ListReviews, Permissions.DecideReviews);
        Hub.On(HttpMethod.Get, "/api/reviews/sub-1", HttpStatusCode.OK, Samples.Submission("sub-1", "qwen3"));
        Hub.On(HttpMethod.Post, "/api/reviews/sub-1/decision", HttpStatusCode.OK, Samples.Submission("sub-1", "qwen3", "rejected"));
        var cut = Render<ReviewDetailPage>(p => p.Add(x => x.Id, "sub-1"));
        cut.WaitForAssertion(() => cut.Find("[data-testid=review-feedback]"));

        cut.Find("[data-testid=review-feedback]").Change("The README lacks usage notes.");
        cut.Find("[data-testid=review-reject]").Click();

        cut.WaitForAssertion(() => Assert.Equal("Rejected", cut.Find("[data-testid=review-state]").TextContent.Trim()));
        var decision = Hub.Requests.Single(r => r.Method == HttpMethod.Post).Body!;
        Assert.Contains("\"decision\":\"reject\"", decision);
        Assert.Contains("The README lacks usage notes.", decision);
    }

    [Fact]
    public void SomeoneWithoutTheDecidePermissionIsToldWhichOneTheyLack()
    {
        SignIn("ursula", Permissions.ListReviews);
        Hub.On(HttpMethod.Get, "/api/reviews/sub-1", HttpStatusCode.OK, Samples.Submission("sub-1", "qwen3"));
        var cut = Render<ReviewDetailPage>(p => p.Add(x => x.Id, "sub-1"));

        cut.WaitForAssertion(() => Assert.Contains("reviews.decide", cut.Markup));
        Assert.Empty(cut.FindAll("[data-testid=review-approve]"));
    }
}
