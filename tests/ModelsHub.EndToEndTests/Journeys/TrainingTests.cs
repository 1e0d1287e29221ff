using ModelsHub.EndToEndTests.Infrastructure;
using ModelsHub.IntegrationTests.Infrastructure;

namespace ModelsHub.EndToEndTests.Journeys;

[Collection(JourneysCollection.Name)]
public sealed class TrainingTests(JourneyHub journeys) : JourneyTest(journeys), IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("e2e-training-").FullName;

    [Fact]
    public async Task ATrainerStartsAJobFromAVersionWatchesTheLossCurveMoveAndFindsTheNewVersionsLineage()
    {
        var (dataset, baseModel, baseAccuracy) = await TrainingTesting.PrepareAsync(_folder);
        using (var tess = await Hub.ClientForAsync("tess", "trainer"))
        {
            await TrainingTesting.SeedAsync(tess, "e2e-news", "e2e-news-data", baseModel, dataset, baseAccuracy);
        }
        var page = await Hub.OpenAsync("/models/e2e-news?tab=versions", new Visitor("tess", ["trainer"]));

        // 🚀 on the version: the start page offers the ready dataset version with its figures, the next label and the trainer's defaults.
        await page.Locator("[data-testid=version-train][data-label=v1]").ClickAsync();
        await page.Locator("[data-testid=training-dataset]").First.WaitForAsync();
        Assert.Contains("1,200 records", await page.Locator("[data-testid=training-datasets]").InnerTextAsync());
        Assert.Equal("10", await page.Locator("[data-testid=hp-epochs] input").InputValueAsync());
        await Ui.FillAsync(page, "[data-testid=training-label]", "v1-tuned");
        await Ui.FillAsync(page, "[data-testid=hp-epochs]", "40");
        await page.Locator("[data-testid=training-start]").ClickAsync();

        // Straight to the job, which moves live: the loss curve gains points while we watch, until the job succeeds.
        await page.WaitForURLAsync("**/training/*");
        var loss = page.Locator("polyline[data-metric=loss]");
        var state = page.Locator("[data-testid=training-state]");
        var counts = new HashSet<int>();
        await Ui.EventuallyAsync(async () =>
        {
            if (await loss.CountAsync() > 0 && int.TryParse(await loss.GetAttributeAsync("data-count"), out var n))
            {
                counts.Add(n);
            }
            return await state.GetAttributeAsync("data-state") is "succeeded" or "failed" or "cancelled";
        }, "the job to end", 180_000);
        Assert.Equal("succeeded", await state.GetAttributeAsync("data-state"));
        Assert.True(counts.Count >= 2, $"The loss curve did not move while the page was open (point counts seen: {string.Join(", ", counts)}).");
        Assert.Equal(41, int.Parse((await loss.GetAttributeAsync("data-count"))!));
        Assert.Contains("100", await page.Locator("[data-testid=training-percent]").InnerTextAsync());
        await page.Locator("[data-testid=training-checkpoints]").WaitForAsync();
        await WebHub.AssertHealthyAsync(page);

        // The new version, with where it comes from.
        await page.Locator("[data-testid=training-output-link]").ClickAsync();
        var lineage = page.Locator("[data-testid=lineage][data-version=v1-tuned]");
        await lineage.WaitForAsync();
        Assert.Equal("v1", await lineage.Locator("[data-testid=lineage-base]").InnerTextAsync());
        Assert.Equal("v1", await lineage.Locator("[data-testid=lineage-dataset]").InnerTextAsync());
        Assert.Contains("epochs=40", await lineage.Locator("[data-testid=lineage-hyperparameters]").InnerTextAsync());

        // Beside its base: the accuracy went up.
        await page.Locator("[data-testid=version-compare]").First.ClickAsync();
        var accuracy = page.Locator("[data-testid=compare-metrics] tr[data-metric=accuracy]");
        await accuracy.WaitForAsync();
        Assert.Contains("+", await accuracy.InnerTextAsync());
        await WebHub.AssertHealthyAsync(page);
        await page.Context.CloseAsync();
    }

    public void Dispose()
    {
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }
}
