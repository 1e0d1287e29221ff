using System.Net;
using System.Net.Http.Headers;
using ModelsHub.EndToEndTests.Infrastructure;

namespace ModelsHub.EndToEndTests.Journeys;

[Collection(JourneysCollection.Name)]
public sealed class AccessTokenTests(JourneyHub journeys) : JourneyTest(journeys)
{
    [Fact]
    public async Task ATokenIsShownOnceCopiedWorksForTheApiAndStopsWhenRevoked()
    {
        var context = await Hub.NewContextAsync(new Visitor("paula"));
        await context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"], new BrowserContextGrantPermissionsOptions { Origin = Hub.Address.GetLeftPart(UriPartial.Authority) });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/me");
        await WebHub.AppReadyAsync(page);

        await Ui.FillAsync(page, "[data-testid=pat-name]", "notebook");
        await page.Locator("[data-testid=pat-create]").ClickAsync();
        var secret = (await page.Locator("[data-testid=pat-secret]").InnerTextAsync()).Trim();
        Assert.StartsWith("mhp_", secret);
        await page.Locator("[data-testid=pat-copy]").ClickAsync();
        await Ui.EventuallyAsync(async () => await page.EvaluateAsync<string>("() => navigator.clipboard.readText()") == secret, "the token on the clipboard");

        using var api = new HttpClient { BaseAddress = Hub.Address };
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/api/me")).StatusCode);

        // Once dismissed, the secret is gone from the page; the list shows only its beginning.
        await page.Locator("[data-testid=pat-done]").ClickAsync();
        Assert.DoesNotContain(secret, await page.ContentAsync());
        Assert.Contains(secret[..8], await page.Locator("[data-testid=pat-grid]").InnerTextAsync());

        await page.Locator("[data-testid=pat-revoke]").ClickAsync();
        // The confirmation dialog's primary button.
        await page.Locator("fluent-dialog fluent-button[appearance=accent]", new PageLocatorOptions { HasTextString = "Revoke" }).ClickAsync();
        await page.Locator("[data-testid=pat-none]").WaitForAsync();
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.GetAsync("/api/me")).StatusCode);
        await WebHub.AssertHealthyAsync(page);
        await context.CloseAsync();
    }
}
