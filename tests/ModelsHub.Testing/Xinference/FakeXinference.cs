using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ModelsHub.Testing.Xinference;

/// <summary>One request a fake cluster received: method, path with query, body, and the status it answered.</summary>
public sealed record FakeXinferenceRequest(string Cluster, string Method, string Path, string Body, int Status);

/// <summary>
/// Xinference servers on 127.0.0.1, one Kestrel for many clusters: each cluster answers under its own
/// path prefix (<c>{root}/{name}</c>, as a server behind a reverse proxy would). The REST API is the
/// one of xorbitsai/inference (<c>xinference/api/restful_api.py</c>, <c>xinference/api/routers/</c>,
/// <c>xinference/core/supervisor.py</c>) at the commit of the fixtures: cluster version and device
/// info, model registrations (with the supervisor's parse-then-check order and its messages),
/// launches with <c>wait_ready=false</c> that go through downloading and loading to READY or ERROR,
/// instance info, progress, describe, terminate, the running-model list, and the OpenAI-compatible
/// chat completions of a running model (streamed too). Errors are FastAPI's <c>{"detail": ...}</c>.
/// A cluster can require an API key, fail launches of a model with a reason, restart (losing its
/// running models) or go away (connections dropped).
/// </summary>
public sealed class FakeXinference : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, FakeXinferenceCluster> _clusters = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<FakeXinferenceRequest> _requests = new();
    private WebApplication? _app;

    private FakeXinference()
    {
    }

    /// <summary>The server's root; a cluster is at <c>{Root}{name}</c>.</summary>
    public Uri Root { get; private set; } = null!;

    /// <summary>Whether requests are logged (the bench turns it off).</summary>
    public bool RecordRequests { get; set; } = true;

    public IReadOnlyList<FakeXinferenceRequest> Requests => _requests.ToList();

    public static async Task<FakeXinference> StartAsync()
    {
        var fake = new FakeXinference();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.Run(fake.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        fake._app = app;
        fake.Root = new Uri(address.TrimEnd('/') + "/");
        return fake;
    }

    /// <summary>
    /// A new cluster: a supervisor and <paramref name="workers"/> workers with <paramref name="gpusPerWorker"/> GPUs each,
    /// every upstream model of the fixtures built in, and an API key when <paramref name="apiKey"/> is given.
    /// </summary>
    public FakeXinferenceCluster AddCluster(string name, int workers = 1, int gpusPerWorker = 1, string? apiKey = null)
    {
        var cluster = new FakeXinferenceCluster(name, new Uri(Root, name), workers, gpusPerWorker, apiKey);
        if (!_clusters.TryAdd(name, cluster)) throw new InvalidOperationException($"Cluster '{name}' exists.");
        return cluster;
    }

    public FakeXinferenceCluster Cluster(string name) => _clusters[name];

    public int Count(string cluster, string method, string pathStart) =>
        Requests.Count(r => r.Cluster == cluster && r.Method == method && r.Path.StartsWith(pathStart, StringComparison.Ordinal));

    private async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "/";
        var slash = path.IndexOf('/', 1);
        var name = slash < 0 ? path.Trim('/') : path[1..slash];
        if (!_clusters.TryGetValue(name, out var cluster))
        {
            await FakeXinferenceCluster.WriteAsync(context, 404, new JsonObject { ["detail"] = "Not Found" });
            return;
        }
        if (cluster.Down)
        {
            // A server that went away: the connection drops without an answer.
            context.Abort();
            return;
        }
        string body;
        using (var reader = new StreamReader(context.Request.Body, Encoding.UTF8))
        {
            body = await reader.ReadToEndAsync(context.RequestAborted);
        }
        var status = await cluster.HandleAsync(context, slash < 0 ? "/" : path[slash..], body);
        if (RecordRequests)
        {
            _requests.Enqueue(new FakeXinferenceRequest(name, context.Request.Method, (slash < 0 ? "/" : path[slash..]) + context.Request.QueryString, body, status));
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
