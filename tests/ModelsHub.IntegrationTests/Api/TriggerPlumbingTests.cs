using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using ModelsHub.Functions.Triggers;
using ModelsHub.IntegrationTests.Infrastructure;

namespace ModelsHub.IntegrationTests.Api;

/// <summary>The custom-handler contract for non-HTTP functions, and the in-process timer stand-in.</summary>
public sealed class TriggerPlumbingTests : IDisposable
{
    private readonly Application _app = new();

    public void Dispose() => _app.Dispose();

    private sealed class EchoTrigger : IFunctionTrigger
    {
        public string Name => "EchoQueue";

        public int Calls;

        public Task<object?> InvokeAsync(InvocationRequest request, TriggerLog log, CancellationToken cancellationToken)
        {
            var message = request.Binding("queueItem").GetString();
            Interlocked.Increment(ref Calls);
            log.Add($"echo {message} (dequeue {request.MetadataInt("DequeueCount")})");
            return Task.FromResult<object?>(message!.ToUpperInvariant());
        }
    }

    private sealed class CountingJob : IScheduledJob
    {
        public string Name => "EverySecond";
        public string ScheduleSetting => "Tests:EverySecond";
        public string DefaultSchedule => "* * * * * *";
        public int Runs;

        public Task RunAsync(CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Runs);
            return Task.CompletedTask;
        }
    }

    /// <summary>The hub as the Functions host runs it: the host invokes the triggers, nothing runs them in-process.</summary>
    private sealed class Application : HubApplication
    {
        public EchoTrigger Echo { get; } = new();
        public CountingJob Job { get; } = new();

        public Application(bool underTheHost = true)
        {
            if (underTheHost)
            {
                With("Triggers:InProcess", "false");
            }
        }

        protected override void ConfigureTestServices(IServiceCollection services)
        {
            services.AddSingleton<IFunctionTrigger>(Echo);
            services.AddSingleton<IScheduledJob>(Job);
        }
    }

    [Fact]
    public async Task TheHostsPayloadIsAnsweredWithOutputsLogsAndReturnValue()
    {
        var client = _app.CreateClient();
        // Exactly as the host sends it: PascalCase envelope, binding names as declared.
        var response = await client.PostAsJsonAsync("/EchoQueue", new { Data = new { queueItem = "hello" }, Metadata = new { DequeueCount = 2 } }, new JsonSerializerOptions())
            .ExpectAsync(HttpStatusCode.OK);
        var body = await response.JsonAsync();
        Assert.Equal("HELLO", body.GetProperty("ReturnValue").GetString());
        Assert.Equal("echo hello (dequeue 2)", body.GetProperty("Logs")[0].GetString());
        Assert.Equal(JsonValueKind.Object, body.GetProperty("Outputs").ValueKind);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("{\"Data\": 5}")]
    [InlineData("{\"Data\": {\"other\": 1}}")]
    [InlineData("[1]")]
    [InlineData("not json")]
    public async Task AMalformedPayloadIsA400AndNothingRuns(string payload)
    {
        var response = await _app.CreateClient().PostAsync("/EchoQueue", new StringContent(payload, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(0, _app.Echo.Calls);
    }

    [Fact]
    public async Task ATimerFunctionRunsWhenTheHostInvokesIt()
    {
        var client = _app.CreateClient();
        await client.PostAsJsonAsync("/EverySecond", new { Data = new { timer = new { IsPastDue = false } }, Metadata = new { } }).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(1, _app.Job.Runs);
        await client.PostAsJsonAsync("/EverySecond", new { Data = new { }, Metadata = new { } }).ExpectAsync(HttpStatusCode.BadRequest);
        Assert.Equal(1, _app.Job.Runs);
    }

    [Fact]
    public async Task StandaloneTheInProcessStandInsRunTheTriggersAndTheirEndpointsAreNotThere()
    {
        using var standalone = new Application(underTheHost: false);
        var client = standalone.CreateClient();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (Volatile.Read(ref standalone.Job.Runs) < 2 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }
        Assert.True(standalone.Job.Runs >= 2, "the in-process scheduler did not run the job");

        // Nobody on the machine (nor behind a reverse proxy on it) can invoke a function.
        var echo = await client.PostAsJsonAsync("/EchoQueue", new { Data = new { queueItem = "hello" }, Metadata = new { } }, new JsonSerializerOptions());
        Assert.Equal(HttpStatusCode.NotFound, echo.StatusCode);
        Assert.Equal("application/problem+json", echo.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.NotFound, (await client.PostAsJsonAsync("/EverySecond", new { Data = new { timer = new { } }, Metadata = new { } })).StatusCode);
        Assert.Equal(0, standalone.Echo.Calls);
    }

    [Theory]
    [InlineData("10.1.2.3")]
    [InlineData("192.0.2.7")]
    [InlineData(null)]
    public async Task UnderTheHostOnlyALoopbackCallerIsAnswered(string? remote)
    {
        _app.RemoteAddress = remote is null ? null : IPAddress.Parse(remote);
        var response = await _app.CreateClient().PostAsJsonAsync("/EchoQueue", new { Data = new { queueItem = "hello" }, Metadata = new { } }, new JsonSerializerOptions());
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(0, _app.Echo.Calls);
    }
}
