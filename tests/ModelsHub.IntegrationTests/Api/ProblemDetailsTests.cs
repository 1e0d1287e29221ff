using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using ModelsHub.IntegrationTests.Infrastructure;

namespace ModelsHub.IntegrationTests.Api;

/// <summary>Every error keeps its status and an RFC 9457 body, whatever the caller's <c>Accept</c> asks for.</summary>
public sealed class ProblemDetailsTests : IDisposable
{
    private readonly HubApplication _app = new();

    public void Dispose() => _app.Dispose();

    public static TheoryData<string> Accepts() => new() { "text/html", "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1", "image/png", "text/plain" };

    private static HttpRequestMessage Request(HttpMethod method, string url, string accept, HttpContent? content = null)
    {
        var request = new HttpRequestMessage(method, url) { Content = content };
        request.Headers.Accept.ParseAdd(accept);
        return request;
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.JsonAsync();
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("title").GetString()));
        Assert.DoesNotContain("/src/", body, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Accepts))]
    public async Task AnErrorIsProblemJsonWhateverAcceptSays(string accept)
    {
        var owner = _app.ClientFor("pia", "user");
        await Uploads.CreateModelAsync(owner, "accepts");

        await AssertProblemAsync(await owner.SendAsync(Request(HttpMethod.Get, "/api/models/nobody-has-this", accept)), HttpStatusCode.NotFound);
        await AssertProblemAsync(await _app.CreateClient().SendAsync(Request(HttpMethod.Get, "/api/users", accept)), HttpStatusCode.Unauthorized);
        await AssertProblemAsync(await owner.SendAsync(Request(HttpMethod.Get, "/api/users", accept)), HttpStatusCode.Forbidden);
        await AssertProblemAsync(await owner.SendAsync(Request(HttpMethod.Patch, "/api/models/accepts", accept, JsonContent.Create(new { description = "x" }))),
            HttpStatusCode.PreconditionRequired);
        var invalid = await owner.SendAsync(Request(HttpMethod.Post, "/api/models", accept, JsonContent.Create(new { name = "bad name!", type = "llm" })));
        await AssertProblemAsync(invalid, HttpStatusCode.BadRequest);
        Assert.True((await invalid.JsonAsync()).GetProperty("errors").TryGetProperty("name", out _));
        await AssertProblemAsync(await owner.SendAsync(Request(HttpMethod.Get, "/api/no-such-route", accept)), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task ABrowserNavigationInDevelopmentGetsProblemJsonNotTheDeveloperPage()
    {
        using var development = _app.WithWebHostBuilder(b => b.UseEnvironment("Development"));
        var client = development.CreateClient();
        client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("text/html"));
        await AssertProblemAsync(await client.GetAsync("/api/models/missing-model"), HttpStatusCode.NotFound);
        await AssertProblemAsync(await client.GetAsync("/api/models?pageSize=0"), HttpStatusCode.BadRequest);
    }
}
