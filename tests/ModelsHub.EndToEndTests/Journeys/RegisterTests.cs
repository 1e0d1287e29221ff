using ModelsHub.EndToEndTests.Infrastructure;

namespace ModelsHub.EndToEndTests.Journeys;

[Collection(JourneysCollection.Name)]
public sealed class RegisterTests(JourneyHub journeys) : JourneyTest(journeys)
{
    [Fact]
    public async Task ARegularUserRegistersAPrivateModelWithGetReadme()
    {
        var page = await Hub.OpenAsync("/register", new Visitor("carol"));

        await Ui.FillAsync(page, "[data-testid=field-name]", "carols-llama");
        await Ui.FillAsync(page, "#field-description", "Meta's open LLM, fine-tuned");
        await Ui.Button(page, "Start from an example").ClickAsync();
        await Ui.Button(page, "Get README").ClickAsync();
        var readme = page.Locator("[data-testid=field-readme] textarea");
        await Ui.EventuallyAsync(async () => (await readme.InputValueAsync()).Contains("carols-llama", StringComparison.Ordinal), "the README template");
        await Ui.Button(page, "Register").ClickAsync();

        await page.WaitForURLAsync("**/models/carols-llama");
        await page.Locator("main h1", new PageLocatorOptions { HasTextString = "carols-llama" }).WaitForAsync();
        await page.Locator(".markdown h1, .markdown h2").First.WaitForAsync();
        Assert.Contains("Private", await page.Locator(".model-header").InnerTextAsync());
        Assert.Equal(1, await page.GetByRole(AriaRole.Tab, new PageGetByRoleOptions { Name = "Settings" }).CountAsync());

        // Registering the same name again: the hub's error sits at the name field.
        await WebHub.NavigateAsync(page, "/register");
        await Ui.FillAsync(page, "[data-testid=field-name]", "carols-llama");
        await Ui.Button(page, "Register").ClickAsync();
        await page.Locator("#field-name-errors").WaitForAsync();
        Assert.Contains("carols-llama", await page.Locator("#field-name-errors").InnerTextAsync());
        await WebHub.AssertHealthyAsync(page);
        await page.Context.CloseAsync();
    }
}
