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
    public const string OpenAiKey = "sk-tour-0123456789";

    public string PendingSubmission { get; private set; } = "";

    private ModelsHub.Testing.AiProviders.FakeOpenAI? _openAi;

    private ModelsHub.Testing.Xinference.FakeXinference? _xinference;

    /// <summary>A running deployment of tour-chat on the server tour-gpu (a fake Xinference).</summary>
    public string Deployment { get; private set; } = "";

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (_openAi is not null)
        {
            await _openAi.DisposeAsync();
        }
        if (_xinference is not null)
        {
            await _xinference.DisposeAsync();
        }
    }
    /// <summary>A training job that trained tour-news v1 into v2 (ended), and an import of gpt2 from the fake Hub.</summary>
    public string TrainingJob { get; private set; } = "";

    public string Import { get; private set; } = "";

    /// <summary>GitHub is unreachable here, so the sync an admin starts fails (after two quick tries) and shows on the Workflows page.</summary>
    protected override IDictionary<string, string> Settings()
    {
        var settings = base.Settings();
        settings["GitHub:ApiUrl"] = "http://127.0.0.1:9/";
        settings["Workflows:MaxAttempts"] = "2";
        foreach (var (key, value) in MonitoringSettings)
        {
            settings[key] = value;
        }
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

        // A dataset with a ready version and an invalid one (its errors with their lines).
        using var tina = await ClientForAsync("tina", "trainer");
        await DatasetTesting.CreateAsync(tina, "tour-chats");
        await DatasetTesting.UploadAndValidateAsync(tina, "tour-chats", "v1", "chats.jsonl", DatasetTesting.ChatFile(50));
        await DatasetTesting.UploadAndValidateAsync(tina, "tour-chats", "v2", "broken.jsonl",
            System.Text.Encoding.UTF8.GetBytes(DatasetTesting.Chat("a", "b") + "\n{not json\n" + DatasetTesting.Chat("c", "d") + "\n"));

        // An API model on a fake OpenAI, called once so its usage has something to chart.
        _openAi = await ModelsHub.Testing.AiProviders.FakeOpenAI.StartAsync();
        _openAi.AddKey(OpenAiKey);
        _openAi.AddModel("gpt-4o", "GPT-4o");
        await ada.PostAsJsonAsync("/api/models", new { name = "tour-gpt", type = "llm", source = "openai", visibility = "private" }, HubApplication.Json).ExpectAsync(HttpStatusCode.Created);
        await ada.SendJsonAsync(HttpMethod.Put, "/api/models/tour-gpt/provider", new { endpoint = _openAi.BaseUrl.ToString(), modelId = "gpt-4o", apiKey = OpenAiKey })
            .ExpectAsync(HttpStatusCode.OK);
        await ada.PostAsJsonAsync("/api/models/tour-gpt/test", new { input_data = new { prompt = "Hello", max_tokens = 20 } }).ExpectAsync(HttpStatusCode.OK);

        // An inference server (a fake Xinference cluster) with a model deployed and running on it, called once.
        _xinference = await ModelsHub.Testing.Xinference.FakeXinference.StartAsync();
        var cluster = _xinference.AddCluster("tour-gpu", workers: 2, gpusPerWorker: 2);
        using var olga = await ClientForAsync("olga", "operator");
        await DeploymentTesting.RegisterServerAsync(olga, "tour-gpu", cluster);
        await DeploymentTesting.CreateModelAsync(ada, DeploymentTesting.ChatModel("tour-chat", "public"));
        Deployment = await DeploymentTesting.DeployAsync(olga, new { model = "tour-chat", server = "tour-gpu", parameters = new { max_model_len = 4096 } });
        await DeploymentTesting.StateAsync(olga, Deployment, "running");
        await olga.PostAsJsonAsync($"/api/deployments/{Deployment}/test", new { input_data = new { prompt = "Hello" } }).ExpectAsync(HttpStatusCode.OK);
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
