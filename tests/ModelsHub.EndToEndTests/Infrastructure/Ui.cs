namespace ModelsHub.EndToEndTests.Infrastructure;

/// <summary>Driving the Fluent UI web components as a person does: type into their inner input, pick an option, flip a switch.</summary>
public static class Ui
{
    /// <summary>Types <paramref name="value"/> into the text field or area at <paramref name="host"/> and commits it (the change a blur would send).</summary>
    public static async Task FillAsync(IPage page, string host, string value)
    {
        var control = page.Locator($"{host} input, {host} textarea").First;
        await control.FillAsync(value);
        await control.DispatchEventAsync("change");
    }

    /// <summary>Opens the select at <paramref name="host"/> and picks the option showing <paramref name="option"/>.</summary>
    public static async Task ChooseAsync(IPage page, string host, string option)
    {
        var select = page.Locator(host);
        await select.ClickAsync();
        await select.Locator("fluent-option", new LocatorLocatorOptions { HasTextString = option }).First.ClickAsync();
    }

    public static ILocator Button(IPage page, string name) => page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = name, Exact = true });

    public static ILocator Link(IPage page, string name) => page.GetByRole(AriaRole.Link, new PageGetByRoleOptions { Name = name, Exact = true });

    /// <summary>Waits until <paramref name="probe"/> holds, polling (the app answers asynchronously).</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> probe, string what, int timeoutMs = 30_000)
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (!await probe())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new Xunit.Sdk.XunitException($"Timed out waiting for {what}.");
            }
            await Task.Delay(100);
        }
    }
}
