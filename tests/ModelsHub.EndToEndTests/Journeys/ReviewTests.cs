using ModelsHub.EndToEndTests.Infrastructure;
using ModelsHub.Testing;

namespace ModelsHub.EndToEndTests.Journeys;

[Collection(JourneysCollection.Name)]
public sealed class ReviewTests(JourneyHub journeys) : JourneyTest(journeys)
{
    [Fact]
    public async Task APublicModelIsReviewedApprovedAndItsPullRequestLinked()
    {
        // carol submits a public video model: she holds no public permission, so it waits for review.
        var carol = await Hub.OpenAsync("/register", new Visitor("carol"));
        await Ui.FillAsync(carol, "[data-testid=field-name]", "carols-video");
        await Ui.ChooseAsync(carol, "#field-type", "Video");
        await Ui.FillAsync(carol, "#field-description", "A text-to-video model");
        await Ui.Button(carol, "Start from an example").ClickAsync();
        await carol.Locator("fluent-switch[data-testid=field-public]").ClickAsync();
        await Ui.Button(carol, "Get README").ClickAsync();
        await Ui.EventuallyAsync(async () => (await carol.Locator("[data-testid=field-readme] textarea").InputValueAsync()).Length > 0, "the README template");
        await Ui.Button(carol, "Submit").ClickAsync();
        await carol.GetByText("waiting for a reviewer").WaitForAsync();

        // rita, a reviewer, finds it in the queue and approves it.
        var rita = await Hub.OpenAsync("/reviews", new Visitor("rita", ["reviewer"]));
        var entry = rita.Locator("[data-testid=review-queue] a", new PageLocatorOptions { HasTextString = "carols-video" });
        await entry.ClickAsync();
        await rita.Locator("main h1", new PageLocatorOptions { HasTextString = "carols-video" }).WaitForAsync();
        Assert.Contains("visibility", await rita.Locator(".changes").InnerTextAsync());
        await Ui.Button(rita, "Approve").ClickAsync();
        await rita.Locator("[data-testid=review-model-link]").WaitForAsync();

        // The approval becomes a pull request on (fake) GitHub, linked on the model's Review status tab.
        FakePullRequest? pullRequest = null;
        await Ui.EventuallyAsync(() => Task.FromResult((pullRequest = Hub.GitHub.FindPullRequest("chore/models-sync/carols-video")) is not null), "the pull request");
        await WebHub.NavigateAsync(carol, "/models/carols-video?tab=review");
        var link = carol.Locator("[data-testid=pull-request-link]");
        await Ui.EventuallyAsync(async () =>
        {
            await carol.Locator("[data-testid=review-status]").WaitForAsync();
            if (await link.CountAsync() > 0) return true;
            // The workflow records the pull request on the model a moment after GitHub has it: look again.
            await carol.ReloadAsync();
            await WebHub.AppReadyAsync(carol);
            return false;
        }, "the pull request link");
        Assert.Equal($"{Hub.GitHub.ApiUrl}{FakeGitHub.UpstreamRepository}/pull/{pullRequest!.Number}", await link.GetAttributeAsync("href"));
        Assert.Contains("Approved", await carol.Locator("[data-testid=review-status]").InnerTextAsync());
        Assert.Equal("noopener noreferrer", await link.GetAttributeAsync("rel"));
        await WebHub.AssertHealthyAsync(carol);
        await WebHub.AssertHealthyAsync(rita);
        await carol.Context.CloseAsync();
        await rita.Context.CloseAsync();
    }
}
