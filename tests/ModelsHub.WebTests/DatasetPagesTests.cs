using System.Net;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using ModelsHub.Web.Components.Pages.Datasets;
using ModelsHub.Web.Components.Pages.Uploads;
using ModelsHub.Web.Services.Auth;

namespace ModelsHub.WebTests;

public sealed class DatasetPagesTests : WebTestContext
{
    private NavigationManager Navigation => Services.GetRequiredService<NavigationManager>();

    private static string Dataset(string name, string status = "ready", string owner = "carol") => $$"""
        {"name":"{{name}}","description":"Chats","format":"jsonl-chat","visibility":"private","tags":["zh"],"owner":"{{owner}}","status":"{{status}}",
         "defaultVersion":"v1","defaultVersionPinned":false,"recordCount":12000,"sizeBytes":4096000,"tokenEstimate":1500000,"versionCount":2,
         "createdAt":"2026-01-01T00:00:00Z","updatedAt":"2026-01-02T00:00:00Z","etag":"\"d1\""}
        """;

    private static string Version(string label, string status, string? validation) => $$"""
        {"model":null,"dataset":"chats","label":"{{label}}","notes":"","status":"{{status}}","failureReason":null,"isDefault":false,
         "files":[{"name":"chats.jsonl","size":4096000,"sha256":"{{new string('a', 64)}}","contentType":"application/jsonl","uploadedAt":"2026-01-01T00:00:00Z","downloadUrl":"/x","uploadedBy":"carol"}],
         "totalSize":4096000,"metrics":{},"createdBy":"carol","createdAt":"2026-01-01T00:00:00Z","updatedAt":"2026-01-01T00:00:00Z","readyAt":null,"etag":"\"v\"",
         "upload":null,"validation":{{validation ?? "null"}}}
        """;

    private const string Valid = """
        {"format":"jsonl-chat","file":"chats.jsonl","sha256":"a","recordCount":12000,"sizeBytes":4096000,"columns":null,"roles":{"user":12000,"assistant":12000},
         "tokenEstimate":1500000,"tokens":{"encoding":"o200k_base","tokens":1500000,"exact":true,"sampledRecords":12000},"archive":null,"errors":[],"errorCount":0,
         "startedAt":"2026-01-01T00:00:00Z","finishedAt":"2026-01-01T00:01:00Z"}
        """;

    private const string Invalid = """
        {"format":"jsonl-chat","file":"chats.jsonl","sha256":"a","recordCount":10,"sizeBytes":900,"columns":null,"roles":null,"tokenEstimate":null,"tokens":null,"archive":null,
         "errors":[{"line":3,"message":"Not JSON: unexpected end of the line."},{"line":7,"message":"messages[1].role must be system, user or assistant."}],"errorCount":41,
         "startedAt":"2026-01-01T00:00:00Z","finishedAt":"2026-01-01T00:01:00Z"}
        """;

    [Fact]
    public void AVersionsValidationShowsItsFiguresAndItsFirstErrorsWithTheirLines()
    {
        SignIn("carol");
        Hub.On(HttpMethod.Get, "/api/datasets/chats", HttpStatusCode.OK, Dataset("chats"));
        Hub.On(HttpMethod.Get, "/api/datasets/chats/versions", HttpStatusCode.OK,
            $$"""{"items":[{{Version("v1", "ready", Valid)}},{{Version("v2", "invalid", Invalid)}}],"defaultVersion":"v1","defaultVersionPinned":false,"suggestedLabel":"v3"}""");

        var cut = Render<DatasetPage>(p => p.Add(x => x.Name, "chats"));

        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("[data-testid=dataset-version]").Count));
        var ready = cut.Find("[data-testid=dataset-version][data-label=v1]");
        Assert.Contains("12,000", ready.QuerySelector("[data-testid=validation-records]")!.TextContent);
        Assert.Contains("user 12,000", ready.QuerySelector("[data-testid=validation-roles]")!.TextContent);
        Assert.Contains("1,500,000", ready.QuerySelector("[data-testid=validation-tokens]")!.TextContent);
        var invalid = cut.Find("[data-testid=dataset-version][data-label=v2]");
        var rows = invalid.QuerySelectorAll("[data-testid=validation-errors] tbody tr");
        Assert.Equal(["3", "7"], rows.Select(r => r.QuerySelector("td")!.TextContent.Trim()));
        Assert.Contains("Not JSON", rows[0].TextContent);
        Assert.Contains("41 errors", invalid.TextContent);
        Assert.Contains("39 more", invalid.TextContent);
        Assert.Contains("Invalid", invalid.QuerySelector("[data-testid=version-status]")!.TextContent);
    }

    [Fact]
    public void AValidatingVersionIsLookedAtAgainUntilItsResultArrives()
    {
        SignIn("carol");
        var calls = 0;
        Hub.On(HttpMethod.Get, "/api/datasets/chats", HttpStatusCode.OK, Dataset("chats", "validating"));
        Hub.On(HttpMethod.Get, "/api/datasets/chats/versions", _ => FakeHub.Json(HttpStatusCode.OK, Interlocked.Increment(ref calls) == 1
            ? $$"""{"items":[{{Version("v1", "validating", null)}}],"defaultVersion":null,"defaultVersionPinned":false,"suggestedLabel":"v2"}"""
            : $$"""{"items":[{{Version("v1", "ready", Valid)}}],"defaultVersion":"v1","defaultVersionPinned":false,"suggestedLabel":"v2"}"""));

        var cut = Render<DatasetPage>(p => p.Add(x => x.Name, "chats"));

        cut.WaitForAssertion(() => Assert.Contains("Validating the file", cut.Markup));
        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll("[data-testid=validation-records]")), TimeSpan.FromSeconds(5));
        Assert.DoesNotContain("Validating the file", cut.Markup);
    }

    [Fact]
    public void TheListAsksForReadyDatasetsAndShowsTheirFigures()
    {
        SignIn("carol", Permissions.ManageDatasets);
        Hub.On(HttpMethod.Get, "/api/datasets", HttpStatusCode.OK, $$"""{"items":[{{Dataset("chats")}}],"continuationToken":null}""");
        Navigation.NavigateTo("datasets?status=ready");

        var cut = Render<DatasetsPage>();

        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("a.dataset-link")));
        Assert.Contains(Hub.Requests, r => r.PathAndQuery.StartsWith("/api/datasets?", StringComparison.Ordinal) && r.PathAndQuery.Contains("status=ready"));
        Assert.Contains("12,000", cut.Find("[data-testid=dataset-grid]").TextContent);
        Assert.Contains("3.9 MB", cut.Find("[data-testid=dataset-grid]").TextContent);
        Assert.NotNull(cut.Find("[data-testid=dataset-new]"));
    }

    [Fact]
    public void ANewDatasetIsCreatedAndItsFirstUploadOpened()
    {
        SignIn("carol", Permissions.ManageDatasets);
        Hub.On(HttpMethod.Post, "/api/datasets", HttpStatusCode.Created, Dataset("chats", "empty"));
        var cut = Render<NewDatasetPage>();
        cut.Find("[data-testid=dataset-name]").Change("chats");

        cut.Find("form").Submit();

        cut.WaitForAssertion(() => Assert.EndsWith("/datasets/chats/upload", Navigation.Uri, StringComparison.Ordinal));
        var posted = Hub.Requests.Single(r => r.Method == HttpMethod.Post).Body!;
        Assert.Contains("\"name\":\"chats\"", posted);
        Assert.Contains("\"format\":\"jsonl-chat\"", posted);
        Assert.Contains("\"visibility\":\"private\"", posted);
    }

    [Fact]
    public void TheHubsFieldErrorIsShownAtTheName()
    {
        SignIn("carol", Permissions.ManageDatasets);
        Hub.Problem(HttpMethod.Post, "/api/datasets", HttpStatusCode.Conflict,
            """{"status":409,"title":"Conflict","errors":{"name":["A dataset named 'chats' already exists."]}}""");
        var cut = Render<NewDatasetPage>();
        cut.Find("[data-testid=dataset-name]").Change("chats");

        cut.Find("form").Submit();

        cut.WaitForAssertion(() => Assert.Contains("already exists", cut.Find("#dataset-name-errors").TextContent));
    }

    [Fact]
    public void TheUploadPageOpensADatasetsVersionUnderTheDataset()
    {
        SignIn("carol", Permissions.ManageDatasets);
        Hub.On(HttpMethod.Get, "/api/datasets/chats/versions", HttpStatusCode.OK, """{"items":[],"defaultVersion":null,"defaultVersionPinned":false,"suggestedLabel":"v1"}""");
        Hub.On(HttpMethod.Get, "/api/datasets/chats/uploads", HttpStatusCode.OK, """{"items":[]}""");
        Navigation.NavigateTo("datasets/chats/upload");

        var cut = Render<UploadPage>(p => p.Add(x => x.Name, "chats"));

        cut.WaitForAssertion(() => Assert.Contains(Hub.Requests, r => r.PathAndQuery == "/api/datasets/chats/uploads"));
        cut.WaitForAssertion(() => Assert.Contains(".jsonl, .csv, .parquet", cut.Markup));
        Assert.Contains(Hub.Requests, r => r.PathAndQuery == "/api/datasets/chats/versions");
        Assert.DoesNotContain(Hub.Requests, r => r.PathAndQuery.StartsWith("/api/models", StringComparison.Ordinal));
        Assert.Contains("datasets/chats", cut.Find("fluent-anchor[href='datasets/chats']").GetAttribute("href"));
    }
}
