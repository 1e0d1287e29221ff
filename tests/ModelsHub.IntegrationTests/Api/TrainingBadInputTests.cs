using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using ModelsHub.IntegrationTests.Infrastructure;
using ModelsHub.IntegrationTests.Training;

namespace ModelsHub.IntegrationTests.Api;

/// <summary>A hub with a model version and datasets in every state a job's inputs can be in.</summary>
public sealed class SeededTrainingHub : IAsyncLifetime
{
    public ShellTrainerHub Hub { get; } = new();

    public async Task InitializeAsync()
    {
        await Hub.SeedAsync();
        await Uploads.UploadVersionAsync(Hub.Owner, "m", "v2", "model.zip", Uploads.RandomBytes(100, 9));
        await DatasetTesting.CreateAsync(Hub.Owner, "chats", "jsonl-chat");
        await DatasetTesting.UploadAndValidateAsync(Hub.Owner, "chats", "v1", "c.jsonl", DatasetTesting.ChatFile(3));
        await DatasetTesting.CreateAsync(Hub.Owner, "broken", "csv");
        var invalid = await DatasetTesting.UploadAndValidateAsync(Hub.Owner, "broken", "v1", "b.csv", Encoding.UTF8.GetBytes("text,label\nonly-one-field\n"));
        Assert.Equal("invalid", invalid.GetProperty("status").GetString());
    }

    public async Task DisposeAsync() => await Hub.DisposeAsync();
}

/// <summary>
/// Bad input on the training routes: every malformed body, field, hyperparameter, query and header is a
/// 4xx problem naming what is wrong (never a 500), and no job is created by a refused request.
/// </summary>
public sealed class TrainingBadInputTests(SeededTrainingHub seeded) : IClassFixture<SeededTrainingHub>
{
    private HttpClient Owner => seeded.Hub.Owner;

    public static TheoryData<string, int, string> Bodies() => new()
    {
        { "not json", 400, "body" },
        { "[]", 400, "body" },
        { """{"model":"m","version":"v1","dataset":"d","datasetVersion":"v1","color":"red"}""", 400, "color" },
        { """{"version":"v1","dataset":"d","datasetVersion":"v1"}""", 400, "model" },
        { """{"model":"m","version":"v1","dataset":"d"}""", 400, "datasetVersion" },
        { """{"model":7,"version":"v1","dataset":"d","datasetVersion":"v1"}""", 400, "model" },
        { """{"model":"m","version":"v1","dataset":"d","datasetVersion":"v1","hyperparameters":[1]}""", 400, "hyperparameters" },
        { """{"model":"m","version":"v1","dataset":"d","datasetVersion":"v1","hyperparameters":{"learningRate":0.1}}""", 400, "hyperparameters.learningRate" },
        { """{"model":"m","version":"v1","dataset":"d","datasetVersion":"v1","hyperparameters":{"epochs":"three"}}""", 400, "hyperparameters.epochs" },
        { """{"model":"m","version":"v1","dataset":"d","datasetVersion":"v1","hyperparameters":{"epochs":0}}""", 400, "hyperparameters.epochs" },
        { """{"model":"m","version":"v1","dataset":"d","datasetVersion":"v1","hyperparameters":{"epochs":2.5}}""", 400, "hyperparameters.epochs" },
        { """{"model":"m","version":"v1","dataset":"d","datasetVersion":"v1","hyperparameters":{"epochs":{"a":1}}}""", 400, "hyperparameters.epochs" },
        { """{"model":"m","version":"v1","dataset":"d","datasetVersion":"v1","method":"lora"}""", 400, "method" },
        { """{"model":"m","version":"v1","dataset":"d","datasetVersion":"v1","trainer":"nope"}""", 400, "trainer" },
        { """{"model":"m","version":"v1","dataset":"d","datasetVersion":"v1","compute":"kubernetes"}""", 400, "compute" },
        { """{"model":"m","version":"v1","dataset":"d","datasetVersion":"v1","output":"v3"}""", 400, "output" },
        { """{"model":"m","version":"v1","dataset":"d","datasetVersion":"v1","output":{"label":"no spaces please"}}""", 400, "output.label" },
        { """{"model":"m","version":"v1","dataset":"d","datasetVersion":"v1","output":{"label":"V2"}}""", 409, "output.label" },
        { """{"model":"m","version":"v1","dataset":"d","datasetVersion":"v1","output":{"lab":"v3"}}""", 400, "output.lab" },
        { """{"model":"m","version":"v1","dataset":"chats","datasetVersion":"v1"}""", 400, "dataset" },
        { """{"model":"m","version":"v1","dataset":"broken","datasetVersion":"v1"}""", 409, "datasetVersion" },
        { """{"model":"m","version":"v9","dataset":"d","datasetVersion":"v1"}""", 404, "" },
        { """{"model":"m","version":"v1","dataset":"d","datasetVersion":"v9"}""", 404, "" },
        { """{"model":"m","version":"v1","dataset":"d","datasetVersion":"v1","output":{"model":"nope"}}""", 404, "" },
    };

    [Theory]
    [MemberData(nameof(Bodies))]
    public async Task ARefusedJobNamesTheFieldAndCreatesNothing(string body, int status, string field)
    {
        var response = await Owner.PostAsync("/api/training-jobs", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.JsonAsync();
        if (field.Length > 0)
        {
            Assert.Contains(field, problem.GetProperty("errors").EnumerateObject().Select(e => e.Name));
        }
        Assert.Empty((await Uploads.GetAsync(Owner, "/api/training-jobs?state=queued")).GetProperty("items").EnumerateArray());
    }

    [Theory]
    [InlineData("/api/training-jobs?state=paused", "state")]
    [InlineData("/api/training-jobs?pageSize=0", "pageSize")]
    [InlineData("/api/training-jobs?continuationToken=garbage", "continuationToken")]
    [InlineData("/api/training-jobs?mine=maybe", "mine")]
    [InlineData("/api/training-jobs/{job}/events?after=-1", "after")]
    [InlineData("/api/training-jobs/{job}/events?pageSize=5000", "pageSize")]
    [InlineData("/api/training-jobs/{job}/metrics?after=x", "after")]
    [InlineData("/api/models/m/versions/compare?a=v1", "b")]
    public async Task BadQueriesAreNamed(string url, string field)
    {
        var job = await JobAsync();
        var response = await Owner.GetAsync(url.Replace("{job}", job)).ExpectAsync(HttpStatusCode.BadRequest);

        Assert.Contains(field, (await response.JsonAsync()).GetProperty("errors").EnumerateObject().Select(e => e.Name));
    }

    [Fact]
    public async Task ABadLastEventIdIsNamed()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"/api/training-jobs/{await JobAsync()}/events");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/problem+json"));
        request.Headers.Add("Last-Event-ID", "yesterday");

        var response = await Owner.SendAsync(request).ExpectAsync(HttpStatusCode.BadRequest);

        Assert.Contains("Last-Event-ID", (await response.JsonAsync()).GetProperty("errors").EnumerateObject().Select(e => e.Name));
    }

    [Fact]
    public async Task UnknownJobsVersionsAndUploadsAre404()
    {
        await Owner.GetAsync("/api/training-jobs/tj-none").ExpectAsync(HttpStatusCode.NotFound);
        await Owner.PostAsync("/api/training-jobs/tj-none/cancel", null).ExpectAsync(HttpStatusCode.NotFound);
        await Owner.GetAsync("/api/models/m/versions/compare?a=v1&b=v7").ExpectAsync(HttpStatusCode.NotFound);
        await seeded.Hub.Trainer.PostAsync("/api/training-jobs/tj-none/events?token=x", new StringContent("{}", Encoding.UTF8, "application/x-ndjson"))
            .ExpectAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task TheTrainersEventsEndpointRefusesBadBodiesAndTypes()
    {
        var job = await JobAsync();
        var env = await seeded.Hub.EnvironmentOfAsync(job);
        var url = ShellTrainerHub.Relative(env[ModelsHub.Contracts.Training.TrainerEnvironment.EventsUrl]);

        await seeded.Hub.Trainer.PostAsync(url, new StringContent("{\"seq\":1,\"type\":\"log\",\"message\":\"x\"}", Encoding.UTF8, "text/plain"))
            .ExpectAsync(HttpStatusCode.UnsupportedMediaType);
        await seeded.Hub.Trainer.PostAsync(url, new ByteArrayContent(new byte[2 * 1024 * 1024]) { Headers = { ContentType = new MediaTypeHeaderValue("application/x-ndjson") } })
            .ExpectAsync(HttpStatusCode.RequestEntityTooLarge);
        var empty = await seeded.Hub.Trainer.PostAsync(url, new StringContent("\n\n", Encoding.UTF8, "application/x-ndjson")).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Contains("events", (await empty.JsonAsync()).GetProperty("errors").EnumerateObject().Select(e => e.Name));
        var opened = await seeded.Hub.Trainer.PostAsJsonAsync(ShellTrainerHub.Relative(env[ModelsHub.Contracts.Training.TrainerEnvironment.OutputUrl]), new { fileName = "../x.zip", size = 10 })
            .ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Contains("fileName", (await opened.JsonAsync()).GetProperty("errors").EnumerateObject().Select(e => e.Name));
        // None of these ended the job: only event lines themselves speak for the trainer.
        Assert.NotEqual("failed", (await Uploads.GetAsync(Owner, $"/api/training-jobs/{job}")).GetProperty("state").GetString());
        await Owner.PostAsync($"/api/training-jobs/{job}/cancel", null).ExpectAsync(HttpStatusCode.Accepted);
    }

    private async Task<string> JobAsync() =>
        (await TrainingTesting.StartAsync(Owner, new { model = "m", version = "v1", dataset = "d", datasetVersion = "v1" })).GetProperty("id").GetString()!;
}
