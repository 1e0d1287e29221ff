using System.Net;
using Microsoft.FluentUI.AspNetCore.Components;
using ModelsHub.Web.Components.Pages.Account;
using ModelsHub.Web.Components.Pages.AiModels;
using ModelsHub.Web.Services.Auth;

namespace ModelsHub.WebTests;

/// <summary>The AI-model console and personal access tokens: secrets go to the hub and come back once (a token) or never (a key).</summary>
public sealed class ConsolePagesTests : WebTestContext
{
    private const string Secret = "mhp_0123456789abcdefghijklmnopqrstuvwxyzABCD";

    private static string Token(string id, string name) =>
        $$"""{"id":"{{id}}","name":"{{name}}","scopes":["read","gateway"],"preview":"mhp_0123","createdAt":"2026-01-01T00:00:00Z","expiresAt":null}""";

    [Fact]
    public void ANewTokenIsShownOnceThenOnlyItsBeginningIsListed()
    {
        SignIn("carol");
        var listed = false;
        Hub.On(HttpMethod.Get, "/api/me/tokens", _ => FakeHub.Json(HttpStatusCode.OK, listed ? $$"""{"items":[{{Token("t1", "ci")}}]}""" : """{"items":[]}"""));
        Hub.On(HttpMethod.Post, "/api/me/tokens", _ =>
        {
            listed = true;
            return FakeHub.Json(HttpStatusCode.Created,
                $$"""{"id":"t1","name":"ci","scopes":["read","gateway"],"createdAt":"2026-01-01T00:00:00Z","expiresAt":null,"token":"{{Secret}}"}""");
        });
        var cut = Render<AccessTokensSection>();
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-testid=pat-none]")));
        cut.Find("[data-testid=pat-name]").Change("ci");
        Check(cut, "gateway", true);

        cut.Find("form").Submit();

        cut.WaitForAssertion(() => Assert.Equal(Secret, cut.Find("[data-testid=pat-secret]").TextContent));
        var posted = Hub.Requests.Single(r => r.Method == HttpMethod.Post).Body!;
        Assert.Contains("\"name\":\"ci\"", posted);
        Assert.Contains("\"scopes\":[\"read\",\"gateway\"]", posted);
        Assert.Contains("mhp_0123…", cut.Find("[data-testid=pat-grid]").TextContent);

        cut.Find("[data-testid=pat-done]").Click();

        Assert.DoesNotContain(Secret, cut.Markup);
    }

    [Fact]
    public void ATokenNeedsANameAndAScopeBeforeAnythingIsSent()
    {
        SignIn("carol");
        Hub.On(HttpMethod.Get, "/api/me/tokens", HttpStatusCode.OK, """{"items":[]}""");
        var cut = Render<AccessTokensSection>();
        Check(cut, "read", false);

        cut.Find("form").Submit();

        Assert.Contains("Give the token a name.", cut.Find("#pat-name-errors").TextContent);
        Assert.Contains("Choose at least one scope.", cut.Markup);
        Assert.DoesNotContain(Hub.Requests, r => r.Method == HttpMethod.Post);
    }

    [Fact]
    public void ARefusedKeyIsReportedAtTheKeyAndNotKeptInTheRequestLog()
    {
        SignIn("carol", Permissions.ManageExternalSources);
        Hub.Problem(HttpMethod.Post, "/api/v1/ai-models/", HttpStatusCode.BadRequest,
            """{"status":400,"title":"One or more fields are invalid.","errors":{"api_key":["OpenAI refused the key (401): Incorrect API key provided."]}}""");
        var cut = Render<NewAiModelPage>();
        cut.Find("[data-testid=ai-name]").Change("gpt-4o");
        cut.Find("[data-testid=ai-key]").Change("sk-test-1234");

        cut.Find("form").Submit();

        cut.WaitForAssertion(() => Assert.Contains("refused the key", cut.Find("#ai-key-errors").TextContent));
        var posted = Hub.Requests.Single(r => r.Method == HttpMethod.Post).Body!;
        Assert.Contains("\"source\":\"openai\"", posted);
        Assert.Contains("\"api_key\":\"sk-test-1234\"", posted);
        Assert.Contains("\"type\":\"llm\"", posted);
    }

    [Fact]
    public void AnOpenAiCompatibleServerNeedsItsAddress()
    {
        SignIn("carol", Permissions.ManageExternalSources);
        var cut = Render<NewAiModelPage>();
        cut.Find("[data-testid=ai-name]").Change("local-qwen");
        var provider = cut.FindComponents<FluentSelect<string>>()[0];
        cut.InvokeAsync(() => provider.Instance.ValueChanged.InvokeAsync("openai-compatible"));

        cut.Find("form").Submit();

        cut.WaitForAssertion(() => Assert.Contains("needs its address", cut.Find("#ai-endpoint-errors").TextContent));
        Assert.DoesNotContain(Hub.Requests, r => r.Method == HttpMethod.Post);
    }

    private static void Check(IRenderedComponent<AccessTokensSection> cut, string scope, bool on)
    {
        var box = cut.FindComponents<FluentCheckbox>().Single(c => c.Instance.AdditionalAttributes?["data-scope"]?.ToString() == scope);
        cut.InvokeAsync(() => box.Instance.ValueChanged.InvokeAsync(on));
    }

    private const string ApiModel = """
        {"name":"gpt-4o","type":"llm","description":"","readme":"","tags":[],"framework":"custom","source":"openai","visibility":"private","tier":"standard",
         "owner":"carol","status":"active","expiresAt":null,"featured":false,"createdAt":"2026-01-01T00:00:00Z","updatedAt":"2026-01-02T00:00:00Z","spec":null,
         "etag":"\"e1\"","pullRequest":null,"defaultVersion":null,"defaultVersionPinned":false,"removedUpstreamAt":null,
         "provider":{"kind":"openai","endpoint":"https://api.openai.com/v1","modelId":"gpt-4o","version":"2024-08-06","keyLastFour":"abcd",
                     "keySetAt":"2026-01-01T00:00:00Z","verification":{"at":"2026-01-01T00:00:00Z","ok":true,"error":null,"providerModel":"gpt-4o"}}}
        """;

    private const string Usage = """
        {"model":"gpt-4o","user":null,"from":"2026-01-01T00:00:00Z","to":"2026-01-02T00:00:00Z","granularity":"hour","by":"none",
         "totals":{"calls":12,"successes":9,"successRate":0.75,"errors":{"rate_limited":2,"timeout":1},"tokensIn":300,"tokensOut":900,
                   "latencyMs":{"mean":120,"p50":100,"p95":400,"p99":450},"timeToFirstTokenMs":null},
         "buckets":[{"start":"2026-01-01T10:00:00Z","stats":{"calls":12,"successes":9,"successRate":0.75,"errors":{"rate_limited":2,"timeout":1},"tokensIn":300,"tokensOut":900,
                   "latencyMs":{"mean":120,"p50":100,"p95":400,"p99":450},"timeToFirstTokenMs":null}}],
         "groups":[]}
        """;

    [Fact]
    public void TheConsoleShowsTheKeysLastFourTestsTheModelAndChartsItsUsage()
    {
        SignIn("carol", Permissions.ManageExternalSources);
        Hub.On(HttpMethod.Get, "/api/models/gpt-4o", HttpStatusCode.OK, ApiModel);
        Hub.On(HttpMethod.Get, "/api/models/gpt-4o/usage", HttpStatusCode.OK, Usage);
        Hub.On(HttpMethod.Post, "/api/models/gpt-4o/test", HttpStatusCode.OK,
            """{"model":"gpt-4o","version":"2024-08-06","operation":"chat","output":"I am fine.","finishReason":"stop","tokensIn":7,"tokensOut":4,"latencyMs":321.4,"embedding":null}""");
        var cut = Render<AiModelPage>(p => p.Add(x => x.Name, "gpt-4o"));
        cut.WaitForAssertion(() => Assert.Contains("…abcd", cut.Find("[data-testid=ai-key-shown]").TextContent));
        Assert.Contains("12", cut.Find("[data-testid=ai-usage-calls]").TextContent);
        Assert.Contains("rate_limited: 2", cut.Find("[data-testid=ai-usage-errors]").TextContent);
        Assert.Single(cut.FindAll("[data-testid=usage-chart] svg g"));
        Assert.Contains("12 calls, 3 failed", cut.Find("[data-testid=usage-chart] svg").GetAttribute("aria-label"));

        cut.Find("[data-testid=ai-prompt]").Change("Hello, how are you?");
        cut.FindAll("form")[^1].Submit();

        cut.WaitForAssertion(() => Assert.Equal("I am fine.", cut.Find("[data-testid=ai-output]").TextContent));
        Assert.Contains("7 in · 4 out", cut.Find("[data-testid=ai-tokens]").TextContent);
        Assert.Contains("321 ms", cut.Find("[data-testid=ai-latency]").TextContent);
        var test = Hub.Requests.Single(r => r.PathAndQuery == "/api/models/gpt-4o/test").Body!;
        Assert.Contains("\"input_data\":{\"prompt\":\"Hello, how are you?\"", test);
        Assert.Contains("\"max_tokens\":100", test);
    }

    [Fact]
    public void StopCallsToggleAndShowsTheNewStatus()
    {
        SignIn("carol", Permissions.ManageExternalSources);
        var stopped = false;
        Hub.On(HttpMethod.Get, "/api/models/gpt-4o", _ => FakeHub.Json(HttpStatusCode.OK, stopped ? ApiModel.Replace("\"status\":\"active\"", "\"status\":\"inactive\"") : ApiModel));
        Hub.On(HttpMethod.Get, "/api/models/gpt-4o/usage", HttpStatusCode.OK, Usage);
        Hub.On(HttpMethod.Post, "/api/models/gpt-4o/toggle-status", _ =>
        {
            stopped = true;
            return FakeHub.Json(HttpStatusCode.OK, """{"name":"gpt-4o","status":"inactive","pending":false,"submissionId":null}""");
        });
        var cut = Render<AiModelPage>(p => p.Add(x => x.Name, "gpt-4o"));
        cut.WaitForAssertion(() => Assert.Contains("Stop", cut.Find("[data-testid=ai-toggle]").TextContent));

        cut.Find("[data-testid=ai-toggle]").Click();

        cut.WaitForAssertion(() => Assert.Equal("inactive", cut.Find("[data-testid=ai-status]").GetAttribute("data-status")));
        Assert.Contains("Start", cut.Find("[data-testid=ai-toggle]").TextContent);
    }
}
