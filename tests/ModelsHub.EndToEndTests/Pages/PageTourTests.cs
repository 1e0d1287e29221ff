using Deque.AxeCore.Playwright;
using ModelsHub.EndToEndTests.Infrastructure;

namespace ModelsHub.EndToEndTests.Pages;

/// <summary>
/// Every page, as the person who would see it: in both themes and the three languages (a screenshot of each in the
/// test results), checked by axe-core in both themes (no serious or critical violation), with no CSP violation,
/// and at 360 px wide without the page scrolling sideways.
/// </summary>
[Collection(PagesCollection.Name)]
public sealed class PageTourTests(TourHub hub)
{
    private sealed record Stop(string Name, string Path, string? Ready = null);

    private sealed record Tour(string? User, string[] Roles, Stop[] Stops);

    private Tour[] Tours() =>
    [
        new(null, [],
        [
            new("models", "/", ".stat-card"),
            new("model-readme", "/models/whisper-tiny", ".markdown"),
            new("sign-in", "/sign-in", "[data-testid=signin-user]"),
            new("not-found", "/no-such-page"),
        ]),
        new("carol", ["user"],
        [
            new("model-versions", "/models/tour-llama?tab=versions", "[data-testid=versions-grid]"),
            new("model-settings", "/models/tour-llama?tab=settings", "[data-testid=settings-save]"),
            new("model-review-status", "/models/tour-pending?tab=review", "[data-testid=review-status]"),
            new("model-history", "/models/tour-pending?tab=history", "[data-testid=history]"),
            new("register", "/register", "[data-testid=spec-editor]"),
            new("my-models", "/my-models", "a.model-link"),
            new("upload", "/models/tour-llama/upload", "[data-testid=upload-zone]"),
            new("user-center", "/me", "[data-testid=access-tokens]"),
        ]),
        new("tina", ["trainer"],
        [
            new("datasets", "/datasets", "a.dataset-link"),
            new("dataset", "/datasets/tour-chats", "[data-testid=validation-errors]"),
            new("dataset-new", "/datasets/new", "[data-testid=dataset-name]"),
            new("dataset-upload", "/datasets/tour-chats/upload", "[data-testid=upload-zone]"),
        ]),
        new("olga", ["operator"],
        [
            new("servers", "/servers", "[data-testid=server-node]"),
            new("server", "/servers/tour-gpu", "[data-testid=metric-chart]"),
            new("deployments", "/deployments", "a.deployment-link"),
            new("deployment", $"/deployments/{hub.Deployment}", "[data-testid=metric-chart]"),
            new("deploy", "/deployments/new?model=tour-chat&server=tour-gpu", "[data-testid=deploy-form]"),
        ]),
        new("rita", ["reviewer"],
        [
            new("review-queue", "/reviews", "[data-testid=review-queue] a"),
            new("review-decision", $"/reviews/{hub.PendingSubmission}", "[data-testid=review-feedback]"),
        ]),
        new("tess", ["trainer"],
        [
            new("training-jobs", "/training", "a.job-link"),
            new("training-start", "/training/new?model=tour-news&version=v1", "[data-testid=training-dataset]"),
            new("training-job", $"/training/{hub.TrainingJob}", "polyline[data-metric=loss]"),
            new("model-lineage", "/models/tour-news?tab=versions", "[data-testid=lineage]"),
            new("compare-versions", "/models/tour-news/compare?a=v1&b=v2", "[data-testid=compare-metrics]"),
        ]),
        new("mia", ["user"],
        [
            new("hf-import", "/ai-models/import", "[data-testid=hf-form]"),
            new("import", $"/imports/{hub.Import}", "[data-testid=import-files]"),
        ]),
        new("ada", ["admin"],
        [
            new("admin-users", "/admin/users", "[data-testid=users-grid] a"),
            new("admin-user-permissions", "/admin/users/carol", "fluent-switch[data-permission]"),
            new("admin-sync", "/admin/sync", "[data-testid=sync-runs] code"),
            new("admin-workflows", "/admin/workflows", "[data-testid=workflow-retry]"),
            new("ai-models", "/ai-models", "a.ai-link"),
            new("ai-model", "/ai-models/tour-gpt", "[data-testid=usage-chart]"),
            new("ai-model-new", "/ai-models/new", "[data-testid=ai-key]"),
        ]),
    ];

    [Theory]
    [InlineData("light")]
    [InlineData("dark")]
    public async Task EveryPageIsAccessibleAndPhotographedInEveryLanguage(string theme)
    {
        var scheme = theme == "dark" ? ColorScheme.Dark : ColorScheme.Light;
        var failures = new List<string>();
        foreach (var language in new[] { "en", "zh-Hans", "zh-Hant" })
        {
            foreach (var tour in Tours())
            {
                var context = await hub.NewContextAsync(new Visitor(tour.User, tour.Roles, language, scheme));
                var page = await context.NewPageAsync();
                await page.GotoAsync(tour.Stops[0].Path);
                foreach (var stop in tour.Stops)
                {
                    await VisitAsync(page, stop);
                    await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(WebHub.OutputDirectory("screenshots"), $"{stop.Name}.{theme}.{language}.png"), FullPage = true });
                    if (language == "en")
                    {
                        failures.AddRange(await AxeAsync(page, $"{stop.Name} ({theme})"));
                    }
                }
                await WebHub.AssertHealthyAsync(page);
                await context.CloseAsync();
            }
        }
        Assert.True(failures.Count == 0, "axe-core found serious or critical violations:\n" + string.Join("\n", failures));
    }

    [Fact]
    public async Task EveryPageFitsA360PixelScreen()
    {
        var overflowing = new List<string>();
        foreach (var tour in Tours())
        {
            var context = await hub.NewContextAsync(new Visitor(tour.User, tour.Roles, Width: 360, Height: 740));
            var page = await context.NewPageAsync();
            await page.GotoAsync(tour.Stops[0].Path);
            foreach (var stop in tour.Stops)
            {
                await VisitAsync(page, stop);
                var widths = await page.EvaluateAsync<int[]>("() => [document.documentElement.scrollWidth, window.innerWidth]");
                var (scroll, viewport) = (widths[0], widths[1]);
                if (scroll > viewport + 1)
                {
                    overflowing.Add($"{stop.Name}: {scroll} px wide in a {viewport} px window");
                }
                await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(WebHub.OutputDirectory("screenshots"), $"{stop.Name}.360px.png"), FullPage = true });
            }
            await WebHub.AssertHealthyAsync(page);
            await context.CloseAsync();
        }
        Assert.True(overflowing.Count == 0, "Pages wider than the screen:\n" + string.Join("\n", overflowing));
    }

    private static async Task VisitAsync(IPage page, Stop stop)
    {
        if (!page.Url.EndsWith(stop.Path, StringComparison.Ordinal))
        {
            await WebHub.NavigateAsync(page, stop.Path);
        }
        await WebHub.AppReadyAsync(page);
        if (stop.Ready is not null)
        {
            await page.Locator(stop.Ready).First.WaitForAsync(new LocatorWaitForOptions { Timeout = 30_000 });
        }
        // Settled: nothing still loading, and the theme and fonts applied.
        await page.WaitForFunctionAsync("() => !document.querySelector('main fluent-progress-ring')");
        await page.EvaluateAsync("() => document.fonts.ready");
        // and no finite animation under way (a message bar fading in has the contrast of its first frames).
        await page.EvaluateAsync("() => Promise.race([new Promise(r => setTimeout(r, 3000)), Promise.all(document.getAnimations()" +
            ".filter(a => a.effect && a.effect.getComputedTiming().iterations !== Infinity).map(a => a.finished.catch(() => null)))])");
    }

    private static async Task<IEnumerable<string>> AxeAsync(IPage page, string where)
    {
        var result = await page.RunAxe();
        return result.Violations
            .Where(v => v.Impact is "serious" or "critical")
            .Select(v => $"{where}: {v.Id} ({v.Impact}) {v.Help} at {string.Join(", ", v.Nodes.Take(3).Select(n => $"{n.Target} {n.Html}"))}");
    }
}
