using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.FluentUI.AspNetCore.Components;
using ModelsHub.Contracts;
using ModelsHub.Contracts.Training;
using ModelsHub.Contracts.Versions;
using ModelsHub.Web.Components.Pages.Models;
using ModelsHub.Web.Components.Pages.Training;
using ModelsHub.Web.Services.Auth;

namespace ModelsHub.WebTests;

public sealed class TrainingPagesTests : WebTestContext
{
    private NavigationManager Navigation => Services.GetRequiredService<NavigationManager>();

    private static string Dataset(string name, string format) => $$"""
        {"name":"{{name}}","description":"","format":"{{format}}","visibility":"private","tags":[],"owner":"tess","status":"ready",
         "defaultVersion":"v2","defaultVersionPinned":false,"recordCount":1200,"sizeBytes":57344,"tokenEstimate":null,"versionCount":2,
         "createdAt":"2026-01-01T00:00:00Z","updatedAt":"2026-01-02T00:00:00Z","etag":"\"d1\""}
        """;

    private static string DatasetVersion(string dataset, string label, string status, long records) => $$$"""
        {"dataset":"{{{dataset}}}","label":"{{{label}}}","notes":"","status":"{{{status}}}","failureReason":null,"isDefault":false,
         "files":[],"totalSize":57344,"metrics":{},"createdBy":"tess","createdAt":"2026-01-01T00:00:00Z","updatedAt":"2026-01-01T00:00:00Z","readyAt":null,"etag":"\"v\"",
         "upload":null,"validation":{"format":"csv","file":"news.csv","sha256":"a","recordCount":{{{records}}},"sizeBytes":57344,"columns":["label","text"],"roles":null,
         "tokenEstimate":null,"tokens":null,"archive":null,"errors":[],"errorCount":0,"startedAt":"2026-01-01T00:00:00Z","finishedAt":"2026-01-01T00:01:00Z"}}
        """;

    private const string Trainers = """
        {"items":[{"name":"reference","description":"ML.NET text classification","isDefault":true,"datasetFormats":["csv"],"methods":["full"],
          "hyperparameters":{"epochs":{"type":"integer","default":3,"min":1,"max":50,"values":null,"description":"Passes over the data"},
                             "learningRate":{"type":"number","default":0.1,"min":0.0001,"max":1,"values":null,"description":null}},
          "computes":["local","kubernetes"]}],"defaultTrainer":"reference","defaultCompute":"local"}
        """;

    private void ServeStartPage()
    {
        SignIn("tess", Permissions.RunTraining);
        Hub.On(HttpMethod.Get, "/api/trainers", HttpStatusCode.OK, Trainers);
        Hub.On(HttpMethod.Get, "/api/models/news-topics/versions/suggestion", HttpStatusCode.OK, """{"label":"v3"}""");
        Hub.On(HttpMethod.Get, "/api/datasets?", HttpStatusCode.OK, $$"""{"items":[{{Dataset("news", "csv")}},{{Dataset("chats", "jsonl-chat")}}],"continuationToken":null}""");
        Hub.On(HttpMethod.Get, "/api/datasets/news/versions", HttpStatusCode.OK,
            $$"""{"items":[{{DatasetVersion("news", "v1", "ready", 1200)}},{{DatasetVersion("news", "v2", "invalid", 3)}},{{DatasetVersion("news", "v3", "ready", 2400)}}],"defaultVersion":"v3","defaultVersionPinned":false,"suggestedLabel":"v4"}""");
        Hub.On(HttpMethod.Get, "/api/datasets/chats/versions", HttpStatusCode.OK,
            $$"""{"items":[{{DatasetVersion("chats", "v1", "ready", 50)}}],"defaultVersion":"v1","defaultVersionPinned":false,"suggestedLabel":"v2"}""");
    }

    [Fact]
    public void StartingOffersOnlyReadyDatasetVersionsTheTrainerReadsWithTheirSizeAndRecords()
    {
        ServeStartPage();
        Navigation.NavigateTo("training/new?model=news-topics&version=v2");

        var cut = Render<StartTrainingPage>();

        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll("[data-testid=training-dataset]")));
        Assert.Equal(["news@v3", "news@v1"], cut.FindAll("[data-testid=training-dataset]").Select(r => r.GetAttribute("data-key")));
        Assert.Contains("2,400 records", cut.Find("[data-key='news@v3']").TextContent);
        Assert.Contains("56 KB", cut.Find("[data-key='news@v3']").TextContent);
        Assert.Equal("v3", cut.Find("[data-testid=training-label]").GetAttribute("value"));
        Assert.StartsWith("news-topics-v2-ft-", cut.Find("[data-testid=training-name]").GetAttribute("value"));
        Assert.Equal("3", cut.Find("[data-testid=hp-epochs]").GetAttribute("value"));
        Assert.Contains("from 1 to 50", cut.Markup);
    }

    [Fact]
    public void SubmittingStartsTheJobAndGoesStraightToItsPage()
    {
        ServeStartPage();
        Hub.On(HttpMethod.Post, "/api/training-jobs", HttpStatusCode.Created, JsonSerializer.Serialize(Job("job-1", TrainingJobState.Queued), ContractJson.Options));
        Navigation.NavigateTo("training/new?model=news-topics&version=v2");
        var cut = Render<StartTrainingPage>();
        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll("[data-testid=training-dataset]")));
        cut.Find("[data-testid=training-label]").Change("v2.1");
        cut.Find("[data-testid=hp-epochs]").Change("5");

        cut.Find("form").Submit();

        cut.WaitForAssertion(() => Assert.EndsWith("/training/job-1", Navigation.Uri));
        var body = JsonDocument.Parse(Hub.Requests.Single(r => r.Method == HttpMethod.Post).Body!).RootElement;
        Assert.Equal(("news-topics", "v2", "news", "v3"), (body.GetProperty("model").GetString(), body.GetProperty("version").GetString(),
            body.GetProperty("dataset").GetString(), body.GetProperty("datasetVersion").GetString()));
        Assert.Equal(5, body.GetProperty("hyperparameters").GetProperty("epochs").GetInt32());
        Assert.Equal(0.1, body.GetProperty("hyperparameters").GetProperty("learningRate").GetDouble());
        Assert.Equal("v2.1", body.GetProperty("output").GetProperty("label").GetString());
        Assert.Equal(("full", "local"), (body.GetProperty("method").GetString(), body.GetProperty("compute").GetString()));
    }

    [Fact]
    public void TheHubsFieldErrorsShowAtTheirFields()
    {
        ServeStartPage();
        Hub.Problem(HttpMethod.Post, "/api/training-jobs", HttpStatusCode.BadRequest,
            """{"status":400,"title":"One or more fields are invalid.","errors":{"hyperparameters.epochs":["Must be at most 50."],"output.label":["A version v3 exists."]}}""");
        Navigation.NavigateTo("training/new?model=news-topics&version=v2");
        var cut = Render<StartTrainingPage>();
        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll("[data-testid=training-dataset]")));
        cut.Find("[data-testid=hp-epochs]").Change("500");

        cut.Find("form").Submit();

        cut.WaitForAssertion(() => Assert.Contains("Must be at most 50.", cut.Find("[data-testid=hp-epochs]").ParentElement!.TextContent));
        Assert.Contains("A version v3 exists.", cut.Find("[data-testid=training-label]").ParentElement!.TextContent);
        Assert.Contains("training/new", Navigation.Uri);
    }

    [Fact]
    public void AJobsPageFollowsItsEventsLiveUntilTheNewVersionAppears()
    {
        SignIn("tess", Permissions.RunTraining);
        var running = Job("job-1", TrainingJobState.Running);
        Hub.On(HttpMethod.Get, "/api/training-jobs/job-1", HttpStatusCode.OK, JsonSerializer.Serialize(running, ContractJson.Options));
        var stream = new StringBuilder();
        Sse(stream, "job", running);
        var seq = 0L;
        for (var step = 1; step <= 40; step++)
        {
            Sse(stream, "metric", Event(++seq, TrainerEventType.Metric, step, name: "loss", value: 2.0 / step));
            Sse(stream, "progress", Event(++seq, TrainerEventType.Progress, step, total: 40));
        }
        Sse(stream, "metric", Event(++seq, TrainerEventType.Metric, 40, name: "accuracy", value: 0.91));
        Sse(stream, "log", Event(++seq, TrainerEventType.Log, 40, message: "epoch 3 done"));
        Sse(stream, "checkpoint", Event(++seq, TrainerEventType.Checkpoint, 40, name: "epoch-3"));
        var done = running with
        {
            State = TrainingJobState.Succeeded,
            Output = running.Output with { Version = "v3", VersionUrl = "/api/models/news-topics/versions/v3" },
            States = [.. running.States, new TrainingStateChangeDto(TrainingJobState.Succeeded, DateTimeOffset.UtcNow, null)],
        };
        Sse(stream, "job", done);
        Hub.On(HttpMethod.Get, "/api/training-jobs/job-1/events", _ => new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = new StringContent(stream.ToString(), Encoding.UTF8, "text/event-stream"),
        });

        var cut = Render<TrainingJobPage>(p => p.Add(x => x.Id, "job-1"));

        cut.WaitForAssertion(() => Assert.Equal("succeeded", cut.Find("[data-testid=training-state]").GetAttribute("data-state")), TimeSpan.FromSeconds(5));
        var loss = cut.Find("polyline[data-metric=loss]");
        Assert.Equal("40", loss.GetAttribute("data-count"));
        Assert.Equal(40, loss.GetAttribute("points")!.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.NotEmpty(cut.FindAll("polyline[data-metric=accuracy]"));
        Assert.Contains("epoch 3 done", cut.Find("[data-testid=training-logs]").TextContent);
        Assert.Contains("epoch-3", cut.Find("[data-testid=training-checkpoints]").TextContent);
        Assert.Contains("news-topics version v3", cut.Find("[data-testid=training-output-link]").TextContent);
        Assert.Empty(cut.FindAll("[data-testid=training-cancel]"));
        var request = Hub.Requests.Single(r => r.PathAndQuery.EndsWith("/events", StringComparison.Ordinal));
        Assert.NotNull(request.PathAndQuery);
    }

    [Fact]
    public void ALongCurveIsThinnedToAFewHundredPointsKeepingTheLatest()
    {
        var points = Enumerable.Range(1, 5000).Select(i => new ModelsHub.Web.Components.UI.MetricPoint(i, 1.0 / i)).ToList();
        var cut = Render<ModelsHub.Web.Components.UI.StepChart>(p => p
            .Add(x => x.Series, new Dictionary<string, List<ModelsHub.Web.Components.UI.MetricPoint>> { ["loss"] = points })
            .Add(x => x.Revision, 1));

        var drawn = cut.Find("polyline").GetAttribute("points")!.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(ModelsHub.Web.Components.UI.StepChart.MaxDrawnPoints, drawn.Length);
        Assert.StartsWith("598,", drawn[^1]);
        Assert.Contains("5,000", cut.Find("[data-testid=metric-table]").TextContent);
    }

    [Fact]
    public void ATrainedVersionShowsItsLineageAndReadyVersionsOfferTraining()
    {
        SignIn("tess", Permissions.RunTraining);
        Hub.On(HttpMethod.Get, "/api/models/news-topics/versions", HttpStatusCode.OK, JsonSerializer.Serialize(new VersionListResponse(
            [ModelVersion("v1", VersionStatus.Ready, null), ModelVersion("v2", VersionStatus.Uploading, null), ModelVersion("v3", VersionStatus.Ready, Lineage)],
            "v3", false, "v4"), ContractJson.Options));
        var model = JsonSerializer.Deserialize<ModelDto>(Samples.Model("news-topics", owner: "tess"), ContractJson.Options)!;

        var cut = Render<VersionsTab>(p => p.Add(x => x.Model, model).Add(x => x.MayMaintain, true));

        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll("[data-testid=lineage]")));
        var lineage = cut.Find("[data-testid=lineage][data-version=v3]");
        Assert.Equal("v1", lineage.QuerySelector("[data-testid=lineage-base]")!.TextContent);
        Assert.Equal("v1", lineage.QuerySelector("[data-testid=lineage-dataset]")!.TextContent);
        Assert.Contains("epochs=3", lineage.QuerySelector("[data-testid=lineage-hyperparameters]")!.TextContent);
        Assert.Equal("training/job-1", lineage.QuerySelector("[data-testid=lineage-job]")!.GetAttribute("href"));
        Assert.Equal(["v3", "v1"], cut.FindAll("[data-testid=version-train]").Select(a => a.GetAttribute("data-label")));
        Assert.Contains("compare?a=v1&b=v3", cut.FindAll("[data-testid=version-compare]")[0].GetAttribute("href"));
    }

    [Fact]
    public void WithoutTheTrainingPermissionNoVersionOffersTraining()
    {
        SignIn("carol");
        Hub.On(HttpMethod.Get, "/api/models/news-topics/versions", HttpStatusCode.OK, JsonSerializer.Serialize(new VersionListResponse(
            [ModelVersion("v1", VersionStatus.Ready, null)], "v1", false, "v2"), ContractJson.Options));
        var model = JsonSerializer.Deserialize<ModelDto>(Samples.Model("news-topics"), ContractJson.Options)!;

        var cut = Render<VersionsTab>(p => p.Add(x => x.Model, model).Add(x => x.MayMaintain, true));

        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll("[data-testid=versions-grid]")));
        Assert.Empty(cut.FindAll("[data-testid=version-train]"));
    }

    [Fact]
    public void TwoVersionsSideBySideShowTheMetricsDifferenceLineageAndFiles()
    {
        SignIn("tess");
        var a = ModelVersion("v1", VersionStatus.Ready, null) with { Metrics = new Dictionary<string, double> { ["accuracy"] = 0.72 } };
        var b = ModelVersion("v3", VersionStatus.Ready, Lineage) with { Metrics = new Dictionary<string, double> { ["accuracy"] = 0.91 } };
        Hub.On(HttpMethod.Get, "/api/models/news-topics/versions", HttpStatusCode.OK, JsonSerializer.Serialize(new VersionListResponse([a, b], "v3", false, "v4"), ContractJson.Options));
        Hub.On(HttpMethod.Get, "/api/models/news-topics/versions/compare", HttpStatusCode.OK, JsonSerializer.Serialize(new VersionCompareResponse("news-topics", a, b,
            [new MetricComparisonDto("accuracy", 0.72, 0.91, 0.19)], [new FileComparisonDto("model.zip", 100, 120, "aa", "bb", false)]), ContractJson.Options));
        Navigation.NavigateTo("models/news-topics/compare?a=v1&b=v3");

        var cut = Render<CompareVersionsPage>(p => p.Add(x => x.Name, "news-topics"));

        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll("[data-testid=compare-metrics]")));
        Assert.Contains("+0.19", cut.Find("[data-testid=compare-metrics] tr[data-metric=accuracy]").TextContent);
        Assert.Empty(cut.Find("[data-testid=compare-version-a]").QuerySelectorAll("[data-testid=lineage]"));
        Assert.NotNull(cut.Find("[data-testid=compare-version-b]").QuerySelector("[data-testid=lineage]"));
        Assert.Contains("No", cut.Find("[data-testid=compare-files]").TextContent);
        Assert.Contains(Hub.Requests, r => r.PathAndQuery == "/api/models/news-topics/versions/compare?a=v1&b=v3");
    }

    private static readonly VersionLineageDto Lineage = new("job-1", "news-topics", "v1", "news", "v1", "reference", "full",
        new Dictionary<string, JsonElement> { ["epochs"] = JsonSerializer.SerializeToElement(3) }, new Dictionary<string, double> { ["accuracy"] = 0.91 },
        "/api/training-jobs/job-1", "/api/models/news-topics/versions/v1", "/api/datasets/news/versions/v1");

    private static VersionDto ModelVersion(string label, VersionStatus status, VersionLineageDto? lineage) =>
        new("news-topics", null, label, "", status, null, false, [], 0, new Dictionary<string, double>(), "tess", DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch,
            null, "\"e\"", Lineage: lineage);

    internal static TrainingJobDto Job(string id, TrainingJobState state) => new(id, "news-topics-v2-ft", "news-topics", "v2", "news", "v3", "csv", "reference", "full",
        new Dictionary<string, JsonElement> { ["epochs"] = JsonSerializer.SerializeToElement(3) }, "local", state,
        [new TrainingStateChangeDto(TrainingJobState.Queued, DateTimeOffset.UtcNow, null), new TrainingStateChangeDto(state, DateTimeOffset.UtcNow, null)],
        null, new Dictionary<string, TrainingMetricValueDto>(), new TrainingOutputDto("news-topics", "v3", null, null, null, null, null, null), null, 0, 0, false, "tess",
        DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, null, null, "wf-1", $"/api/training-jobs/{id}", $"/api/training-jobs/{id}/events");

    internal static TrainingEventDto Event(long seq, TrainerEventType type, long step, long? total = null, string? name = null, double? value = null, string? message = null) =>
        new(seq, type, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, step, total, null, null, null, name, value, message is null ? null : "info", message, null, null, null, null, null, null);

    internal static void Sse<T>(StringBuilder stream, string type, T data)
    {
        stream.Append("event: ").Append(type).Append('\n');
        if (data is TrainingEventDto e)
        {
            stream.Append("id: ").Append(e.Seq).Append('\n');
        }
        stream.Append("data: ").Append(JsonSerializer.Serialize(data, ContractJson.Options)).Append("\n\n");
    }
}
