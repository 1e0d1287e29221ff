using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ModelsHub.EndToEndTests.Infrastructure;
using ModelsHub.IntegrationTests.Infrastructure;

namespace ModelsHub.EndToEndTests.Pages;

/// <summary>The page tour's own hub, seeded so every page has something to show: models, a version with a file, a pending review, a failed sync.</summary>
[CollectionDefinition(Name)]
public sealed class PagesCollection : ICollectionFixture<TourHub>
{
    public const string Name = "pages";
}

public sealed class TourHub : WebHub
{
    public string PendingSubmission { get; private set; } = "";

    /// <summary>A training job that trained tour-news v1 into v2 (ended), and an import of gpt2 from the fake Hub.</summary>
    public string TrainingJob { get; private set; } = "";

    public string Import { get; private set; } = "";

    /// <summary>GitHub is unreachable here, so the sync an admin starts fails (after two quick tries) and shows on the Workflows page.</summary>
    protected override IDictionary<string, string> Settings()
    {
        var settings = base.Settings();
        settings["GitHub:ApiUrl"] = "http://127.0.0.1:9/";
        settings["Workflows:MaxAttempts"] = "2";
        return settings;
    }

    protected override async Task SeedAsync()
    {
        await ImportUpstreamAsync();
        using var carol = await ClientForAsync("carol", "user");
        var model = Samples.Model("tour-llama");
        model["readme"] = "# tour-llama\n\nA model for the **page tour**.\n\n| field | value |\n|---|---|\n| size | 7B |\n";
        await carol.PostAsJsonAsync("/api/models", model, HubApplication.Json).ExpectAsync(HttpStatusCode.Created);
        var bytes = new byte[4096];
        new Random(3).NextBytes(bytes);
        var version = await (await carol.PostAsJsonAsync("/api/models/tour-llama/versions",
            new { notes = "Meta base model", file = new { fileName = "llama.zip", size = bytes.Length } }).ExpectAsync(HttpStatusCode.Created)).JsonAsync();
        var upload = version.GetProperty("upload");
        var putBlock = upload.GetProperty("target").GetProperty("putBlock").GetString()!.Replace("{blockId}", Uri.EscapeDataString("MDAwMDAw"), StringComparison.Ordinal);
        using (var anonymous = new HttpClient())
        {
            (await anonymous.PutAsync(putBlock, new ByteArrayContent(bytes))).EnsureSuccessStatusCode();
        }
        (await carol.PostAsync(upload.GetProperty("url").GetString() + "/complete", null)).EnsureSuccessStatusCode();
        var pending = await (await carol.PostAsJsonAsync("/api/models", Samples.Model("tour-pending", "public"), HubApplication.Json)
            .ExpectAsync(HttpStatusCode.Accepted)).JsonAsync();
        PendingSubmission = pending.GetProperty("id").GetString()!;
        using var ada = await ClientForAsync("ada", "admin");
        var sync = await (await ada.PostAsJsonAsync("/api/sync", new { }).ExpectAsync(HttpStatusCode.Accepted)).JsonAsync();
        var run = sync.GetProperty("runId").GetString()!;
        await GitHubTesting.EventuallyAsync<object>(async () =>
            (await ada.GetFromJsonAsync<JsonElement>($"/api/sync/{run}")).GetProperty("status").GetString() == "failed" ? true : null, "the sync to fail", TimeSpan.FromSeconds(60));
        (await ada.GetAsync("/api/me")).EnsureSuccessStatusCode();
        await SeedTrainingAndImportAsync();
        (await (await ClientForAsync("rita", "reviewer")).GetAsync("/api/me")).EnsureSuccessStatusCode();
    }

    private async Task SeedTrainingAndImportAsync()
    {
        var folder = Directory.CreateTempSubdirectory("tour-training-").FullName;
        try
        {
            var (dataset, baseModel, accuracy) = await TrainingTesting.PrepareAsync(folder, rows: 400);
            using var tess = await ClientForAsync("tess", "trainer");
            await TrainingTesting.SeedAsync(tess, "tour-news", "tour-news-data", baseModel, dataset, accuracy);
            var job = await TrainingTesting.StartAsync(tess, new
            {
                model = "tour-news", version = "v1", dataset = "tour-news-data", datasetVersion = "v1", hyperparameters = new { epochs = 4, checkpointEvery = 2 },
                output = new { label = "v2" },
            });
            TrainingJob = job.GetProperty("id").GetString()!;
            Assert.Equal("succeeded", (await TrainingTesting.EndedAsync(tess, TrainingJob)).GetProperty("state").GetString());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
        using var mia = await HuggingFaceTesting.ImporterAsync(Hub, "mia");
        Import = await HuggingFaceTesting.StartImportAsync(mia, new { repoId = HuggingFaceTesting.Gpt2, model = new { name = "tour-gpt2" } });
        Assert.Equal("succeeded", (await HuggingFaceTesting.FinishedImportAsync(mia, Import)).GetProperty("state").GetString());
    }
}
