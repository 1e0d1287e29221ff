using ModelsHub.EndToEndTests.Infrastructure;
using ModelsHub.IntegrationTests.Infrastructure;

namespace ModelsHub.EndToEndTests.Journeys;

[Collection(JourneysCollection.Name)]
public sealed class HuggingFaceImportTests(JourneyHub journeys) : JourneyTest(journeys)
{
    [Fact]
    public async Task AnImporterPicksFilesFromTheHubSeesEachArriveAndOpensTheNewModel()
    {
        using (await HuggingFaceTesting.ImporterAsync(Hub.Hub, "mia"))
        {
        }
        var page = await Hub.OpenAsync("/ai-models", new Visitor("mia"));
        await page.Locator("[data-testid=ai-import]").ClickAsync();
        await Ui.FillAsync(page, "[data-testid=hf-repo]", HuggingFaceTesting.Gpt2);
        await page.Locator("[data-testid=hf-preview]").ClickAsync();

        // Every file with its size; the ONNX copy left out.
        var onnx = page.Locator("[data-testid=hf-file][data-path='onnx/model.onnx']");
        await onnx.WaitForAsync();
        Assert.Contains("2.9 MB", await page.Locator("[data-testid=hf-file][data-path='model.safetensors']").InnerTextAsync());
        await onnx.ClickAsync();
        await Ui.FillAsync(page, "[data-testid=hf-model]", "e2e-gpt2");
        await page.Locator("[data-testid=hf-start]").ClickAsync();

        await page.WaitForURLAsync("**/imports/*");
        var state = page.Locator("[data-testid=import-state]");
        await Ui.EventuallyAsync(async () => await state.GetAttributeAsync("data-state") is "succeeded" or "failed" or "cancelled", "the import to end", 60_000);
        Assert.Equal("succeeded", await state.GetAttributeAsync("data-state"));
        var files = page.Locator("[data-testid=import-files] tbody tr");
        Assert.Equal([".gitattributes", "README.md", "config.json", "model.safetensors", "tokenizer.json"],
            (await files.EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.path)")).Order(StringComparer.Ordinal));
        Assert.Equal(["done"], (await files.EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.state)")).Distinct());
        Assert.Equal(0, await page.Locator("[data-testid=import-files] tr[data-path='onnx/model.onnx']").CountAsync());
        await WebHub.AssertHealthyAsync(page);

        await page.Locator("[data-testid=import-model-link]").ClickAsync();
        var versions = page.Locator("[data-testid=versions-grid]");
        await versions.WaitForAsync();
        await Ui.EventuallyAsync(async () => (await versions.InnerTextAsync()).Contains("model.safetensors", StringComparison.Ordinal), "the imported files in the version");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task AGatedRepositorySaysWhatToDoAndOpensWithTheSavedToken()
    {
        using (await HuggingFaceTesting.ImporterAsync(Hub.Hub, "gus"))
        {
        }
        var page = await Hub.OpenAsync("/ai-models/import", new Visitor("gus"));
        await Ui.FillAsync(page, "[data-testid=hf-repo]", HuggingFaceTesting.Gated);
        await page.Locator("[data-testid=hf-preview]").ClickAsync();

        // The Hub lists a gated repository's files to anyone; the import is what needs access.
        await page.Locator("[data-testid=hf-file][data-path='model.safetensors']").WaitForAsync();
        Assert.Contains("gated", await page.Locator("[data-testid=hf-files]").InnerTextAsync());
        await page.Locator("[data-testid=hf-start]").ClickAsync();
        var gated = page.Locator("[data-testid=hf-gated]");
        await gated.WaitForAsync();
        Assert.Contains("Accept the license on the Hub", await gated.InnerTextAsync());
        Assert.Contains("/ai-models/import", page.Url);

        // With a token of an account that was granted access, the same import goes through.
        await Ui.FillAsync(page, "[data-testid=hf-token]", HuggingFaceTesting.GrantedToken);
        await page.Locator("[data-testid=hf-token-save]").ClickAsync();
        await page.WaitForURLAsync("**/imports/*");
        var state = page.Locator("[data-testid=import-state]");
        await Ui.EventuallyAsync(async () => await state.GetAttributeAsync("data-state") is "succeeded" or "failed" or "cancelled", "the import to end", 60_000);
        Assert.Equal("succeeded", await state.GetAttributeAsync("data-state"));
        await WebHub.AssertHealthyAsync(page);
        await page.Context.CloseAsync();
    }
}
