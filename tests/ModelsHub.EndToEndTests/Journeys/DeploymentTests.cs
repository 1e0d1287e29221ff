using ModelsHub.EndToEndTests.Infrastructure;
using ModelsHub.IntegrationTests.Infrastructure;
using ModelsHub.Testing.Xinference;

namespace ModelsHub.EndToEndTests.Journeys;

[Collection(JourneysCollection.Name)]
public sealed class DeploymentTests(JourneyHub journeys) : JourneyTest(journeys)
{
    [Fact]
    public async Task AnOperatorRegistersAServerDeploysAModelWatchesItsMonitoringFillThenStopsAndStartsIt()
    {
        await using var xinference = await FakeXinference.StartAsync();
        var cluster = xinference.AddCluster("e2e-gpu", workers: 1, gpusPerWorker: 2);
        using (var admin = await Hub.ClientForAsync("ada", "admin"))
        {
            // A hub model the server does not have: the deployment registers it there first.
            await DeploymentTesting.CreateModelAsync(admin, DeploymentTesting.ChatModel("e2e-chat", "public"));
        }
        var page = await Hub.OpenAsync("/servers", new Visitor("olga", ["operator"]));

        // The server, registered through the page (verified by the hub), with its nodes.
        await Ui.FillAsync(page, "[data-testid=server-name]", "e2e-gpu");
        await Ui.FillAsync(page, "[data-testid=server-url]", "http://127.0.0.1:9/");
        await page.Locator("[data-testid=server-register]").ClickAsync();
        await page.Locator("#server-url-errors .field-error").WaitForAsync();
        await Ui.FillAsync(page, "[data-testid=server-url]", cluster.BaseUrl.ToString());
        await page.Locator("[data-testid=server-register]").ClickAsync();
        var card = page.Locator("[data-testid=server-card][data-server=e2e-gpu]");
        await card.WaitForAsync();
        Assert.Equal(2, await card.Locator("[data-testid=server-node]").CountAsync());

        // Deploy from the server's page: the model named, its spec's formats offered.
        await card.Locator("a.server-link").ClickAsync();
        await page.Locator("[data-testid=server-deploy]").ClickAsync();
        await page.WaitForURLAsync("**/deployments/new?server=e2e-gpu");
        await Ui.FillAsync(page, "[data-testid=deploy-model]", "e2e-chat");
        await page.Locator("[data-testid=deploy-format] fluent-option", new PageLocatorOptions { HasTextString = "ggufv2" }).WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Attached });
        await Ui.ChooseAsync(page, "[data-testid=deploy-format]", "ggufv2");
        await Ui.ChooseAsync(page, "[data-testid=deploy-quantization]", "Q8_0");
        await Ui.FillAsync(page, "[data-testid=deploy-env]", "TOKENIZERS_PARALLELISM=false");
        await page.Locator("[data-testid=deploy-submit]").ClickAsync();
        await page.WaitForURLAsync("**/deployments/e2e-chat-*");
        var id = page.Url[(page.Url.LastIndexOf('/') + 1)..];

        // The launch followed to running; the server got the registration and the launch as chosen.
        await page.Locator("[data-testid=deployment-state][data-state=running]").WaitForAsync(new LocatorWaitForOptions { Timeout = 60_000 });
        Assert.Contains("e2e-chat", cluster.Custom("LLM").Keys);
        var launch = cluster.Launches.Last();
        Assert.Equal("Q8_0", launch["quantization"]!.GetValue<string>());
        Assert.Contains("registering", await page.Locator("[data-testid=deployment-timeline]").InnerTextAsync(), StringComparison.OrdinalIgnoreCase);

        // A test call, then the monitoring fills: the call in the usage bars, the server's series as lines.
        await Ui.FillAsync(page, "[data-testid=deployment-prompt]", "ping");
        await page.Locator("[data-testid=deployment-run]").ClickAsync();
        Assert.Contains("heard: ping", await page.Locator("[data-testid=deployment-output]").InnerTextAsync());
        await Ui.EventuallyAsync(async () => (await page.Locator("[data-testid=deployment-calls]").InnerTextAsync()).Trim() == "1", "the test call in the monitoring", 60_000);
        await page.Locator("[data-testid=deployment-monitoring] [data-testid=usage-chart] svg rect").First.WaitForAsync();
        var chart = page.Locator("[data-testid=deployment-monitoring] [data-testid=metric-chart]");
        await Ui.EventuallyAsync(async () => int.Parse(await chart.GetAttributeAsync("data-points") ?? "0") >= 2, "two points of the server's series", 90_000);
        await chart.Locator("polyline").First.WaitForAsync();

        // Stopped and started again, from the list.
        await page.Locator("[data-testid=deployment-stop]").ClickAsync();
        await page.Locator("[data-testid=deployment-state][data-state=stopped]").WaitForAsync(new LocatorWaitForOptions { Timeout = 30_000 });
        Assert.DoesNotContain(id, cluster.Running);
        await WebHub.NavigateAsync(page, "/deployments");
        var row = page.Locator($"[data-testid=deployments-grid] [role=row]", new PageLocatorOptions { Has = page.Locator($"[data-id='{id}']") });
        await row.Locator("[data-testid=deployment-start]").ClickAsync();
        await row.Locator("[data-testid=deployment-state][data-state=running]").WaitForAsync(new LocatorWaitForOptions { Timeout = 60_000 });
        Assert.Contains(id, cluster.Running);
        await WebHub.AssertHealthyAsync(page);
        await page.Context.CloseAsync();
    }
}
