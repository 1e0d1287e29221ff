using ModelsHub.EndToEndTests.Infrastructure;

namespace ModelsHub.EndToEndTests.Journeys;

[Collection(JourneysCollection.Name)]
public sealed class SignInTests(JourneyHub journeys) : JourneyTest(journeys)
{
    [Fact]
    public async Task ANewcomerSignsInLandsOnTheModelListStaysSignedInAndSignsOut()
    {
        var page = await Hub.OpenAsync("/");

        await Ui.Button(page, "Sign in").ClickAsync();
        await page.WaitForURLAsync("**/sign-in*");
        await Ui.FillAsync(page, "[data-testid=signin-user]", "dora");
        await page.Locator("fluent-checkbox[data-role=maintainer]").ClickAsync();
        await Ui.Button(page, "Sign in").Last.ClickAsync();

        // Seeds: after signing in, the model list; the avatar menu replaces the sign-in button.
        await page.Locator("main h1", new PageLocatorOptions { HasTextString = "Models" }).WaitForAsync();
        await page.Locator(".user-menu").WaitForAsync();
        Assert.Equal(0, await Ui.Button(page, "Sign in").CountAsync());
        await page.GetByRole(AriaRole.Link, new PageGetByRoleOptions { Name = "Register a model" }).First.WaitForAsync();

        await page.ReloadAsync();
        await WebHub.AppReadyAsync(page);
        await page.Locator(".user-menu").WaitForAsync();

        await page.Locator(".user-menu").ClickAsync();
        await page.GetByRole(AriaRole.Menuitem, new PageGetByRoleOptions { Name = "User center" }).ClickAsync();
        await page.Locator("main h1", new PageLocatorOptions { HasTextString = "User center" }).WaitForAsync();
        await page.Locator("#profile-name").WaitForAsync();
        Assert.Contains("models.register.public", await page.Locator("main").InnerTextAsync());

        await page.Locator(".user-menu").ClickAsync();
        await page.GetByRole(AriaRole.Menuitem, new PageGetByRoleOptions { Name = "Sign out" }).ClickAsync();
        await Ui.Button(page, "Sign in").WaitForAsync();
        await WebHub.AssertHealthyAsync(page);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task LanguageAndThemeAreSwitchedAndRemembered()
    {
        var page = await Hub.OpenAsync("/");

        await Ui.ChooseAsync(page, ".language-picker", "简体中文");
        await page.Locator("main h1", new PageLocatorOptions { HasTextString = "模型" }).WaitForAsync();
        Assert.Equal("zh-Hans", await page.EvaluateAsync<string>("() => document.documentElement.lang"));
        var light = await Background(page);
        await page.Locator(".theme-toggle").ClickAsync();
        await Ui.EventuallyAsync(async () => await Background(page) != light, "the dark theme");
        var dark = await Background(page);

        await page.ReloadAsync();
        await page.Locator("main h1", new PageLocatorOptions { HasTextString = "模型" }).WaitForAsync();
        await Ui.EventuallyAsync(async () => await Background(page) == dark, "the dark theme after a reload");
        await Ui.ChooseAsync(page, ".language-picker", "繁體中文");
        await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "登入" }).WaitForAsync();
        Assert.Equal("zh-Hant", await page.EvaluateAsync<string>("() => document.documentElement.lang"));
        await WebHub.AssertHealthyAsync(page);
        await page.Context.CloseAsync();
    }

    private static Task<string> Background(IPage page) =>
        page.EvaluateAsync<string>("() => getComputedStyle(document.querySelector('.shell')).backgroundColor");
}
