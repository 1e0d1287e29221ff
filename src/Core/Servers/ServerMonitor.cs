using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModelsHub.Contracts.Deployments;
using ModelsHub.Core.Deployments;

namespace ModelsHub.Core.Servers;

/// <summary>What one monitoring round did: servers polled and answering, and the documents it wrote.</summary>
public sealed record MonitorRound(DateTimeOffset At, int Servers, int Reachable, int SamplesWritten, int ServerWrites, int DeploymentWrites,
    int DeploymentsSettled, int Trimmed, double DurationMs);

/// <summary>
/// One round of the <c>ServerMonitor</c> timer: every server's <c>/v1/cluster/info?detailed=true</c>
/// (and <c>/v1/models</c> where deployments should be running) is read at once, and the round writes
/// one sample per server (a server that does not answer gets an unreachable sample: its series
/// keeps going, with the gap). A server's document is written only when its reachability flips;
/// a deployment's only when its state changes: <c>running</c> ↔ <c>unreachable</c> with its server,
/// <c>failed</c> when the server answers without the model. Deployments whose workflow failed or never
/// started are settled. Samples older than the retention are trimmed each hour.
/// </summary>
public sealed partial class ServerMonitor(IInferenceServerStore serverStore, InferenceServers servers, IDeploymentStore deploymentStore,
    DeploymentService deployments, IMetricSeriesStore metrics, IXinferenceClient client, IOptions<MonitoringOptions> options, TimeProvider clock,
    ILogger<ServerMonitor> logger)
{
    private static readonly DeploymentState[] Watched = [DeploymentState.Running, DeploymentState.Unreachable];
    private static readonly DeploymentState[] Unsettled = [DeploymentState.Pending, DeploymentState.Registering, DeploymentState.Launching, DeploymentState.Stopping];
    private long _lastTrimHour = -1;

    private sealed record Poll(InferenceServer Server, ServerSample Sample, IReadOnlyList<XinferenceRunningModel>? Running, string? Error);

    public async Task<MonitorRound> RunAsync(CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var settings = options.Value;
        var now = clock.GetUtcNow();
        var at = servers.Floor(now);
        var all = await serverStore.ListAsync(cancellationToken);
        var watched = (await deploymentStore.ListInStatesAsync(Watched, null, cancellationToken))
            .GroupBy(d => InferenceServer.IdFor(d.Server)).ToDictionary(g => g.Key, g => g.ToList());

        var polls = new ConcurrentBag<Poll>();
        await Parallel.ForEachAsync(all, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, settings.Concurrency), CancellationToken = cancellationToken },
            async (server, ct) => polls.Add(await PollAsync(server, at, watched.ContainsKey(server.Id), ct)));

        var ordered = polls.OrderBy(p => p.Server.Id, StringComparer.Ordinal).ToList();
        // A server going unreachable was last seen at its newest sample, which this round's is about to replace as the newest.
        var lastSeen = new Dictionary<string, DateTimeOffset?>(StringComparer.Ordinal);
        foreach (var poll in ordered.Where(p => !p.Sample.Reachable && p.Server.Reachable))
        {
            lastSeen[poll.Server.Id] = (await metrics.LatestAsync(poll.Server.Series, cancellationToken))?.At;
        }
        await metrics.AppendAsync(ordered.Select(p => MetricSample.Of(p.Server.Series, p.Sample)).ToList(),
            settings.Retention, cancellationToken);

        var serverWrites = 0;
        var deploymentWrites = 0;
        foreach (var poll in ordered)
        {
            if (poll.Sample.Reachable != poll.Server.Reachable)
            {
                serverWrites += await RecordReachabilityAsync(poll, lastSeen.GetValueOrDefault(poll.Server.Id), now, cancellationToken);
            }
            if (watched.TryGetValue(poll.Server.Id, out var onServer))
            {
                foreach (var deployment in onServer)
                {
                    deploymentWrites += await RecordDeploymentAsync(deployment, poll, now, cancellationToken);
                }
            }
        }

        var settled = 0;
        foreach (var deployment in await deploymentStore.ListInStatesAsync(Unsettled, null, cancellationToken))
        {
            var after = await deployments.SettleAsync(deployment, cancellationToken);
            if (after.State != deployment.State) settled++;
        }

        var trimmed = 0;
        var hour = at.ToUnixTimeSeconds() / 3600;
        if (Interlocked.Exchange(ref _lastTrimHour, hour) != hour)
        {
            trimmed = await metrics.TrimAsync(now - settings.Retention, cancellationToken);
        }
        var round = new MonitorRound(at, ordered.Count, ordered.Count(p => p.Sample.Reachable), ordered.Count, serverWrites, deploymentWrites, settled, trimmed,
            Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        LogRound(logger, round.Servers, round.Reachable, round.SamplesWritten, round.ServerWrites, round.DeploymentWrites, round.DurationMs);
        return round;
    }

    private async Task<Poll> PollAsync(InferenceServer server, DateTimeOffset at, bool listModels, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.PollTimeout);
        try
        {
            var endpoint = servers.EndpointOf(server);
            var nodes = await client.GetClusterInfoAsync(endpoint, timeout.Token);
            var running = listModels ? await client.ListRunningAsync(endpoint, timeout.Token) : null;
            return new Poll(server, new ServerSample(at, true, nodes), running, null);
        }
        catch (XinferenceException ex)
        {
            return new Poll(server, new ServerSample(at, false, []), null, ex.Reason);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new Poll(server, new ServerSample(at, false, []), null, $"No answer within {options.Value.PollTimeout.TotalSeconds:0} s.");
        }
    }

    private async Task<int> RecordReachabilityAsync(Poll poll, DateTimeOffset? lastSeen, DateTimeOffset now, CancellationToken cancellationToken)
    {
        XinferenceVersion? version = null;
        if (poll.Sample.Reachable)
        {
            try
            {
                // It may have come back upgraded.
                version = await client.GetVersionAsync(servers.EndpointOf(poll.Server), cancellationToken);
            }
            catch (XinferenceException)
            {
            }
        }
        var written = 0;
        await servers.RecordAsync(poll.Server.Name, s =>
        {
            if (s.Reachable == poll.Sample.Reachable) return false;
            s.Reachable = poll.Sample.Reachable;
            if (poll.Sample.Reachable)
            {
                s.UnreachableSince = null;
                s.LastError = null;
                s.LastSeenAt = poll.Sample.At;
                s.Nodes = [.. poll.Sample.Nodes];
                if (version is not null)
                {
                    s.Version = version.Version;
                    s.Revision = version.Revision;
                }
                LogBack(logger, s.Name);
            }
            else
            {
                s.UnreachableSince = now;
                s.LastError = poll.Error;
                s.LastSeenAt = lastSeen ?? s.LastSeenAt;
                LogUnreachable(logger, s.Name, poll.Error ?? "no answer");
            }
            written = 1;
            return true;
        }, cancellationToken);
        return written;
    }

    private async Task<int> RecordDeploymentAsync(Deployment deployment, Poll poll, DateTimeOffset now, CancellationToken cancellationToken)
    {
        DeploymentState next;
        string? detail;
        if (!poll.Sample.Reachable)
        {
            (next, detail) = (DeploymentState.Unreachable, $"Server '{poll.Server.Name}' does not answer: {poll.Error}");
        }
        else if (poll.Running?.Any(m => m.ModelUid == deployment.ModelUid) == true)
        {
            (next, detail) = (DeploymentState.Running, deployment.State == DeploymentState.Unreachable ? $"Server '{poll.Server.Name}' answers again." : null);
        }
        else
        {
            (next, detail) = (DeploymentState.Failed, $"Model uid '{deployment.ModelUid}' is no longer running on server '{poll.Server.Name}' (it restarted, or the model was stopped there).");
        }
        if (next == deployment.State)
        {
            return 0;
        }
        var written = 0;
        await deployments.RecordAsync(deployment.Id, d =>
        {
            // Only what the monitor owns: a start or stop begun meanwhile is the workflow's.
            if (d.Generation != deployment.Generation || d.State is not (DeploymentState.Running or DeploymentState.Unreachable) || d.State == next) return false;
            if (next == DeploymentState.Failed) d.Error = detail;
            d.Enter(next, now, detail);
            written = 1;
            return true;
        }, cancellationToken);
        return written;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Monitor round: {Servers} servers, {Reachable} reachable; wrote {Samples} samples, {ServerWrites} servers, {DeploymentWrites} deployments in {DurationMs} ms")]
    private static partial void LogRound(ILogger logger, int servers, int reachable, int samples, int serverWrites, int deploymentWrites, double durationMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Inference server {Server} is unreachable: {Reason}")]
    private static partial void LogUnreachable(ILogger logger, string server, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Inference server {Server} answers again")]
    private static partial void LogBack(ILogger logger, string server);
}
