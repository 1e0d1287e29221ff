using System.Net;
using ModelsHub.Web.Components.Pages.Models;

namespace ModelsHub.WebTests;

public sealed class ModelsPageTests : WebTestContext
{
    public ModelsPageTests()
    {
        Hub.On(HttpMethod.Get, "/api/models/stats", HttpStatusCode.OK, Samples.Stats);
        Hub.On(HttpMethod.Get, "/api/models?", request => FakeHub.Json(HttpStatusCode.OK,
            request.RequestUri!.Query.Contains("q=whisper", StringComparison.Ordinal) ? Samples.List("whisper-tiny") : Samples.List("qwen3", "whisper-tiny", "bge-m3")));
    }

    [Fact]
    public void ListsTheModelsAnonymouslyWithTheStatCards()
    {
        var cut = Render<ModelsPage>();

        cut.WaitForAssertion(() => Assert.Equal(3, cut.FindAll("a.model-link").Count));
        Assert.Equal(["qwen3", "whisper-tiny", "bge-m3"], cut.FindAll("a.model-link").Select(a => a.TextContent));
        Assert.Equal("models/qwen3", cut.Find("a.model-link").GetAttribute("href"));
        var cards = cut.FindAll(".stat-card").Select(c => c.TextContent.Trim()).ToList();
        Assert.Contains(cards, c => c.StartsWith('3') && c.Contains("All models"));
        Assert.Contains(cards, c => c.StartsWith('2') && c.Contains("LLM"));
    }

    [Fact]
    public void TypingInTheSearchAsksTheHubAtOnceAndShowsTheAnswer()
    {
        var cut = Render<ModelsPage>();
        cut.WaitForAssertion(() => Assert.Equal(3, cut.FindAll("a.model-link").Count));

        cut.Find("fluent-search").Input("whisper");

        cut.WaitForAssertion(() => Assert.Equal(["whisper-tiny"], cut.FindAll("a.model-link").Select(a => a.TextContent)));
        Assert.Contains(Hub.Requests, r => r.PathAndQuery.StartsWith("/api/models?q=whisper", StringComparison.Ordinal));
    }

    [Fact]
    public void AStatCardFiltersByItsType()
    {
        var cut = Render<ModelsPage>();
        cut.WaitForAssertion(() => Assert.Equal(3, cut.FindAll("a.model-link").Count));

        cut.FindAll(".stat-card").Single(c => c.TextContent.Contains("Audio")).Click();

        cut.WaitForAssertion(() => Assert.Contains(Hub.Requests, r => r.PathAndQuery.Contains("type=audio", StringComparison.Ordinal)));
    }
}
