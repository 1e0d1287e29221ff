using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using ModelsHub.Functions.Hosting;
using ModelsHub.IntegrationTests.Infrastructure;

namespace ModelsHub.IntegrationTests.Api;

/// <summary>The API's rate limits: per signed-in user (or per address when anonymous), from configuration, answered 429 with Retry-After.</summary>
public sealed class RateLimitTests : IDisposable
{
    private readonly HubApplication _app = new HubApplication()
        .With("RateLimits:Writes:PermitLimit", "3")
        .With("RateLimits:Writes:Window", "00:10:00")
        .With("RateLimits:Anonymous:PermitLimit", "4")
        .With("RateLimits:Anonymous:Window", "00:10:00");

    public void Dispose() => _app.Dispose();

    private static async Task AssertLimitedAsync(HttpResponseMessage response, string policy)
    {
        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var seconds = int.Parse(response.Headers.GetValues("Retry-After").Single(), CultureInfo.InvariantCulture);
        Assert.InRange(seconds, 1, 600);
        var problem = await response.JsonAsync();
        Assert.Equal(429, problem.GetProperty("status").GetInt32());
        Assert.Equal(policy, problem.GetProperty("policy").GetString());
        Assert.Equal(seconds, problem.GetProperty("retryAfter").GetInt32());
    }

    [Fact]
    public async Task WritesAreLimitedPerUserNotPerToken()
    {
        // Two tokens of the same user share one allowance; another user has their own.
        var first = _app.ClientFor("lena", "user");
        var second = _app.ClientFor("lena", "user", "advanced-viewer");
        for (var i = 0; i < 3; i++)
        {
            await (i % 2 == 0 ? first : second).PostAsJsonAsync("/api/models", Samples.Model($"lena-{i}"), HubApplication.Json).ExpectAsync(HttpStatusCode.Created);
        }
        await AssertLimitedAsync(await second.PostAsJsonAsync("/api/models", Samples.Model("lena-3"), HubApplication.Json), RateLimitPolicies.Writes);
        await first.GetAsync("/api/models/lena-0").ExpectAsync(HttpStatusCode.OK);

        await _app.ClientFor("otto", "user").PostAsJsonAsync("/api/models", Samples.Model("otto-0"), HubApplication.Json).ExpectAsync(HttpStatusCode.Created);
    }

    [Fact]
    public async Task SignInFreeRoutesAreLimitedPerAddress()
    {
        var anonymous = _app.ClientFor(null);
        for (var i = 0; i < 4; i++)
        {
            await anonymous.GetAsync("/api/models/download?model_type=llm").ExpectAsync(HttpStatusCode.OK);
        }
        await AssertLimitedAsync(await anonymous.GetAsync("/api/models?pageSize=5"), RateLimitPolicies.SignInFree);

        // Another address has its own allowance; health probes are never limited.
        _app.RemoteAddress = IPAddress.Parse("192.0.2.44");
        await anonymous.GetAsync("/api/models/download?model_type=llm").ExpectAsync(HttpStatusCode.OK);
        _app.RemoteAddress = IPAddress.Loopback;
        await anonymous.GetAsync("/api/health").ExpectAsync(HttpStatusCode.OK);
        // A signed-in caller of the same route is counted as themselves, not as the address.
        await _app.ClientFor("lena", "user").GetAsync("/api/models?pageSize=5").ExpectAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task BehindAProxyOnTheSameMachineTheForwardedClientAddressIsTheOneCounted()
    {
        var anonymous = _app.ClientFor(null);
        async Task<HttpResponseMessage> FromAsync(string forwardedFor)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, "/api/models/stats");
            request.Headers.TryAddWithoutValidation("X-Forwarded-For", forwardedFor);
            return await anonymous.SendAsync(request);
        }
        for (var i = 0; i < 4; i++)
        {
            await FromAsync("198.51.100.7:50123").ExpectAsync(HttpStatusCode.OK);
        }
        await AssertLimitedAsync(await FromAsync("198.51.100.7:50999"), RateLimitPolicies.SignInFree);
        // A client cannot pick another partition by prepending its own entry: the proxy's (last) entry counts.
        await AssertLimitedAsync(await FromAsync("203.0.113.1, 198.51.100.7"), RateLimitPolicies.SignInFree);
        await FromAsync("198.51.100.8").ExpectAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task TheGatewayHasItsOwnPolicy()
    {
        using var app = new HubApplication().With("RateLimits:Gateway:PermitLimit", "2").With("RateLimits:Gateway:Window", "00:10:00");
        var client = app.ClientFor("gwen", "user");
        for (var i = 0; i < 2; i++)
        {
            var answer = await client.PostAsJsonAsync("/api/v1/chat/completions", new { model = "no-such-model", messages = new[] { new { role = "user", content = "hi" } } });
            Assert.NotEqual(HttpStatusCode.TooManyRequests, answer.StatusCode);
        }
        await AssertLimitedAsync(await client.PostAsJsonAsync("/api/v1/chat/completions", new { model = "no-such-model", messages = Array.Empty<object>() }), RateLimitPolicies.Gateway);
        // Other writes are counted apart.
        await client.PostAsJsonAsync("/api/models", Samples.Model("gwen-0"), HubApplication.Json).ExpectAsync(HttpStatusCode.Created);
    }

    [Theory]
    [InlineData("RateLimits:Writes:PermitLimit", "0")]
    [InlineData("RateLimits:Anonymous:Window", "00:00:00")]
    [InlineData("RateLimits:Gateway:PermitLimit", "-1")]
    [InlineData("RateLimits:Writes:Window", "400.00:00:00")]
    public void AWrongLimitFailsAtStartNamingIt(string key, string value)
    {
        using var app = new HubApplication().With(key, value);
        var error = Assert.ThrowsAny<Exception>(() => app.CreateClient());
        Assert.Contains(key, HostingTests.Flatten(error));
    }
}
