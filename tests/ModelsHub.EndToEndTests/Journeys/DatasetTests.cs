using System.Text;
using ModelsHub.EndToEndTests.Infrastructure;

namespace ModelsHub.EndToEndTests.Journeys;

[Collection(JourneysCollection.Name)]
public sealed class DatasetTests(JourneyHub journeys) : JourneyTest(journeys), IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"e2e-{Guid.NewGuid():N}");

    [Fact]
    public async Task ATrainerCreatesADatasetUploadsItAndSeesItBecomeReadyThenAnInvalidVersionsLines()
    {
        Directory.CreateDirectory(_folder);
        var good = Path.Combine(_folder, "chats.jsonl");
        var lines = Enumerable.Range(1, 200).Select(i => $$"""{"messages":[{"role":"user","content":"Question {{i}}?"},{"role":"assistant","content":"Answer {{i}}."}]}""");
        await File.WriteAllTextAsync(good, string.Join("\n", lines) + "\n", Encoding.UTF8);
        var page = await Hub.OpenAsync("/datasets", new Visitor("tina", ["trainer"]));

        await page.Locator("[data-testid=dataset-new]").ClickAsync();
        await Ui.FillAsync(page, "[data-testid=dataset-name]", "support-chats");
        await page.Locator("[data-testid=dataset-create]").ClickAsync();
        await page.WaitForURLAsync("**/datasets/support-chats/upload");
        await page.Locator("input[type=file]").SetInputFilesAsync(good);
        await page.Locator("[data-testid=upload-complete]").WaitForAsync(new LocatorWaitForOptions { Timeout = 60_000 });

        await page.Locator("[data-testid=upload-complete] fluent-anchor").ClickAsync();
        var version = page.Locator("[data-testid=dataset-version][data-label=v1]");
        await version.Locator("[data-testid=version-status][data-status=ready]").WaitForAsync(new LocatorWaitForOptions { Timeout = 60_000 });
        Assert.Contains("200", await version.Locator("[data-testid=validation-records]").InnerTextAsync());
        Assert.Contains("user 200", await version.Locator("[data-testid=validation-roles]").InnerTextAsync());
        await page.Locator("[data-testid=dataset-status][data-status=ready]").WaitForAsync();

        // A second version with two broken lines: the page names them.
        var bad = Path.Combine(_folder, "broken.jsonl");
        await File.WriteAllTextAsync(bad, string.Join("\n", lines.Take(4).Append("{not json").Concat(lines.Skip(4).Take(3)).Append("""{"messages":[{"role":"robot","content":"x"}]}""")) + "\n");
        await page.Locator("[data-testid=dataset-upload]").ClickAsync();
        await page.WaitForURLAsync("**/datasets/support-chats/upload");
        await page.Locator("input[type=file]").SetInputFilesAsync(bad);
        await page.Locator("[data-testid=upload-complete]").WaitForAsync(new LocatorWaitForOptions { Timeout = 60_000 });
        await page.Locator("[data-testid=upload-complete] fluent-anchor").ClickAsync();
        var invalid = page.Locator("[data-testid=dataset-version][data-label=v2]");
        await invalid.Locator("[data-testid=version-status][data-status=invalid]").WaitForAsync(new LocatorWaitForOptions { Timeout = 60_000 });
        var errorLines = await invalid.Locator("[data-testid=validation-errors] tbody tr td:first-child").AllInnerTextsAsync();
        Assert.Contains("5", errorLines.Select(l => l.Trim()));
        Assert.Contains("9", errorLines.Select(l => l.Trim()));
        // The dataset stays ready: its ready version is still what training gets.
        await page.Locator("[data-testid=dataset-status][data-status=ready]").WaitForAsync();

        // Filtered to ready datasets, the list shows it with its figures.
        await WebHub.NavigateAsync(page, "/datasets?status=ready");
        var row = page.Locator("[data-testid=dataset-grid] a.dataset-link", new PageLocatorOptions { HasTextString = "support-chats" });
        await row.WaitForAsync();
        await WebHub.AssertHealthyAsync(page);
        await page.Context.CloseAsync();
    }

    public void Dispose()
    {
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }
}
