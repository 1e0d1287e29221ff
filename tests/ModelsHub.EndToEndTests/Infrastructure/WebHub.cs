using System.Net.Http.Json;
using System.Text.Json;
using ModelsHub.IntegrationTests.Infrastructure;
using ModelsHub.Testing;

namespace ModelsHub.EndToEndTests.Infrastructure;

/// <summary>How a browser context starts: who is signed in, in which language and theme, how wide.</summary>
public sealed record Visitor(string? User = null, string[]? Roles = null, string Language = "en", ColorScheme Theme = ColorScheme.Light, int Width = 1280, int Height = 900);

/// <summary>
/// One real hub (the built server as a process on a free loopback port, embedded profile, serving the web app
/// from its build output), a fake GitHub it opens pull requests on, a fake Hugging Face Hub it imports from, and one
/// Chromium, shared by a test collection.
/// Every page a test opens records Content-Security-Policy violations and the app's crash banner, and
/// <see cref="AssertHealthyAsync"/> fails on either.
/// </summary>
public class WebHub : IAsyncLifetime
{
    public FakeGitHub GitHub { get; private set; } = null!;

    /// <summary>The Hugging Face Hub imports read from (the repositories the import tests use, a gated one among them).</summary>
    public FakeHuggingFace HuggingFace { get; private set; } = null!;

    public HubProcess Hub { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    private IPlaywright _playwright = null!;

    public Uri Address => Hub.Address;

    private readonly List<IBrowserContext> _open = [];
    private readonly System.Collections.Concurrent.ConcurrentDictionary<IBrowserContext, List<string>> _console = new();

    /// <summary>Where screenshots go: the test results folder beside the test assembly's run, never the repository.</summary>
    public static string OutputDirectory(string kind)
    {
        var directory = Path.Combine(Environment.GetEnvironmentVariable("MODELSHUB_TEST_RESULTS") ?? Path.Combine(AppContext.BaseDirectory, "TestResults"), kind);
        Directory.CreateDirectory(directory);
        return directory;
    }

    /// <summary>
    /// Screenshots every page of contexts the tests left open (a finished test closes its own, so these are
    /// the failed ones' last views), then closes them.
    /// </summary>
    public async Task CaptureLeftoversAsync(string test)
    {
        List<IBrowserContext> open;
        lock (_open) { open = [.. _open]; _open.Clear(); }
        var n = 0;
        foreach (var context in open)
        {
            foreach (var page in context.Pages)
            {
                try
                {
                    await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(OutputDirectory("failures"), $"{test}-{++n}.png"), FullPage = true });
                }
                catch (PlaywrightException)
                {
                }
            }
            if (_console.TryRemove(context, out var lines))
            {
                await File.WriteAllLinesAsync(Path.Combine(OutputDirectory("failures"), $"{test}-{n}.console.txt"), lines);
            }
            await context.CloseAsync();
        }
    }

    /// <summary>Settings on top of the test defaults (a subclass may point GitHub elsewhere).</summary>
    protected virtual IDictionary<string, string> Settings() => new Dictionary<string, string>
    {
        ["GitHub:ApiUrl"] = GitHub.ApiUrl.ToString(),
        ["GitHub:DefaultToken"] = GitHubTesting.DefaultToken,
        ["Workflows:RetryDelay"] = "00:00:00.200",
        ["Workflows:MaxRetryDelay"] = "00:00:01",
        // 1 MiB chunks: a 20 MB file is 20 chunks, so an upload can be interrupted part-way.
        ["Uploads:ChunkSizeBytes"] = "1048576",
        ["HuggingFace:Endpoint"] = HuggingFace.Endpoint.ToString(),
        ["HuggingFace:Timeout"] = "00:00:10",
        // Jobs of the reference trainer are followed closely, so a journey sees their end soon after it.
        ["Training:MonitorInterval"] = "00:00:00.200",
    };

    /// <summary>A fast monitor (every second, one-second points) and launch follow-up, for hubs whose pages show deployments.</summary>
    public static IReadOnlyDictionary<string, string> MonitoringSettings { get; } = new Dictionary<string, string>
    {
        ["Monitoring:Schedule"] = "* * * * * *",
        ["Monitoring:Resolution"] = "00:00:01",
        ["Deployments:FollowInterval"] = "00:00:00.100",
    };

    public async Task InitializeAsync()
    {
        HuggingFace = await FakeHuggingFace.StartAsync();
        HuggingFace.AddRepositories();
        GitHub = await FakeGitHub.StartAsync();
        GitHub.AddToken(GitHubTesting.DefaultToken, GitHubTesting.DefaultLogin);
        var settings = Settings().ToDictionary(p => p.Key.Replace(":", "__", StringComparison.Ordinal), p => p.Value);
        var start = HubProcess.StartAsync(settings);
        (_playwright, Browser) = await Chromium.LaunchAsync();
        Hub = await start;
        await SeedAsync();
    }

    /// <summary>Data every test of the collection may rely on.</summary>
    protected virtual Task SeedAsync() => Task.CompletedTask;

    public Task<HttpClient> ClientForAsync(string user, params string[] roles) => Hub.ClientForAsync(user, roles);

    /// <summary>A fresh browser context (its own storage) for <paramref name="visitor"/>, signed in through the development sign-in when it names a user.</summary>
    public async Task<IBrowserContext> NewContextAsync(Visitor? visitor = null)
    {
        visitor ??= new Visitor();
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = Address.ToString(),
            ColorScheme = visitor.Theme,
            ViewportSize = new ViewportSize { Width = visitor.Width, Height = visitor.Height },
            Locale = visitor.Language switch { "zh-Hans" => "zh-CN", "zh-Hant" => "zh-TW", _ => "en-US" },
        });
        context.SetDefaultTimeout(20_000);
        lock (_open) _open.Add(context);
        var console = new List<string>();
        _console[context] = console;
        context.Console += (_, message) => { if (message.Type is "error" or "warning") lock (console) console.Add($"{message.Type}: {message.Text}"); };
        context.Close += (_, _) => { lock (_open) _open.Remove(context); };
        var token = visitor.User is null ? null : await Hub.TokenAsync(visitor.User, visitor.Roles ?? ["user"]);
        // Before the app's own scripts: the language and token this visitor brings, and a record of CSP violations.
        await context.AddInitScriptAsync($$"""
            (() => {
              window.__cspViolations = [];
              document.addEventListener('securitypolicyviolation', e => window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));
              if (!sessionStorage.getItem('e2e-seeded')) {
                sessionStorage.setItem('e2e-seeded', '1');
                localStorage.setItem('modelshub.language', {{JsonSerializer.Serialize(visitor.Language)}});
                {{(token is null ? "" : $"localStorage.setItem('modelshub.devToken', {JsonSerializer.Serialize(token)});")}}
              }
            })();
            """);
        return context;
    }

    /// <summary>Opens <paramref name="path"/> in a new page of a new context and waits for the app to render its heading.</summary>
    public async Task<IPage> OpenAsync(string path, Visitor? visitor = null)
    {
        var context = await NewContextAsync(visitor);
        var page = await context.NewPageAsync();
        await page.GotoAsync(path);
        await AppReadyAsync(page);
        return page;
    }

    public static async Task AppReadyAsync(IPage page)
    {
        await page.Locator("main h1").First.WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Visible, Timeout = 30_000 });
    }

    /// <summary>No CSP violation and no crash banner on this page so far.</summary>
    public static async Task AssertHealthyAsync(IPage page)
    {
        var violations = await page.EvaluateAsync<string[]>("() => window.__cspViolations || []");
        Assert.True(violations.Length == 0, "Content-Security-Policy violations: " + string.Join("; ", violations));
        Assert.False(await page.Locator("#blazor-error-ui").IsVisibleAsync(), "The app showed its unhandled-error banner.");
        Assert.Equal(0, await page.Locator(".app-error").CountAsync());
    }

    /// <summary>Navigates inside the running app (no reload), as a click on a link would.</summary>
    public static async Task NavigateAsync(IPage page, string path)
    {
        await page.EvaluateAsync("p => Blazor.navigateTo(p)", path);
        await page.WaitForURLAsync("**" + path.Split('?')[0] + "*");
    }

    public virtual async Task DisposeAsync()
    {
        await Browser.CloseAsync();
        _playwright.Dispose();
        await Hub.DisposeAsync();
        await GitHub.DisposeAsync();
        await HuggingFace.DisposeAsync();
    }

    /// <summary>The upstream model files as public models (what the README's first tour does), through the admin API.</summary>
    public async Task ImportUpstreamAsync()
    {
        using var admin = await ClientForAsync("olivia", "admin");
        var files = new Dictionary<string, JsonElement>();
        foreach (var type in new[] { "llm", "embedding", "rerank", "image", "audio", "video" })
        {
            files[type] = JsonDocument.Parse(UpstreamFixtures.ReadText(type)).RootElement;
        }
        (await admin.PostAsJsonAsync("/api/admin/upstream-import", files)).EnsureSuccessStatusCode();
    }
}
