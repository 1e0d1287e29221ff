using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using ModelsHub.Contracts.Workflows;
using ModelsHub.Core.Catalog;
using ModelsHub.Core.PullRequests;
using ModelsHub.Core.Upstream;
using ModelsHub.Core.Workflows;
using ModelsHub.Testing;

namespace ModelsHub.IntegrationTests.Infrastructure;

/// <summary>A hub that records every committed model write, so tests can count what a sync wrote.</summary>
public sealed class RecordingHubApplication : HubApplication
{
    public ModelWrites Writes { get; } = new();

    protected override void ConfigureTestServices(IServiceCollection services) => services.AddSingleton<IModelChangeListener>(Writes);
}

/// <summary>Every model change the hub committed, in order.</summary>
public sealed class ModelWrites : IModelChangeListener
{
    private readonly ConcurrentQueue<ModelChange> _changes = new();

    public IReadOnlyList<ModelChange> All => _changes.ToList();

    public int Count => _changes.Count;

    public Task OnModelChangedAsync(ModelChange change, CancellationToken cancellationToken)
    {
        _changes.Enqueue(change);
        return Task.CompletedTask;
    }
}

/// <summary>Runs the upstream sync through the API and reads what it did.</summary>
public static class SyncTesting
{
    /// <summary>POST /api/sync: the run id, and whether it joined a run under way.</summary>
    public static async Task<(string RunId, bool Joined)> StartSyncAsync(HttpClient admin)
    {
        var response = await admin.PostAsync("/api/sync", null).ExpectAsync(HttpStatusCode.Accepted);
        var body = await response.JsonAsync();
        var runId = body.GetProperty("runId").GetString()!;
        if (response.Headers.Location?.ToString() != $"/api/sync/{runId}")
        {
            throw new Xunit.Sdk.XunitException($"Location is {response.Headers.Location}, not /api/sync/{runId}");
        }
        return (runId, body.GetProperty("joined").GetBoolean());
    }

    /// <summary>The run once it ended (succeeded or failed).</summary>
    public static Task<JsonElement> FinishedRunAsync(HttpClient admin, string runId, TimeSpan? timeout = null) =>
        GitHubTesting.EventuallyAsync<object>(async () =>
        {
            var run = await (await admin.GetAsync($"/api/sync/{runId}").ExpectAsync(HttpStatusCode.OK)).JsonAsync();
            return run.GetProperty("status").GetString() == "running" ? null : run;
        }, $"sync run {runId} to end", timeout ?? TimeSpan.FromSeconds(120)).ContinueWith(t => (JsonElement)t.Result);

    /// <summary>Starts a sync and awaits its end; fails unless it succeeded.</summary>
    public static async Task<JsonElement> SyncAsync(HttpClient admin)
    {
        var (runId, _) = await StartSyncAsync(admin);
        var run = await FinishedRunAsync(admin, runId);
        if (run.GetProperty("status").GetString() != "succeeded")
        {
            throw new Xunit.Sdk.XunitException($"Sync {runId} did not succeed: {run}");
        }
        return run;
    }

    /// <summary>Awaits the end of every running workflow (registrations' pull requests, the sync's own), so later writes are the test's.</summary>
    public static Task WorkflowsSettledAsync(HubApplication app)
    {
        var store = app.Services.GetRequiredService<IWorkflowStore>();
        return GitHubTesting.EventuallyAsync<object>(async () =>
            (await store.CountAsync(CancellationToken.None))[WorkflowStatus.Running] == 0 ? true : null, "every workflow to finish");
    }

    public static int Count(JsonElement run, string name) => run.GetProperty("counts").GetProperty(name).GetInt32();

    /// <summary>Every model the caller sees, by name, with its ETag.</summary>
    public static async Task<Dictionary<string, string>> ModelETagsAsync(HttpClient client, string query = "")
    {
        var etags = new Dictionary<string, string>(StringComparer.Ordinal);
        string? token = null;
        do
        {
            var url = $"/api/models?pageSize=100{query}" + (token is null ? "" : "&continuationToken=" + Uri.EscapeDataString(token));
            var page = await (await client.GetAsync(url).ExpectAsync(HttpStatusCode.OK)).JsonAsync();
            foreach (var item in page.GetProperty("items").EnumerateArray())
            {
                etags[item.GetProperty("name").GetString()!] = item.GetProperty("etag").GetString()!;
            }
            token = page.GetProperty("continuationToken").GetString();
        }
        while (token is not null);
        return etags;
    }

    /// <summary>The download list of a type, grouped by model_name, and its ETag.</summary>
    public static async Task<(Dictionary<string, JsonElement> Models, string ETag)> DownloadAsync(HttpClient client, string type)
    {
        var response = await client.GetAsync($"/api/models/download?model_type={type}").ExpectAsync(HttpStatusCode.OK);
        var list = await response.JsonAsync();
        var models = list.EnumerateArray().GroupBy(e => e.GetProperty("model_name").GetString()!)
            .ToDictionary(g => g.Key, g => JsonSerializer.SerializeToElement(g.ToList()), StringComparer.Ordinal);
        return (models, response.ETagOf());
    }

    public static async Task<Dictionary<string, string>> DownloadETagsAsync(HttpClient client)
    {
        var etags = new Dictionary<string, string>();
        foreach (var type in UpstreamFixtures.Types)
        {
            etags[type] = (await DownloadAsync(client, type)).ETag;
        }
        return etags;
    }

    /// <summary>The upstream file of <paramref name="type"/> on the fake's main branch, grouped by model.</summary>
    public static IReadOnlyList<(string Name, JsonElement Spec)> UpstreamModels(FakeGitHub github, string type)
    {
        using var document = JsonDocument.Parse(github.GetFile(FakeGitHub.UpstreamPaths[type])!);
        return UpstreamCatalog.GroupByModel(document.RootElement.Clone());
    }

    /// <summary>Commits the type's file with <paramref name="name"/>'s entries replaced (none: removed), as a repository maintainer would.</summary>
    public static void SetUpstreamEntries(FakeGitHub github, string type, string name, IReadOnlyList<JsonElement> entries)
    {
        var path = FakeGitHub.UpstreamPaths[type];
        github.SetFile(path, UpstreamFileRenderer.Render(github.GetFile(path)!, name, entries), message: $"Change {name}");
    }
}
