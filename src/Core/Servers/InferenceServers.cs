using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModelsHub.Core.Common;
using ModelsHub.Core.Deployments;
using ModelsHub.Core.GitHub;
using ModelsHub.Core.Identity;

namespace ModelsHub.Core.Servers;

/// <summary>A server's fields in a registration or change: absent fields stay as they are; a null (or empty) key removes it.</summary>
public sealed record ServerInput
{
    public Optional<string> Name { get; init; }
    public Optional<string> Url { get; init; }
    public Optional<string?> ApiKey { get; init; }
    public Optional<string?> Description { get; init; }
}

/// <summary>A server with what the API shows beside it: its latest sample and how many deployments it carries.</summary>
public sealed record ServerView(InferenceServer Server, ServerSample? Latest, int ActiveDeployments)
{
    /// <summary>The nodes as last seen: the latest answered sample's, else the document's.</summary>
    public IReadOnlyList<ServerNode> Nodes => Latest is { Reachable: true } s ? s.Nodes : Server.Nodes;

    public DateTimeOffset? LastSeenAt => Latest is { Reachable: true } s ? s.At : Server.LastSeenAt;
}

/// <summary>
/// Registering, reading, changing and deleting inference servers. A server is verified before it is
/// kept (<c>GET /v1/cluster/version</c> and <c>GET /v1/cluster/info?detailed=true</c>, with its key);
/// its key is encrypted with the hub's secret protector and never shown again. Changing servers needs
/// <see cref="Permissions.ManageServers"/>; every signed-in caller may read them (deployers pick one).
/// </summary>
public sealed partial class InferenceServers(IInferenceServerStore store, IDeploymentStore deployments, IMetricSeriesStore metrics,
    IXinferenceClient client, ISecretProtector protector, SeriesCache cache, IOptions<MonitoringOptions> monitoring, TimeProvider clock,
    ILogger<InferenceServers> logger)
{
    public const int MaxNameLength = 63;
    public const int MaxUrlLength = 2048;
    public const int MaxKeyLength = 1024;
    public const int MaxDescriptionLength = 1000;

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]*$")]
    private static partial Regex NamePattern();

    public async Task<ServerView> RegisterAsync(Caller caller, ServerInput input, CancellationToken cancellationToken)
    {
        Demand(caller, "register an inference server");
        var errors = new ValidationErrors();
        var name = input.Name.HasValue ? input.Name.Value : null;
        ValidateName(name, errors);
        var url = input.Url.HasValue ? NormalizeUrl(input.Url.Value, errors) : Required(errors, "url");
        var key = input.ApiKey.HasValue ? NormalizeKey(input.ApiKey.Value, errors) : null;
        var description = input.Description.HasValue ? NormalizeDescription(input.Description.Value, errors) : "";
        errors.ThrowIfAny();
        if (await store.FindAsync(name!, cancellationToken) is not null)
        {
            throw new ConflictException($"An inference server named '{name}' is already registered (names are unique ignoring case).", "name");
        }

        var (version, nodes) = await VerifyAsync(new XinferenceEndpoint(new Uri(url!), key), key is not null, cancellationToken);
        var now = clock.GetUtcNow();
        var server = new InferenceServer
        {
            Id = InferenceServer.IdFor(name!),
            Name = name!,
            Url = url!,
            Description = description ?? "",
            ProtectedApiKey = key is null ? null : protector.Protect(key),
            ApiKeyLastFour = key is null ? null : LastFour(key),
            Version = version.Version,
            Revision = version.Revision,
            Reachable = true,
            LastSeenAt = now,
            Nodes = [.. nodes],
            CreatedBy = caller.UserId!,
            CreatedAt = now,
            UpdatedAt = now,
        };
        server = await store.CreateAsync(server, cancellationToken);
        // The series starts with what the verification saw, so the server has nodes before the first poll.
        var sample = new ServerSample(Floor(now), true, nodes);
        await metrics.AppendAsync([MetricSample.Of(server.Series, sample)], monitoring.Value.Retention, cancellationToken);
        LogRegistered(logger, server.Name, server.Url, version.Version, nodes.Count, caller.UserId!);
        return new ServerView(server, sample, 0);
    }

    public async Task<ServerView> GetAsync(Caller caller, string name, CancellationToken cancellationToken)
    {
        RequireSignIn(caller);
        var server = await store.FindAsync(name, cancellationToken) ?? throw new NotFoundException("Inference server", name);
        return await ViewAsync(server, cancellationToken);
    }

    public async Task<IReadOnlyList<ServerView>> ListAsync(Caller caller, CancellationToken cancellationToken)
    {
        RequireSignIn(caller);
        var servers = await store.ListAsync(cancellationToken);
        var active = (await deployments.ListInStatesAsync(Deployment.Active, null, cancellationToken))
            .GroupBy(d => InferenceServer.IdFor(d.Server)).ToDictionary(g => g.Key, g => g.Count());
        var views = new List<ServerView>(servers.Count);
        foreach (var server in servers)
        {
            var latest = await metrics.LatestAsync(server.Series, cancellationToken);
            views.Add(new ServerView(server, latest is null ? null : ServerSampleCodec.Decode(latest.At, latest.Data), active.GetValueOrDefault(server.Id)));
        }
        return views;
    }

    /// <summary>Changes a server; a new address or key is verified first. <paramref name="ifMatch"/>: the ETag read, or <c>*</c>.</summary>
    public async Task<ServerView> UpdateAsync(Caller caller, string name, ServerInput changes, string? ifMatch, CancellationToken cancellationToken)
    {
        Demand(caller, "change an inference server");
        var current = await store.FindAsync(name, cancellationToken) ?? throw new NotFoundException("Inference server", name);
        ifMatch = ifMatch == "*" ? current.ETag : ifMatch ?? throw new PreconditionRequiredException();
        if (ifMatch != current.ETag)
        {
            // Before the verification calls: a stale change must not reach the server first.
            throw new PreconditionFailedException("Inference server", current.Name);
        }
        var errors = new ValidationErrors();
        if (changes.Name.HasValue && !string.Equals(changes.Name.Value, current.Name, StringComparison.Ordinal))
        {
            errors.Add("name", "A server keeps its name (deployments refer to it); register another server for a new name.");
        }
        var url = changes.Url.HasValue ? NormalizeUrl(changes.Url.Value, errors) : current.Url;
        var keyChanged = changes.ApiKey.HasValue;
        var key = keyChanged ? NormalizeKey(changes.ApiKey.Value, errors) : null;
        var description = changes.Description.HasValue ? NormalizeDescription(changes.Description.Value, errors) : current.Description;
        errors.ThrowIfAny();

        var next = current.Clone();
        next.Description = description ?? "";
        if (url != current.Url || keyChanged)
        {
            // The key in force after the change: the new one, or the kept one for a new address.
            var effectiveKey = keyChanged ? key : current.ProtectedApiKey is null ? null : Reveal(current);
            var (version, nodes) = await VerifyAsync(new XinferenceEndpoint(new Uri(url!), effectiveKey), effectiveKey is not null, cancellationToken);
            var now = clock.GetUtcNow();
            next.Url = url!;
            if (keyChanged)
            {
                next.ProtectedApiKey = key is null ? null : protector.Protect(key);
                next.ApiKeyLastFour = key is null ? null : LastFour(key);
            }
            next.Version = version.Version;
            next.Revision = version.Revision;
            next.Nodes = [.. nodes];
            next.Reachable = true;
            next.UnreachableSince = null;
            next.LastError = null;
            next.LastSeenAt = now;
        }
        next.UpdatedAt = clock.GetUtcNow();
        var saved = await store.ReplaceAsync(next, ifMatch!, cancellationToken);
        LogChanged(logger, saved.Name, caller.UserId!);
        return await ViewAsync(saved, cancellationToken);
    }

    /// <summary>Forgets a server and its series; refused (409) while deployments are on it.</summary>
    public async Task DeleteAsync(Caller caller, string name, string? ifMatch, CancellationToken cancellationToken)
    {
        Demand(caller, "delete an inference server");
        var current = await store.FindAsync(name, cancellationToken) ?? throw new NotFoundException("Inference server", name);
        ifMatch = ifMatch == "*" ? current.ETag : ifMatch ?? throw new PreconditionRequiredException();
        var active = await deployments.ListInStatesAsync(Deployment.Active, current.Name, cancellationToken);
        if (active.Count > 0)
        {
            throw new ConflictException($"Inference server '{current.Name}' carries {active.Count} deployment(s) that are not stopped "
                + $"({string.Join(", ", active.Take(5).Select(d => $"{d.Id}: {Contracts.EnumNames<Contracts.Deployments.DeploymentState>.NameOf(d.State)}"))}); "
                + "stop or delete them first.");
        }
        await store.DeleteAsync(current.Name, ifMatch, cancellationToken);
        await metrics.DeleteSeriesAsync(current.Series, cancellationToken);
        LogDeleted(logger, current.Name, caller.UserId!);
    }

    /// <summary>The server's series as points of the window's width.</summary>
    /// <summary>
    /// A server's series as points (no access check: for callers that checked already). Steps wholly inside the
    /// window that no poll can still write into come from the <see cref="SeriesCache"/> when it has them; the
    /// rest is read from the store in one range and the closed steps among it remembered.
    /// </summary>
    public async Task<IReadOnlyList<ServerMetricStep>> SeriesAsync(InferenceServer server, MetricWindow window, bool perNode, CancellationToken cancellationToken)
    {
        var step = window.Step;
        var settings = monitoring.Value;
        // A round that began in a step may still write into it up to a poll timeout after the step ended.
        var closedBefore = ServerMetrics.StepOf(clock.GetUtcNow() - settings.Resolution - settings.PollTimeout - TimeSpan.FromMinutes(1), step);
        var firstWhole = ServerMetrics.StepOf(window.From + step - TimeSpan.FromTicks(1), step);
        var wholeEnd = ServerMetrics.StepOf(window.To, step);
        var cachedEnd = wholeEnd < closedBefore ? wholeEnd : closedBefore;

        var points = new SortedDictionary<DateTimeOffset, ServerMetricStep>();
        var ranges = new List<(DateTimeOffset From, DateTimeOffset To)>();
        if (window.From < firstWhole) ranges.Add((window.From, firstWhole));
        for (var at = firstWhole; at < cachedEnd; at += step)
        {
            if (!cache.TryGet(server.Series, server.CreatedAt, step, perNode, at, out var point))
            {
                ranges.Add((at, at + step));
            }
            else if (point is not null)
            {
                points[at] = point;
            }
        }
        ranges.Add((cachedEnd > firstWhole ? cachedEnd : firstWhole, window.To));

        // Adjacent ranges are read as one; their inner bounds are step bounds, so no step is split between two reads.
        foreach (var (from, to) in Merge(ranges, window.To))
        {
            var samples = await metrics.ReadAsync(server.Series, from, to, summariesOnly: !perNode, cancellationToken);
            var read = ServerMetrics.Aggregate(samples, window with { From = from, To = to }, perNode).ToDictionary(p => p.At);
            foreach (var (at, point) in read) points[at] = point;
            for (var at = firstWhole > from ? firstWhole : ServerMetrics.StepOf(from + step - TimeSpan.FromTicks(1), step); at + step <= to && at < cachedEnd; at += step)
            {
                cache.Set(server.Series, server.CreatedAt, step, perNode, at, read.GetValueOrDefault(at));
            }
        }
        return points.Values.ToList();
    }

    private static IEnumerable<(DateTimeOffset From, DateTimeOffset To)> Merge(List<(DateTimeOffset From, DateTimeOffset To)> ranges, DateTimeOffset end)
    {
        (DateTimeOffset From, DateTimeOffset To)? open = null;
        foreach (var (from, to) in ranges.Select(r => (r.From, To: r.To < end ? r.To : end)).Where(r => r.From < r.To).OrderBy(r => r.From))
        {
            if (open is { } o && from <= o.To)
            {
                open = (o.From, to > o.To ? to : o.To);
                continue;
            }
            if (open is { } done) yield return done;
            open = (from, to);
        }
        if (open is { } last) yield return last;
    }

    /// <summary>The server as stored, or null (for deployments and the monitor).</summary>
    public Task<InferenceServer?> FindAsync(string name, CancellationToken cancellationToken) => store.FindAsync(name, cancellationToken);

    /// <summary>Where to reach the server, with its key in clear for the call.</summary>
    public XinferenceEndpoint EndpointOf(InferenceServer server) =>
        new(new Uri(server.Url), server.ProtectedApiKey is null ? null : Reveal(server));

    /// <summary>Records on the server what the hub registered there (a push, a deployment), re-reading when another writer came first.</summary>
    public async Task<InferenceServer> RecordAsync(string name, Func<InferenceServer, bool> change, CancellationToken cancellationToken) =>
        await StoredDocumentChanges.ChangeAsync(ct => store.FindAsync(name, ct), store.ReplaceAsync, s =>
        {
            if (!change(s)) return false;
            s.UpdatedAt = clock.GetUtcNow();
            return true;
        }, cancellationToken) ?? throw new NotFoundException("Inference server", name);

    public DateTimeOffset Floor(DateTimeOffset at)
    {
        var resolution = monitoring.Value.Resolution.Ticks;
        return new DateTimeOffset(at.UtcTicks - at.UtcTicks % resolution, TimeSpan.Zero);
    }

    private async Task<ServerView> ViewAsync(InferenceServer server, CancellationToken cancellationToken)
    {
        var latest = await metrics.LatestAsync(server.Series, cancellationToken);
        var active = await deployments.ListInStatesAsync(Deployment.Active, server.Name, cancellationToken);
        return new ServerView(server, latest is null ? null : ServerSampleCodec.Decode(latest.At, latest.Data), active.Count);
    }

    private string Reveal(InferenceServer server) =>
        protector.Unprotect(server.ProtectedApiKey!)
        ?? throw new XinferenceException($"The API key of inference server '{server.Name}' can no longer be decrypted (the hub's key ring changed); "
            + $"set it again with PATCH /api/inference-servers/{server.Name}.", 401, null);

    private async Task<(XinferenceVersion Version, IReadOnlyList<ServerNode> Nodes)> VerifyAsync(XinferenceEndpoint endpoint, bool withKey,
        CancellationToken cancellationToken)
    {
        try
        {
            var version = await client.GetVersionAsync(endpoint, cancellationToken);
            var nodes = await client.GetClusterInfoAsync(endpoint, cancellationToken);
            return (version, nodes);
        }
        catch (XinferenceException ex) when (ex.Status is 401 or 403)
        {
            throw new ValidationException("apiKey", withKey
                ? $"The server refused this key ({ex.Status}: {ex.Reason})."
                : $"The server requires an API key ({ex.Status}: {ex.Reason}); send apiKey.");
        }
        catch (XinferenceException ex) when (ex.Status == 404)
        {
            throw new ValidationException("url", $"{endpoint.BaseUrl} does not answer like a Xinference server (404 on /v1/cluster/version or /v1/cluster/info).");
        }
        catch (XinferenceException ex)
        {
            throw new ValidationException("url", ex.Unreachable
                ? $"{endpoint.BaseUrl} did not answer: {ex.Reason}"
                : $"{endpoint.BaseUrl} could not be verified ({ex.Status}: {ex.Reason}).");
        }
    }

    private static void Demand(Caller caller, string what)
    {
        RequireSignIn(caller);
        if (!caller.Has(Permissions.ManageServers))
        {
            throw new ForbiddenException($"To {what} you need the '{Permissions.ManageServers}' permission.");
        }
    }

    private static void RequireSignIn(Caller caller)
    {
        if (!caller.IsAuthenticated)
        {
            throw new AuthenticationRequiredException("Sign in to see or manage inference servers.");
        }
    }

    private static string? Required(ValidationErrors errors, string field)
    {
        errors.Add(field, "Is required.");
        return null;
    }

    private static void ValidateName(string? name, ValidationErrors errors)
    {
        if (string.IsNullOrEmpty(name))
        {
            errors.Add("name", "Is required.");
        }
        else if (name.Length > MaxNameLength || !NamePattern().IsMatch(name))
        {
            errors.Add("name", $"Must be 1 to {MaxNameLength} letters, digits, '.', '_' or '-', starting with a letter or digit.");
        }
    }

    private static string? NormalizeUrl(string? text, ValidationErrors errors)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return Required(errors, "url");
        }
        if (text.Length > MaxUrlLength
            || !Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            || uri.UserInfo.Length > 0 || uri.Query.Length > 0 || uri.Fragment.Length > 0)
        {
            errors.Add("url", "Must be the server's http(s) address, such as http://xinference.internal:9997 (no credentials, query or fragment).");
            return null;
        }
        return uri.GetLeftPart(UriPartial.Path).TrimEnd('/');
    }

    private static string? NormalizeKey(string? key, ValidationErrors errors)
    {
        if (string.IsNullOrEmpty(key))
        {
            return null;
        }
        if (key.Length > MaxKeyLength || key.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            errors.Add("apiKey", $"Must be 1 to {MaxKeyLength} characters without spaces.");
            return null;
        }
        return key;
    }

    private static string? NormalizeDescription(string? description, ValidationErrors errors)
    {
        if (description is { Length: > MaxDescriptionLength })
        {
            errors.Add("description", $"Must be at most {MaxDescriptionLength} characters.");
        }
        return description ?? "";
    }

    private static string LastFour(string key) => key[^Math.Min(4, key.Length)..];

    [LoggerMessage(Level = LogLevel.Information, Message = "Inference server {Server} registered at {Url} (Xinference {Version}, {Nodes} nodes) by {User}")]
    private static partial void LogRegistered(ILogger logger, string server, string url, string version, int nodes, string user);

    [LoggerMessage(Level = LogLevel.Information, Message = "Inference server {Server} changed by {User}")]
    private static partial void LogChanged(ILogger logger, string server, string user);

    [LoggerMessage(Level = LogLevel.Information, Message = "Inference server {Server} deleted by {User}")]
    private static partial void LogDeleted(ILogger logger, string server, string user);
}
