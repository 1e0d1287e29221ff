using ModelsHub.EndToEndTests.Infrastructure;
using ModelsHub.Testing.AiProviders;

namespace ModelsHub.EndToEndTests.Journeys;

[Collection(JourneysCollection.Name)]
public sealed class AiModelTests(JourneyHub journeys) : JourneyTest(journeys)
{
    private const string Key = "sk-e2e-0123456789abcdef";

    [Fact]
    public async Task AnAdministratorAddsAnOpenAiModelTestsItAndStopsIt()
    {
        await using var openAi = await FakeOpenAI.StartAsync();
        openAi.AddKey(Key);
        openAi.AddModel("gpt-4o", "GPT-4o");
        var page = await Hub.OpenAsync("/ai-models", new Visitor("ada", ["admin"]));

        await page.Locator("[data-testid=ai-new]").ClickAsync();
        await Ui.FillAsync(page, "[data-testid=ai-name]", "e2e-gpt");
        await Ui.FillAsync(page, "[data-testid=ai-model-id]", "gpt-4o");
        await Ui.FillAsync(page, "[data-testid=ai-endpoint]", openAi.BaseUrl.ToString());
        // A wrong key first: refused at the key, nothing stored.
        await Ui.FillAsync(page, "[data-testid=ai-key]", "sk-wrong");
        await page.Locator("[data-testid=ai-add]").ClickAsync();
        await page.Locator("#ai-key-errors .field-error").WaitForAsync();
        Assert.EndsWith("/ai-models/new", page.Url, StringComparison.Ordinal);

        await Ui.FillAsync(page, "[data-testid=ai-key]", Key);
        await page.Locator("[data-testid=ai-add]").ClickAsync();
        await page.WaitForURLAsync("**/ai-models/e2e-gpt");
        var shown = await page.Locator("[data-testid=ai-key-shown]").InnerTextAsync();
        Assert.Contains("…" + Key[^4..], shown);
        Assert.DoesNotContain(Key, await page.ContentAsync());
        await page.Locator("[data-testid=ai-verify]").ClickAsync();
        await page.Locator("[data-testid=ai-verification] [data-ok=true]").WaitForAsync();

        await Ui.FillAsync(page, "[data-testid=ai-prompt]", "Hello, how are you?");
        await page.Locator("[data-testid=ai-run]").ClickAsync();
        await page.Locator("[data-testid=ai-output]").WaitForAsync();
        Assert.NotEmpty((await page.Locator("[data-testid=ai-output]").InnerTextAsync()).Trim());
        Assert.Contains(" ms", await page.Locator("[data-testid=ai-latency]").InnerTextAsync());
        await Ui.EventuallyAsync(async () => (await page.Locator("[data-testid=ai-usage-calls]").InnerTextAsync()).Trim() != "0", "the test call in the usage");
        await page.Locator("[data-testid=usage-chart] svg rect").First.WaitForAsync();

        await page.Locator("[data-testid=ai-toggle]").ClickAsync();
        await page.Locator("[data-testid=ai-status][data-status=inactive]").WaitForAsync();
        // A stopped model refuses calls: the playground says so.
        await page.Locator("[data-testid=ai-run]").ClickAsync();
        await page.Locator("[data-testid=ai-test-problem]").WaitForAsync();

        await WebHub.NavigateAsync(page, "/ai-models");
        var row = page.Locator("[data-testid=ai-grid] a.ai-link", new PageLocatorOptions { HasTextString = "e2e-gpt" });
        await row.WaitForAsync();
        await WebHub.AssertHealthyAsync(page);
        await page.Context.CloseAsync();
    }
}
