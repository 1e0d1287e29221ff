using System.Net;
using System.Net.Http.Json;
using ModelsHub.EndToEndTests.Infrastructure;
using ModelsHub.IntegrationTests.Infrastructure;

namespace ModelsHub.EndToEndTests.Journeys;

[Collection(JourneysCollection.Name)]
public sealed class BrowseAnonymouslyTests(JourneyHub journeys) : JourneyTest(journeys)
{
    [Fact]
    public async Task ANewcomerBrowsesSearchesAndReadsAModelWithoutSigningIn()
    {
        using (var carol = await Hub.ClientForAsync("carol", "user"))
        {
            await carol.PostAsJsonAsync("/api/models", Samples.Model("carols-secret-model"), HubApplication.Json).ExpectAsync(HttpStatusCode.Created);
        }
        var page = await Hub.OpenAsync("/");

        // The stat cards count what an anonymous visitor may see: the public upstream models, not carol's private one.
        var total = page.Locator(".stat-card").First.Locator(".stat-value");
        await Ui.EventuallyAsync(async () => int.TryParse(await total.InnerTextAsync(), out var n) && n > 100, "the upstream models counted in the total");
        await Ui.FillAsync(page, "[data-testid=search]", "whisper");
        await Ui.EventuallyAsync(async () => (await page.Locator("a.model-link").AllInnerTextsAsync()) is { Count: > 0 } names
            && names.All(n => n.Contains("whisper", StringComparison.OrdinalIgnoreCase)), "only whisper models listed");
        Assert.Contains("q=whisper", page.Url);

        await page.Locator("a.model-link", new PageLocatorOptions { HasTextString = "whisper-tiny" }).First.ClickAsync();
        await page.WaitForURLAsync("**/models/whisper-tiny*");
        await page.Locator("main h1", new PageLocatorOptions { HasTextString = "whisper-tiny" }).WaitForAsync();
        // README is the default tab; Settings is for those who may maintain the model.
        Assert.Equal("true", await page.GetByRole(AriaRole.Tab, new PageGetByRoleOptions { Name = "README" }).GetAttributeAsync("aria-selected"));
        Assert.Equal(0, await page.GetByRole(AriaRole.Tab, new PageGetByRoleOptions { Name = "Settings" }).CountAsync());
        Assert.Equal(1, await page.Locator(".markdown").CountAsync());

        // A private model is simply not there for an anonymous visitor (404, never 403).
        await WebHub.NavigateAsync(page, "/models/carols-secret-model");
        await page.Locator("main h1", new PageLocatorOptions { HasTextString = "Model not found" }).WaitForAsync();
        await WebHub.AssertHealthyAsync(page);
        await page.Context.CloseAsync();
    }
}
