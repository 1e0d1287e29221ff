using System.Net;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.FluentUI.AspNetCore.Components;
using ModelsHub.Web.Components.Pages.Deployments;
using ModelsHub.Web.Services.Auth;

namespace ModelsHub.WebTests;

/// <summary>Servers, deployments and pushes: what the hub reports is what the page shows, failures included.</summary>
public sealed class DeploymentPagesTests : WebTestContext
{
    private NavigationManager Navigation => Services.GetRequiredService<NavigationManager>();

    private const string ChatModel = """
        {"name":"chat","type":"llm","description":"d","readme":"","tags":[],"framework":"pytorch","source":"upload","visibility":"private","tier":"standard",
         "owner":"olga","status":"active","expiresAt":null,"featured":false,"createdAt":"2026-01-01T00:00:00Z","updatedAt":"2026-01-02T00:00:00Z",
         "spec":{"version":2,"model_name":"chat","model_specs":[
           {"model_format":"pytorch","model_size_in_billions":7,"model_src":{"huggingface":{"model_id":"t/chat","quantizations":["none"]}}},
           {"model_format":"ggufv2","model_size_in_billions":7,"model_src":{"huggingface":{"model_id":"t/chat-GGUF","quantizations":["Q4_K_M","Q8_0"]}}}]},
         "etag":"\"e1\"","pullRequest":null,"defaultVersion":"v1","defaultVersionPinned":false,"removedUpstreamAt":null}
        """;

    private static string Server(string name, bool reachable = true) => $$"""
        {"name":"{{name}}","url":"http://10.0.0.5:9997","description":"","hasApiKey":false,"apiKeyLastFour":null,"version":"1.15.0","revision":null,
         "reachable":{{(reachable ? "true" : "false")}},"lastSeenAt":"2026-01-01T00:00:00Z","unreachableSince":null,"lastError":null,"activeDeployments":1,
         "createdBy":"olga","createdAt":"2026-01-01T00:00:00Z","updatedAt":"2026-01-01T00:00:00Z",
         "nodes":[{"nodeType":"worker","address":"10.0.0.6:30001","cpuCount":32,"cpuAvailable":24,"memoryUsed":17179869184,"memoryAvailable":51539607552,
                   "memoryTotal":68719476736,"gpuCount":4,"gpuVramTotal":85899345920,"gpuVramAvailable":64424509440,"gpuUtilization":37.5}]}
        """;

    private static string Deployment(string id, string state, double? progress = null) => $$"""
        {"id":"{{id}}","model":"chat","version":"v1","server":"gpu-a","modelType":"llm","modelUid":"{{id}}","engine":"llama.cpp","format":"ggufv2",
         "sizeInBillions":"7","quantization":"Q4_K_M","replicas":1,"gpus":"auto","parameters":{"max_model_len":4096},"env":{"A":"1"},"inputFormat":null,
         "outputFormat":null,"defaults":{"gpuMemoryUtilization":0.9,"batchSize":null,"cacheDirectory":null,"logLevel":null},"state":"{{state}}",
         "stateChangedAt":"2026-01-01T00:00:00Z","error":null,"progress":{{(progress is { } p ? p.ToString(System.Globalization.CultureInfo.InvariantCulture) : "null")}},
         "stage":null,"registeredByHub":true,"endpoint":"http://10.0.0.5:9997/v1","history":[{"state":"pending","at":"2026-01-01T00:00:00Z","detail":"by olga"}],
         "createdBy":"olga","createdAt":"2026-01-01T00:00:00Z","updatedAt":"2026-01-01T00:00:00Z","workflow":null}
        """;

    private void DeployFormAnswers()
    {
        Hub.On(HttpMethod.Get, "/api/inference-servers", HttpStatusCode.OK, $$"""{"items":[{{Server("gpu-a")}},{{Server("gpu-b")}}]}""");
        Hub.On(HttpMethod.Get, "/api/models/chat", HttpStatusCode.OK, ChatModel);
        Hub.On(HttpMethod.Get, "/api/models/chat/versions", HttpStatusCode.OK,
            """{"items":[{"label":"v1","notes":"","status":"ready","failureReason":null,"isDefault":true,"files":[],"totalSize":0,"metrics":{},"createdBy":"olga","createdAt":"2026-01-01T00:00:00Z","updatedAt":"2026-01-01T00:00:00Z","readyAt":null,"etag":"\"v\""}],"defaultVersion":"v1","defaultVersionPinned":false}""");
    }

    [Fact]
    public void TheDeployFormOffersWhatTheSpecOffersAndSendsTheChoices()
    {
        SignIn("olga", Permissions.ManageDeployments);
        DeployFormAnswers();
        Hub.On(HttpMethod.Post, "/api/deployments", HttpStatusCode.Accepted, Deployment("chat-1", "pending"));
        Navigation.NavigateTo("deployments/new?model=chat&version=v1&server=gpu-a");
        var cut = Render<NewDeploymentPage>();
        cut.WaitForAssertion(() => Assert.Contains("ggufv2", cut.Find("[data-testid=deploy-format]").InnerHtml));
        var selects = cut.FindComponents<FluentSelect<string>>();
        FluentSelect<string> Select(string testId) => selects.Single(s => s.Instance.AdditionalAttributes?["data-testid"]?.ToString() == testId).Instance;
        cut.InvokeAsync(() => Select("deploy-format").ValueChanged.InvokeAsync("ggufv2"));
        cut.WaitForAssertion(() => Assert.Contains("Q8_0", cut.Find("[data-testid=deploy-quantization]").InnerHtml));
        Assert.DoesNotContain(">none<", cut.Find("[data-testid=deploy-quantization]").InnerHtml);
        cut.InvokeAsync(() => Select("deploy-quantization").ValueChanged.InvokeAsync("Q8_0"));
        cut.InvokeAsync(() => Select("deploy-gpu-mode").ValueChanged.InvokeAsync("cpu"));
        cut.Find("[data-testid=deploy-parameters]").Change("""{"max_model_len": 4096}""");
        cut.Find("[data-testid=deploy-env]").Change("TOKENIZERS_PARALLELISM=false\n# a comment\nHF_HOME=/data");

        cut.Find("form").Submit();

        cut.WaitForAssertion(() => Assert.EndsWith("/deployments/chat-1", Navigation.Uri, StringComparison.Ordinal));
        var posted = Hub.Requests.Single(r => r.Method == HttpMethod.Post).Body!;
        Assert.Contains("\"model\":\"chat\"", posted);
        Assert.Contains("\"version\":\"v1\"", posted);
        Assert.Contains("\"server\":\"gpu-a\"", posted);
        Assert.Contains("\"format\":\"ggufv2\"", posted);
        Assert.Contains("\"quantization\":\"Q8_0\"", posted);
        Assert.Contains("\"gpus\":null", posted);
        Assert.Contains("\"parameters\":{\"max_model_len\":4096}", posted);
        Assert.Contains("\"env\":{\"TOKENIZERS_PARALLELISM\":\"false\",\"HF_HOME\":\"/data\"}", posted);
    }

    [Fact]
    public void TheHubsRefusalsAppearAtTheirFieldsAndABadEnvironmentLineIsCaughtBeforeSending()
    {
        SignIn("olga", Permissions.ManageDeployments);
        DeployFormAnswers();
        Hub.Problem(HttpMethod.Post, "/api/deployments", HttpStatusCode.BadRequest,
            """{"status":400,"title":"One or more fields are invalid.","errors":{"quantization":["'Q2' is not a quantization of this spec; it offers: Q4_K_M, Q8_0."],"parameters.model_uid":["Is set by the hub from the deployment's own fields; use those instead."]}}""");
        Navigation.NavigateTo("deployments/new?model=chat&server=gpu-a");
        var cut = Render<NewDeploymentPage>();
        cut.WaitForAssertion(() => Assert.Contains("ggufv2", cut.Find("[data-testid=deploy-format]").InnerHtml));
        cut.Find("[data-testid=deploy-env]").Change("GOOD=1\nthis is not a variable");

        cut.Find("form").Submit();

        Assert.Contains("Line 2 is not NAME=value.", cut.Find("#deploy-env-errors").TextContent);
        Assert.DoesNotContain(Hub.Requests, r => r.Method == HttpMethod.Post);

        cut.Find("[data-testid=deploy-env]").Change("GOOD=1");
        cut.Find("[data-testid=deploy-parameters]").Change("""{"model_uid": "mine"}""");
        cut.Find("form").Submit();

        cut.WaitForAssertion(() => Assert.Contains("not a quantization of this spec", cut.Find("#deploy-quantization-errors").TextContent));
        Assert.Contains("Is set by the hub", cut.Find("#deploy-parameters-errors").TextContent);
        Assert.Contains("model_uid", cut.Find("#deploy-parameters-errors").TextContent);
        Assert.EndsWith("/deployments/new?model=chat&server=gpu-a", Navigation.Uri, StringComparison.Ordinal);
    }

    [Fact]
    public void AServerShowsItsNodesFigures()
    {
        SignIn("olga");
        Hub.On(HttpMethod.Get, "/api/inference-servers", HttpStatusCode.OK, $$"""{"items":[{{Server("gpu-a")}}]}""");
        var cut = Render<ServersPage>();

        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-testid=server-node]")));
        var node = cut.Find("[data-testid=server-node]");
        Assert.Equal("8 of 32 in use", node.QuerySelector("[data-testid=node-cpu]")!.TextContent.Trim());
        Assert.Equal("16 GB / 64 GB", node.QuerySelector("[data-testid=node-memory]")!.TextContent.Trim());
        Assert.Equal("4", node.QuerySelector("[data-testid=node-gpus]")!.TextContent.Trim());
        Assert.Equal("20 GB / 80 GB", node.QuerySelector("[data-testid=node-vram]")!.TextContent.Trim());
        Assert.Contains("37.5 %", node.TextContent);
        // Without servers.manage there is nothing to register or push.
        Assert.Empty(cut.FindAll("[data-testid=push-panel]"));
    }

    [Fact]
    public void APushShowsEachServersResultAndNeverCallsAFailureSuccess()
    {
        SignIn("olga", Permissions.ManageServers);
        Hub.On(HttpMethod.Get, "/api/inference-servers", HttpStatusCode.OK, $$"""{"items":[{{Server("gpu-a")}},{{Server("gpu-b", reachable: false)}}]}""");
        Hub.On(HttpMethod.Post, "/api/inference-servers/push", HttpStatusCode.OK, """
            {"succeeded":false,"servers":[
              {"server":"gpu-a","succeeded":false,"error":null,"types":[{"type":"llm","registered":["chat"],"updated":[],"unchanged":["old"],"builtIn":["qwen3"],
                "failed":[{"model":"broken","reason":"Model family is invalid"}],"error":null}]},
              {"server":"gpu-b","succeeded":false,"error":"Connection refused (10.0.0.7:9997)","types":[]}]}
            """);
        var cut = Render<ServersPage>();
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-testid=push-run]")));

        cut.Find("[data-testid=push-run]").Click();

        cut.WaitForAssertion(() => Assert.Equal("false", cut.Find("[data-testid=push-result]").GetAttribute("data-succeeded")));
        var body = Hub.Requests.Single(r => r.Method == HttpMethod.Post).Body!;
        Assert.Equal("{}", body);
        var a = cut.Find("[data-testid=push-server-result][data-server=gpu-a]");
        Assert.Equal("false", a.GetAttribute("data-succeeded"));
        Assert.Contains("broken: Model family is invalid", a.TextContent.Replace("\n", " ", StringComparison.Ordinal));
        Assert.Contains("chat", a.QuerySelector("tr[data-type=llm]")!.TextContent);
        var b = cut.Find("[data-testid=push-server-result][data-server=gpu-b]");
        Assert.Contains("Connection refused", b.QuerySelector("[data-testid=push-server-error]")!.TextContent);
        Assert.Contains("0 of 2 servers succeeded.", cut.Find("[data-testid=push-result]").TextContent);
    }

    [Fact]
    public void ALaunchingDeploymentShowsItsProgressAndMayBeStopped()
    {
        SignIn("olga", Permissions.ManageDeployments);
        Hub.On(HttpMethod.Get, "/api/deployments/chat-1", HttpStatusCode.OK, Deployment("chat-1", "launching", 0.42));
        Hub.On(HttpMethod.Get, "/api/deployments/chat-1/metrics", HttpStatusCode.OK, """
            {"deployment":"chat-1","from":"2026-01-01T00:00:00Z","to":"2026-01-01T01:00:00Z","stepSeconds":60,"states":[],
             "server":[{"at":"2026-01-01T00:10:00Z","polls":1,"reachable":1,"nodes":[],
                        "totals":{"cpuCount":32,"cpuUsed":8,"memoryUsed":16,"memoryTotal":64,"gpuCount":4,"gpuUtilization":37.5,"gpuVramUsed":20,"gpuVramTotal":80}}],
             "usage":null}
            """);
        Hub.On(HttpMethod.Post, "/api/deployments/chat-1/stop", HttpStatusCode.Accepted, Deployment("chat-1", "stopping"));
        var cut = Render<DeploymentPage>(p => p.Add(x => x.Id, "chat-1"));

        cut.WaitForAssertion(() => Assert.Contains("Launching · 42 %", cut.Find("[data-testid=deployment-state]").TextContent));
        Assert.NotNull(cut.Find("[data-testid=deployment-progress]"));
        var chart = cut.Find("[data-testid=metric-chart]");
        Assert.Equal("1", chart.GetAttribute("data-points"));
        Assert.Contains("CPU: 25 %", chart.TextContent);
        Assert.Contains("VRAM: 25 %", chart.TextContent);

        cut.Find("[data-testid=deployment-stop]").Click();

        cut.WaitForAssertion(() => Assert.Equal("stopping", cut.Find("[data-testid=deployment-state]").GetAttribute("data-state")));
    }
}
