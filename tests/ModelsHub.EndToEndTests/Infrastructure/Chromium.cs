using Microsoft.Playwright;

namespace ModelsHub.EndToEndTests.Infrastructure;

/// <summary>
/// Debian's Chromium (installed by ./test.sh), driven by Playwright; Playwright never downloads a browser of its own.
/// Flags keep it offline and quiet: no QUIC, no background traffic, no component updates, no sync.
/// </summary>
public static class Chromium
{
    public const string ExecutablePath = "/usr/bin/chromium";

    public static readonly string[] Arguments =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ];

    public static async Task<(IPlaywright Playwright, IBrowser Browser)> LaunchAsync()
    {
        if (!File.Exists(ExecutablePath))
        {
            throw new InvalidOperationException($"{ExecutablePath} is missing: ./test.sh installs Debian's chromium (apt-get install -y chromium).");
        }
        var playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args = Arguments,
        });
        return (playwright, browser);
    }
}
