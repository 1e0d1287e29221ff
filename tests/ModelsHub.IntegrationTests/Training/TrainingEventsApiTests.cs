using System.Net;
using System.Text.Json;
using ModelsHub.IntegrationTests.Infrastructure;

namespace ModelsHub.IntegrationTests.Training;

/// <summary>
/// What a job's follower reads, with a shell trainer whose events the test posts through the contract's
/// URL: the events page by page (<c>after</c>, <c>pageSize</c>), live as server-sent events resumed
/// after <c>Last-Event-ID</c> (and new ones as they arrive), the job's progress with its ETA, every
/// metric point of one metric, the checkpoints; and the job list's filters.
/// </summary>
public sealed class TrainingEventsApiTests
{
    [Fact]
    public async Task EventsArePagedAndALiveReaderResumesAfterItsLastEventId()
    {
        await using var hub = new ShellTrainerHub();
        await hub.SeedAsync();
        var id = await hub.StartAsync();
        var env = await hub.EnvironmentOfAsync(id);
        await hub.PostEventsAsync(env,
            """{"seq":1,"type":"progress","step":1,"totalSteps":10,"epoch":0.1}""",
            """{"seq":2,"type":"metric","name":"loss","value":2.5,"step":1}""",
            """{"seq":3,"type":"log","level":"info","message":"epoch 1 done"}""",
            """{"seq":4,"type":"checkpoint","name":"step-4","step":4,"size":10}""",
            """{"seq":5,"type":"metric","name":"loss","value":1.25,"step":5}""",
            """{"seq":6,"type":"metric","name":"accuracy","value":0.5,"step":5}""",
            """{"seq":7,"type":"progress","step":5,"totalSteps":10,"epoch":0.5}""").ExpectAsync(HttpStatusCode.OK);

        var first = await Uploads.GetAsync(hub.Owner, $"/api/training-jobs/{id}/events?pageSize=3");
        Assert.Equal([1L, 2, 3], Seqs(first));
        Assert.True(first.GetProperty("hasMore").GetBoolean());
        var rest = await Uploads.GetAsync(hub.Owner, $"/api/training-jobs/{id}/events?after={first.GetProperty("nextAfter").GetInt64()}&pageSize=10");
        Assert.Equal([4L, 5, 6, 7], Seqs(rest));
        Assert.False(rest.GetProperty("hasMore").GetBoolean());
        Assert.Equal(7, rest.GetProperty("nextAfter").GetInt64());

        // Resumed after seq 5: the job, then 6 and 7 only; then 8, posted while it reads.
        var follow = TrainingTesting.FollowAsync(hub.Owner, id, lastEventId: "5", stopAfter: 4);
        await hub.PostEventsAsync(env, """{"seq":8,"type":"log","message":"still going"}""").ExpectAsync(HttpStatusCode.OK);
        var live = await follow;
        Assert.Equal(["job", "metric", "progress", "log"], live.Select(i => i.Type));
        Assert.Equal([null, "6", "7", "8"], live.Select(i => i.Id));
        Assert.Equal("still going", live[3].Data.GetProperty("message").GetString());

        var job = await Uploads.GetAsync(hub.Owner, $"/api/training-jobs/{id}");
        var progress = job.GetProperty("progress");
        Assert.Equal((50.0, 5L, 10L), (progress.GetProperty("percent").GetDouble(), progress.GetProperty("step").GetInt64(), progress.GetProperty("totalSteps").GetInt64()));
        Assert.True(progress.GetProperty("etaSeconds").GetDouble() >= 0, "an ETA from the pace");
        Assert.Equal(1.25, job.GetProperty("metrics").GetProperty("loss").GetProperty("value").GetDouble());

        var losses = await Uploads.GetAsync(hub.Owner, $"/api/training-jobs/{id}/metrics?name=loss");
        Assert.Equal([(2.5, 1L), (1.25, 5L)], losses.GetProperty("items").EnumerateArray().Select(p => (p.GetProperty("value").GetDouble(), p.GetProperty("step").GetInt64())));
        var checkpoint = Assert.Single((await Uploads.GetAsync(hub.Owner, $"/api/training-jobs/{id}/checkpoints")).GetProperty("items").EnumerateArray());
        Assert.Equal(("step-4", 4L), (checkpoint.GetProperty("name").GetString(), checkpoint.GetProperty("step").GetInt64()));
    }

    [Fact]
    public async Task TheListFiltersByStateModelAndStarter()
    {
        await using var hub = new ShellTrainerHub();
        await hub.SeedAsync();
        await hub.SeedAsync(model: "other", dataset: "d2");
        var cancelled = await hub.StartAsync();
        await hub.Owner.PostAsync($"/api/training-jobs/{cancelled}/cancel", null).ExpectAsync(HttpStatusCode.Accepted);
        await TrainingTesting.EndedAsync(hub.Owner, cancelled);
        var running = await hub.StartAsync(model: "other", dataset: "d2");
        var admin = hub.App.ClientFor("ada", "admin");

        Assert.Equal([cancelled], await IdsAsync(hub.Owner, "state=cancelled"));
        Assert.Equal([running], await IdsAsync(hub.Owner, "model=other"));
        Assert.Equal([running, cancelled], await IdsAsync(hub.Owner, ""));
        Assert.Equal([running, cancelled], await IdsAsync(admin, ""));
        Assert.Empty(await IdsAsync(admin, "mine=true"));
        Assert.Empty(await IdsAsync(hub.App.ClientFor("max", "trainer"), ""));
    }

    [Fact]
    public async Task ATrainersEventsAreBoundByItsJobTokenNotByTheWriteRateLimit()
    {
        // Every local trainer posts from the hub's own address: the per-address write allowance would throttle them all together.
        await using var hub = new ShellTrainerHub(configure: app => app.With("RateLimits:Writes:PermitLimit", "20").With("RateLimits:Writes:Window", "00:10:00"));
        await hub.SeedAsync();
        var id = await hub.StartAsync();
        var env = await hub.EnvironmentOfAsync(id);

        for (var seq = 1; seq <= 25; seq++)
        {
            await hub.PostEventsAsync(env, $$"""{"seq":{{seq}},"type":"metric","name":"loss","value":{{1.0 / seq}}}""").ExpectAsync(HttpStatusCode.OK);
        }

        Assert.Equal(25, (await Uploads.GetAsync(hub.Owner, $"/api/training-jobs/{id}")).GetProperty("eventCount").GetInt64());
    }

    private static List<long> Seqs(JsonElement page) => page.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("seq").GetInt64()).ToList();

    private static async Task<List<string?>> IdsAsync(HttpClient client, string query) =>
        (await Uploads.GetAsync(client, "/api/training-jobs?" + query)).GetProperty("items").EnumerateArray().Select(j => j.GetProperty("id").GetString()).ToList();
}
