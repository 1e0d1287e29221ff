using System.Net;
using System.Net.Http.Json;
using System.Text;
using ModelsHub.IntegrationTests.Infrastructure;
using ModelsHub.IntegrationTests.Training;

namespace ModelsHub.IntegrationTests.Api;

/// <summary>
/// Every training route × every kind of caller, each cell exact. Starting a job needs training.run, the
/// inputs visible and the output model changeable (a trainer may not train into a public model it cannot
/// change); a job is seen and cancelled by its starter, administrators and the base model's managers,
/// and is a 404 to everyone else; the trainer contract's routes answer to the job's token alone.
/// </summary>
public sealed class TrainingAuthorizationMatrixTests : IAsyncLifetime
{
    private readonly ShellTrainerHub _hub = new();

    /// <summary>The routes this matrix walks (for the check that every mapped route has a row).</summary>
    public static readonly string[] Routes =
    [
        "GET /api/trainers", "POST /api/training-jobs", "GET /api/training-jobs", "GET /api/training-jobs/{id}", "GET /api/training-jobs/{id}/events",
        "GET /api/training-jobs/{id}/metrics", "GET /api/training-jobs/{id}/checkpoints", "POST /api/training-jobs/{id}/cancel",
        "POST /api/training-jobs/{id}/events", "POST /api/training-jobs/{id}/output", "GET /api/training-jobs/{id}/output/{uploadId}",
        "GET /api/models/{name}/versions/compare",
    ];

    // tess owns the private model and dataset jobs train on; tom is another trainer; max maintains public models.
    private static readonly (string Name, string? User, string[] Roles)[] Callers =
    [
        ("anonymous", null, []),
        ("user", "ursula", ["user"]),
        ("starter", "tess", ["trainer"]),
        ("trainer", "tom", ["trainer"]),
        ("maintainer", "max", ["maintainer"]),
        ("admin", "ada", ["admin"]),
    ];

    public async Task InitializeAsync()
    {
        await _hub.SeedAsync("tm", "td");
        var olivia = _hub.App.ClientFor("olivia", "admin");
        await Uploads.CreateModelAsync(olivia, "pm", "public");
        await Uploads.UploadVersionAsync(olivia, "pm", "v1", "model.zip", Uploads.RandomBytes(100, 2));
        await DatasetTesting.CreateAsync(olivia, "pd", "csv", "public");
        await DatasetTesting.UploadAndValidateAsync(olivia, "pd", "v1", "data.csv", Encoding.UTF8.GetBytes("text,label\na,b\n"));
    }

    [Fact]
    public async Task EveryCellHasTheExactStatus()
    {
        var job = await _hub.StartAsync(model: "tm", dataset: "td");
        var failures = new StringBuilder();
        void Check(string route, string caller, int expected, HttpStatusCode actual)
        {
            if ((int)actual != expected)
            {
                failures.AppendLine($"{route} × {caller}: expected {expected}, got {(int)actual}");
            }
        }
        var expected = new Dictionary<string, int[]>
        {
            ["GET /api/trainers"] = [401, 200, 200, 200, 200, 200],
            ["POST /api/training-jobs (own private model)"] = [401, 403, 201, 404, 403, 201],
            ["POST /api/training-jobs (a public model)"] = [401, 403, 403, 403, 403, 201],
            ["POST /api/training-jobs (output into the private model)"] = [401, 403, 201, 404, 403, 201],
            ["GET /api/training-jobs"] = [401, 200, 200, 200, 200, 200],
            ["GET /api/training-jobs (listed)"] = [401, 404, 200, 404, 404, 200],
            ["GET /api/training-jobs/{id}"] = [401, 404, 200, 404, 404, 200],
            ["GET /api/training-jobs/{id}/events"] = [401, 404, 200, 404, 404, 200],
            ["GET /api/training-jobs/{id}/metrics"] = [401, 404, 200, 404, 404, 200],
            ["GET /api/training-jobs/{id}/checkpoints"] = [401, 404, 200, 404, 404, 200],
            ["POST /api/training-jobs/{id}/cancel"] = [401, 404, 202, 404, 404, 202],
            ["POST /api/training-jobs/{id}/events"] = [403, 403, 403, 403, 403, 403],
            ["POST /api/training-jobs/{id}/output"] = [403, 403, 403, 403, 403, 403],
            ["GET /api/training-jobs/{id}/output/{uploadId}"] = [403, 403, 403, 403, 403, 403],
            ["GET /api/models/{name}/versions/compare"] = [404, 404, 200, 404, 404, 200],
        };
        for (var c = 0; c < Callers.Length; c++)
        {
            var (name, user, roles) = Callers[c];
            var client = _hub.App.ClientFor(user, roles);
            int Expect(string row) => expected[row][c];
            Check("GET /api/trainers", name, Expect("GET /api/trainers"), (await client.GetAsync("/api/trainers")).StatusCode);
            Check("POST /api/training-jobs (own private model)", name, Expect("POST /api/training-jobs (own private model)"),
                (await client.PostAsJsonAsync("/api/training-jobs", new { model = "tm", version = "v1", dataset = "td", datasetVersion = "v1" })).StatusCode);
            Check("POST /api/training-jobs (a public model)", name, Expect("POST /api/training-jobs (a public model)"),
                (await client.PostAsJsonAsync("/api/training-jobs", new { model = "pm", version = "v1", dataset = "pd", datasetVersion = "v1" })).StatusCode);
            Check("POST /api/training-jobs (output into the private model)", name, Expect("POST /api/training-jobs (output into the private model)"),
                (await client.PostAsJsonAsync("/api/training-jobs", new { model = "pm", version = "v1", dataset = "pd", datasetVersion = "v1", output = new { model = "tm" } })).StatusCode);
            var list = await client.GetAsync("/api/training-jobs?pageSize=100");
            Check("GET /api/training-jobs", name, Expect("GET /api/training-jobs"), list.StatusCode);
            if (list.StatusCode == HttpStatusCode.OK)
            {
                var listed = (await list.JsonAsync()).GetProperty("items").EnumerateArray().Any(j => j.GetProperty("id").GetString() == job);
                Check("GET /api/training-jobs (listed)", name, Expect("GET /api/training-jobs (listed)"), listed ? HttpStatusCode.OK : HttpStatusCode.NotFound);
            }
            foreach (var part in new[] { "", "/events", "/metrics", "/checkpoints" })
            {
                var row = $"GET /api/training-jobs/{{id}}{part}";
                Check(row, name, Expect(row), (await client.GetAsync($"/api/training-jobs/{job}{part}")).StatusCode);
            }
            // A job of tess's of its own for each caller to cancel (queued behind the first: cancelled at once).
            var toCancel = await _hub.StartAsync(model: "tm", dataset: "td");
            Check("POST /api/training-jobs/{id}/cancel", name, Expect("POST /api/training-jobs/{id}/cancel"), (await client.PostAsync($"/api/training-jobs/{toCancel}/cancel", null)).StatusCode);
            Check("POST /api/training-jobs/{id}/events", name, Expect("POST /api/training-jobs/{id}/events"),
                (await client.PostAsync($"/api/training-jobs/{job}/events", new StringContent("{\"seq\":1,\"type\":\"log\",\"message\":\"x\"}", Encoding.UTF8, "application/x-ndjson"))).StatusCode);
            Check("POST /api/training-jobs/{id}/output", name, Expect("POST /api/training-jobs/{id}/output"),
                (await client.PostAsJsonAsync($"/api/training-jobs/{job}/output?token=forged", new { fileName = "m.zip", size = 10 })).StatusCode);
            Check("GET /api/training-jobs/{id}/output/{uploadId}", name, Expect("GET /api/training-jobs/{id}/output/{uploadId}"),
                (await client.GetAsync($"/api/training-jobs/{job}/output/u1?token=")).StatusCode);
            Check("GET /api/models/{name}/versions/compare", name, Expect("GET /api/models/{name}/versions/compare"),
                (await client.GetAsync("/api/models/tm/versions/compare?a=v1&b=v1")).StatusCode);
        }
        Assert.True(failures.Length == 0, failures.ToString());
        // The starter was allowed to start one from its own private model, and the job it got is what it asked for.
        Assert.Equal("tm", (await Uploads.GetAsync(_hub.Owner, $"/api/training-jobs/{job}")).GetProperty("model").GetString());
    }

    [Fact]
    public async Task TheBaseModelsManagersSeeItsJobsAndOthersListOnlyTheirOwn()
    {
        var olivia = _hub.App.ClientFor("olivia", "admin");
        await _hub.Owner.GetAsync("/api/me").ExpectAsync(HttpStatusCode.OK);
        await _hub.App.ClientFor("ada", "admin").PutAsync("/api/users/tess/permissions/models.public.update", null).ExpectAsync(HttpStatusCode.OK);
        var tess = _hub.App.ClientFor("tess", "trainer");
        var job = (await TrainingTesting.StartAsync(tess, new { model = "pm", version = "v1", dataset = "pd", datasetVersion = "v1" })).GetProperty("id").GetString();
        var max = _hub.App.ClientFor("max", "maintainer");

        var seen = await max.GetAsync($"/api/training-jobs/{job}").ExpectAsync(HttpStatusCode.OK);
        var byModel = await Uploads.GetAsync(max, "/api/training-jobs?model=pm");
        var mine = await Uploads.GetAsync(max, "/api/training-jobs?model=pm&mine=true");

        Assert.Equal("pm", (await seen.JsonAsync()).GetProperty("model").GetString());
        Assert.Contains(byModel.GetProperty("items").EnumerateArray(), j => j.GetProperty("id").GetString() == job);
        Assert.Empty(mine.GetProperty("items").EnumerateArray());
        await _hub.App.ClientFor("tom", "trainer").GetAsync($"/api/training-jobs/{job}").ExpectAsync(HttpStatusCode.NotFound);
        Assert.Empty((await Uploads.GetAsync(_hub.App.ClientFor("tom", "trainer"), "/api/training-jobs?model=pm")).GetProperty("items").EnumerateArray());
        await olivia.PostAsync($"/api/training-jobs/{job}/cancel", null).ExpectAsync(HttpStatusCode.Accepted);
    }

    public async Task DisposeAsync() => await _hub.DisposeAsync();
}
