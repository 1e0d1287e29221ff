using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using ModelsHub.Core.Servers;
using ModelsHub.IntegrationTests.Infrastructure;
using static ModelsHub.IntegrationTests.Infrastructure.DeploymentTesting;

namespace ModelsHub.IntegrationTests.Deployments;

/// <summary>
/// The <c>ServerMonitor</c> timer's rounds, on a clock the test moves a minute at a time: one sample per
/// server per round, series per node, unreachable servers marked without losing their series, and
/// deployments' states following their servers.
/// </summary>
public sealed class ServerMonitorTests : IAsyncLifetime
{
    private DeploymentHub _hub = null!;
    // Starts at the next ten-minute boundary (steps are aligned to the clock): five one-minute rounds then share one
    // ten-minute step, and none shares a step with the registration's sample taken on the real clock.
    private readonly FakeTimeProvider _clock = new(ServerMetrics.StepOf(DateTimeOffset.UtcNow, TimeSpan.FromMinutes(10)).AddMinutes(10));
    private ServerMonitor _monitor = null!;

    public async Task InitializeAsync()
    {
        _hub = await DeploymentHub.StartAsync(app => app.With("Monitoring:Resolution", "00:01:00"));
        _monitor = ActivatorUtilities.CreateInstance<ServerMonitor>(_hub.App.Services, _clock);
    }

    public async Task DisposeAsync() => await _hub.DisposeAsync();

    private async Task<MonitorRound> RoundAsync()
    {
        _clock.Advance(TimeSpan.FromMinutes(1));
        return await _monitor.RunAsync(CancellationToken.None);
    }

    private static string Iso(DateTimeOffset at) => Uri.EscapeDataString(at.ToString("O"));

    private async Task<(string Id, Testing.Xinference.FakeXinferenceCluster A)> RunningDeploymentAsync()
    {
        var a = _hub.Xinference.AddCluster("mon-a", workers: 2, gpusPerWorker: 4);
        var b = _hub.Xinference.AddCluster("mon-b", workers: 1, gpusPerWorker: 0);
        await RegisterServerAsync(_hub.Admin, "mon-a", a);
        await RegisterServerAsync(_hub.Admin, "mon-b", b);
        await CreateModelAsync(_hub.Admin, ChatModel("watched-chat", "public"));
        var id = await DeployAsync(_hub.Admin, new { model = "watched-chat", server = "mon-a" });
        await StateAsync(_hub.Admin, id, "running");
        return (id, a);
    }

    [Fact]
    public async Task EachRoundWritesOneSamplePerServerAndTheSeriesAnswersPerNode()
    {
        var (id, _) = await RunningDeploymentAsync();
        var start = _clock.GetUtcNow();
        for (var i = 0; i < 5; i++)
        {
            var round = await RoundAsync();
            Assert.Equal((2, 2, 2, 0, 0), (round.Servers, round.Reachable, round.SamplesWritten, round.ServerWrites, round.DeploymentWrites));
        }

        var metrics = await (await _hub.App.ClientFor("ursula", "user").GetAsync(
            $"/api/inference-servers/mon-a/metrics?from={Iso(start)}&to={Iso(_clock.GetUtcNow().AddMinutes(1))}&step=60").ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        var points = metrics.GetProperty("points").EnumerateArray().ToList();
        Assert.Equal(5, points.Count);
        Assert.Equal(60, metrics.GetProperty("stepSeconds").GetInt32());
        foreach (var point in points)
        {
            Assert.Equal((1, 1), (point.GetProperty("polls").GetInt32(), point.GetProperty("reachable").GetInt32()));
            Assert.Equal(["10.0.0.1:34000", "10.0.0.2:30001", "10.0.0.3:30001"], point.GetProperty("nodes").EnumerateArray().Select(n => n.GetProperty("address").GetString()));
            var totals = point.GetProperty("totals");
            Assert.Equal((8 + 64 * 2, 8), (totals.GetProperty("cpuCount").GetDouble(), totals.GetProperty("gpuCount").GetInt32()));
            // The deployment's model occupies one worker's GPUs.
            Assert.True(totals.GetProperty("gpuVramUsed").GetDouble() > 0 && totals.GetProperty("gpuUtilization").GetDouble() > 3, totals.ToString());
        }
        // Five minutes in one step: averages of five polls.
        var wide = await (await _hub.Admin.GetAsync($"/api/inference-servers/mon-a/metrics?from={Iso(start)}&to={Iso(start.AddMinutes(10))}&step=600")
            .ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.Equal(5, Assert.Single(wide.GetProperty("points").EnumerateArray()).GetProperty("polls").GetInt32());

        var deployment = await (await _hub.Admin.GetAsync($"/api/deployments/{id}/metrics?from={Iso(start.AddHours(-1))}&to={Iso(_clock.GetUtcNow().AddMinutes(1))}")
            .ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        // The registration's verification is the series' first sample, then the five rounds.
        Assert.Equal(6, deployment.GetProperty("server").GetArrayLength());
        Assert.Equal("running", deployment.GetProperty("states").EnumerateArray().Last().GetProperty("state").GetString());
    }

    [Fact]
    public async Task AServerThatStopsAnsweringIsMarkedUnreachableWithoutLosingItsSeries()
    {
        var (id, a) = await RunningDeploymentAsync();
        var start = _clock.GetUtcNow();
        await RoundAsync();
        var lastAnswer = _clock.GetUtcNow();

        a.Down = true;
        var down = await RoundAsync();
        Assert.Equal((2, 1, 2, 1, 1), (down.Servers, down.Reachable, down.SamplesWritten, down.ServerWrites, down.DeploymentWrites));
        var server = await (await _hub.Admin.GetAsync("/api/inference-servers/mon-a").ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.False(server.GetProperty("reachable").GetBoolean());
        Assert.Contains("did not answer", server.GetProperty("lastError").GetString());
        Assert.Equal(new DateTimeOffset(lastAnswer.UtcTicks - lastAnswer.UtcTicks % TimeSpan.TicksPerMinute, TimeSpan.Zero), server.GetProperty("lastSeenAt").GetDateTimeOffset());
        Assert.Equal(3, server.GetProperty("nodes").GetArrayLength());
        var unreachable = await (await _hub.Admin.GetAsync($"/api/deployments/{id}").ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.Equal("unreachable", unreachable.GetProperty("state").GetString());
        Assert.Contains("does not answer", unreachable.GetProperty("history").EnumerateArray().Last().GetProperty("detail").GetString());

        // Still down: only the sample is written.
        Assert.Equal((2, 0, 0), ((await RoundAsync()).SamplesWritten, (await RoundAsync()).ServerWrites, 0));

        a.Down = false;
        var back = await RoundAsync();
        Assert.Equal((2, 1, 1), (back.Reachable, back.ServerWrites, back.DeploymentWrites));
        Assert.Equal("running", (await StateAsync(_hub.Admin, id, "running")).GetProperty("state").GetString());
        var series = await (await _hub.Admin.GetAsync($"/api/inference-servers/mon-a/metrics?from={Iso(start)}&to={Iso(_clock.GetUtcNow().AddMinutes(1))}&step=60")
            .ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.Equal([1, 0, 0, 0, 1], series.GetProperty("points").EnumerateArray().Select(p => p.GetProperty("reachable").GetInt32()));

        // The server restarted and lost the model: the deployment failed, and says why.
        a.Restart();
        Assert.Equal(1, (await RoundAsync()).DeploymentWrites);
        var failed = await (await _hub.Admin.GetAsync($"/api/deployments/{id}").ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.Equal("failed", failed.GetProperty("state").GetString());
        Assert.Contains("is no longer running on server 'mon-a'", failed.GetProperty("error").GetString());
    }

    [Fact]
    public async Task SamplesOlderThanTheRetentionAreTrimmed()
    {
        var a = _hub.Xinference.AddCluster("mon-old");
        await RegisterServerAsync(_hub.Admin, "mon-old", a);
        var first = _clock.GetUtcNow();
        await RoundAsync();
        _clock.Advance(TimeSpan.FromDays(8));
        var late = await RoundAsync();
        Assert.True(late.Trimmed >= 1, late.ToString());
        var old = await (await _hub.Admin.GetAsync($"/api/inference-servers/mon-old/metrics?from={Iso(first)}&to={Iso(first.AddHours(1))}").ExpectAsync(HttpStatusCode.OK)).JsonAsync();
        Assert.Empty(old.GetProperty("points").EnumerateArray());
    }

    [Fact]
    public async Task RepeatedQueriesOfClosedStepsAnswerAsTheFirstDid()
    {
        var cluster = _hub.Xinference.AddCluster("mon-cache", workers: 2);
        await RegisterServerAsync(_hub.Admin, "mon-cache", cluster);
        // Three hours of samples that ended a while ago, written as the monitor writes them.
        var store = _hub.App.Services.GetRequiredService<IMetricSeriesStore>();
        var end = DateTimeOffset.UtcNow.AddMinutes(-20);
        end = new DateTimeOffset(end.UtcTicks - end.UtcTicks % TimeSpan.TicksPerMinute, TimeSpan.Zero);
        var random = new Random(3);
        var samples = Enumerable.Range(0, 180).Select(i => MetricSample.Of(InferenceServer.SeriesFor("mon-cache"), new ServerSample(end.AddMinutes(i - 180), i % 17 != 0,
            [new ServerNode("Worker", "10.0.0.2:30001", 64, 64 * random.NextDouble(), 1e10, 5e11, 5.5e11, 4, 3.2e11, 3.2e11 * random.NextDouble(), 100 * random.NextDouble())]))).ToList();
        await store.AppendAsync(samples, TimeSpan.FromDays(7), CancellationToken.None);

        async Task<string> QueryAsync(DateTimeOffset from, DateTimeOffset to, bool nodes) =>
            (await (await _hub.Admin.GetAsync($"/api/inference-servers/mon-cache/metrics?from={Iso(from)}&to={Iso(to)}&step=600&nodes={nodes}")
                .ExpectAsync(HttpStatusCode.OK)).JsonAsync()).GetProperty("points").GetRawText();
        var from = end.AddMinutes(-173);
        foreach (var nodes in new[] { false, true })
        {
            var cold = await QueryAsync(from, end.AddMinutes(5), nodes);
            var warm = await QueryAsync(from, end.AddMinutes(5), nodes);
            Assert.Equal(cold, warm);
            // A window a few minutes later shares the remembered steps (its inner ones answer alike) and reads its edges.
            var first = JsonDocument.Parse(cold).RootElement.EnumerateArray().ToDictionary(p => p.GetProperty("at").GetDateTimeOffset(), p => p.GetRawText());
            var shifted = JsonDocument.Parse(await QueryAsync(from.AddMinutes(3), end.AddMinutes(8), nodes)).RootElement.EnumerateArray().ToList();
            var compared = 0;
            foreach (var point in shifted.Skip(1).SkipLast(1))
            {
                if (!first.TryGetValue(point.GetProperty("at").GetDateTimeOffset(), out var same)) continue;
                Assert.Equal(same, point.GetRawText());
                compared++;
            }
            Assert.True(compared >= 15, $"{compared} steps compared");
            // Every poll of the window is in its answer, whichever steps came from memory.
            var polls = shifted.Sum(p => p.GetProperty("polls").GetInt32());
            Assert.Equal(samples.Count(x => x.At >= from.AddMinutes(3) && x.At < end.AddMinutes(8)), polls);
        }
    }

    [Fact]
    public async Task TheFunctionsHostRunsARoundAndGetsItsFigures()
    {
        // Under the Functions host the timer is not run in-process: the host invokes it over HTTP.
        await using var hosted = await DeploymentHub.StartAsync(app => app.With("Triggers:InProcess", "false"));
        var a = hosted.Xinference.AddCluster("mon-host");
        await RegisterServerAsync(hosted.Admin, "mon-host", a);
        var response = await hosted.App.CreateClient().PostAsJsonAsync("/ServerMonitor",
            new { Data = new { timer = new { Schedule = new { }, IsPastDue = false } }, Metadata = new { } }).ExpectAsync(HttpStatusCode.OK);
        var body = await response.JsonAsync();
        var figures = body.GetProperty("ReturnValue");
        Assert.Equal((1, 1, 1), (figures.GetProperty("servers").GetInt32(), figures.GetProperty("reachable").GetInt32(), figures.GetProperty("samplesWritten").GetInt32()));
    }
}
