using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ModelsHub.Testing;

/// <summary>What the fake kubelet ran for a pod: exactly the pod spec's command (the image's entrypoint when none), arguments and environment.</summary>
public sealed record FakePodProcess(string Pod, string Image, IReadOnlyList<string> Command, IReadOnlyList<string> Arguments, IReadOnlyDictionary<string, string> Environment);

/// <summary>
/// A Kubernetes API server on 127.0.0.1 (plain HTTP), for the real KubernetesClient: <c>batch/v1</c>
/// Jobs (create, get, list and watch by label selector, delete with <c>propagationPolicy</c> in the
/// query or in <c>DeleteOptions</c>), <c>core/v1</c> pods (list by label selector, the container's log
/// with <c>tailLines</c>), Status answers for 404/409/422 as the real server writes them, and
/// <c>resourceVersion</c>s. It plays the kubelet too: a created Job gets one pod (labelled
/// <c>job-name</c>, <c>controller-uid</c>, …), whose container is run as a local process with the
/// image's entrypoint (<see cref="MapImage"/>; an unknown image stays Pending in ImagePullBackOff), the
/// pod spec's command and args, and exactly the container's <c>env</c> on top of the image's own
/// variables. The pod's phase and the Job's status (active, succeeded, failed, conditions) follow the
/// process; <c>activeDeadlineSeconds</c> kills it (DeadlineExceeded). Deleting a Job with Foreground or
/// Background propagation kills its pod's process tree; with Orphan (what the API does when a client
/// names no policy for a Job) the pod runs on, as in a real cluster.
/// </summary>
public sealed partial class FakeKubernetes : IAsyncDisposable
{
    private sealed class Pod
    {
        public required string Name { get; init; }
        public required JsonObject Object { get; init; }
        public Process? Process { get; set; }
        public StringBuilder Log { get; } = new();
    }

    private sealed class Job
    {
        public required string Namespace { get; init; }
        public required string Name { get; init; }
        public required JsonObject Object { get; init; }
        public Pod? Pod { get; set; }
        public bool Deleted { get; set; }
    }

    private readonly object _gate = new();
    private readonly Dictionary<(string Ns, string Name), Job> _jobs = [];
    private readonly List<Pod> _orphans = [];
    private readonly Dictionary<string, (string Command, string[] Arguments)> _images = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _imageEnvironment = new(StringComparer.Ordinal);
    private readonly List<Channel<(string Type, JsonObject Job)>> _watchers = [];
    private readonly List<FakePodProcess> _launched = [];
    private readonly List<string> _requests = [];
    private readonly List<string> _unhandled = [];
    private WebApplication? _app;
    private long _resourceVersion = 1000;

    private FakeKubernetes()
    {
    }

    /// <summary>The API server's address (the client's <c>Host</c>).</summary>
    public Uri Url { get; private set; } = null!;

    public static async Task<FakeKubernetes> StartAsync()
    {
        var fake = new FakeKubernetes();
        // The variables a container image sets for its process (ENV lines); the pod's env comes on top.
        foreach (var key in new[] { "PATH", "HOME", "DOTNET_ROOT", "TMPDIR" })
        {
            if (Environment.GetEnvironmentVariable(key) is { } value)
            {
                fake._imageEnvironment[key] = value;
            }
        }
        fake._imageEnvironment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.Run(fake.HandleAsync);
        await app.StartAsync();
        fake._app = app;
        fake.Url = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/') + "/");
        return fake;
    }

    // ---- The test-facing API -------------------------------------------------------------------

    /// <summary>What running <paramref name="image"/> starts (its ENTRYPOINT): a command and its first arguments.</summary>
    public void MapImage(string image, string command, params string[] arguments)
    {
        lock (_gate) _images[image] = (command, arguments);
    }

    /// <summary>Every container the kubelet started, in order.</summary>
    public IReadOnlyList<FakePodProcess> Launched
    {
        get { lock (_gate) return _launched.ToList(); }
    }

    /// <summary>Method and path (with query) of every request, in order.</summary>
    public IReadOnlyList<string> Requests
    {
        get { lock (_gate) return _requests.ToList(); }
    }

    public IReadOnlyList<string> Unhandled
    {
        get { lock (_gate) return _unhandled.ToList(); }
    }

    /// <summary>A Job as the API server holds it (null once deleted).</summary>
    public JsonObject? GetJob(string ns, string name)
    {
        lock (_gate) return _jobs.TryGetValue((ns, name), out var job) ? (JsonObject)job.Object.DeepClone() : null;
    }

    /// <summary>Processes of pods still running (a deleted Job's orphaned pod among them).</summary>
    public int RunningProcesses
    {
        get
        {
            lock (_gate)
            {
                return _jobs.Values.Select(j => j.Pod).Concat(_orphans).Count(p => p?.Process is { HasExited: false });
            }
        }
    }

    /// <summary>Kills a pod's process (as a node failure would), leaving the pod to be reported Failed.</summary>
    public void KillPod(string ns, string jobName)
    {
        Process? process;
        lock (_gate) process = _jobs.TryGetValue((ns, jobName), out var job) ? job.Pod?.Process : null;
        try { process?.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
    }

    // ---- The API server ------------------------------------------------------------------------

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var path = request.Path.Value ?? "";
        lock (_gate) _requests.Add($"{request.Method} {path}{request.QueryString}");
        try
        {
            if (JobsPath().Match(path) is { Success: true } jobs)
            {
                var ns = jobs.Groups["ns"].Value;
                var name = jobs.Groups["name"].Success ? jobs.Groups["name"].Value : null;
                switch (request.Method, name)
                {
                    case ("POST", null):
                        await CreateJobAsync(context, ns);
                        return;
                    case ("GET", null) when request.Query["watch"] is { Count: > 0 } w && w[0] is "true" or "1":
                        await WatchJobsAsync(context, ns);
                        return;
                    case ("GET", null):
                        await ListJobsAsync(context, ns);
                        return;
                    case ("GET", { } one):
                        await GetJobAsync(context, ns, one);
                        return;
                    case ("DELETE", { } one):
                        await DeleteJobAsync(context, ns, one);
                        return;
                }
            }
            if (PodsPath().Match(path) is { Success: true } pods)
            {
                var ns = pods.Groups["ns"].Value;
                if (request.Method == "GET" && !pods.Groups["name"].Success)
                {
                    await ListPodsAsync(context, ns);
                    return;
                }
                if (request.Method == "GET" && pods.Groups["log"].Success)
                {
                    await PodLogAsync(context, ns, pods.Groups["name"].Value);
                    return;
                }
            }
            lock (_gate) _unhandled.Add($"{request.Method} {path}");
            await StatusAsync(context, 404, "NotFound", "the server could not find the requested resource");
        }
        catch (JsonException ex)
        {
            await StatusAsync(context, 400, "BadRequest", "the body is not valid JSON: " + ex.Message);
        }
    }

    private async Task CreateJobAsync(HttpContext context, string ns)
    {
        if (context.Request.ContentType?.StartsWith("application/json", StringComparison.Ordinal) != true)
        {
            await StatusAsync(context, 415, "UnsupportedMediaType", $"the body of the request was in an unknown format - accepted media types include: application/json");
            return;
        }
        var body = (await JsonNode.ParseAsync(context.Request.Body))?.AsObject() ?? throw new JsonException("empty body");
        var name = body["metadata"]?["name"]?.GetValue<string>();
        var problems = new List<string>();
        if (body["apiVersion"]?.GetValue<string>() != "batch/v1" || body["kind"]?.GetValue<string>() != "Job")
        {
            problems.Add("the object must be apiVersion batch/v1, kind Job");
        }
        if (name is null || !DnsLabel().IsMatch(name))
        {
            problems.Add($"metadata.name: Invalid value: \"{name}\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-'");
        }
        var podSpec = body["spec"]?["template"]?["spec"];
        var containers = podSpec?["containers"]?.AsArray();
        if (containers is null || containers.Count == 0)
        {
            problems.Add("spec.template.spec.containers: Required value");
        }
        if (podSpec?["restartPolicy"]?.GetValue<string>() is not ("Never" or "OnFailure"))
        {
            problems.Add($"spec.template.spec.restartPolicy: Required value: valid values: \"OnFailure\", \"Never\"");
        }
        if (problems.Count > 0)
        {
            await StatusAsync(context, 422, "Invalid", $"Job.batch \"{name}\" is invalid: {string.Join(", ", problems)}");
            return;
        }
        Job job;
        lock (_gate)
        {
            if (_jobs.ContainsKey((ns, name!)))
            {
                job = null!;
            }
            else
            {
                var uid = Guid.NewGuid().ToString();
                var metadata = body["metadata"]!.AsObject();
                metadata["namespace"] = ns;
                metadata["uid"] = uid;
                metadata["creationTimestamp"] = Now();
                metadata["resourceVersion"] = NextVersion();
                metadata["generation"] = 1;
                var labels = Labels(body["spec"]!["template"]!["metadata"]);
                labels["batch.kubernetes.io/controller-uid"] = uid;
                labels["batch.kubernetes.io/job-name"] = name;
                labels["controller-uid"] = uid;
                labels["job-name"] = name;
                body["spec"]!["template"]!["metadata"] ??= new JsonObject();
                body["spec"]!["template"]!["metadata"]!["labels"] = labels;
                body["spec"]!["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["batch.kubernetes.io/controller-uid"] = uid } };
                body["spec"]!["completions"] ??= 1;
                body["spec"]!["parallelism"] ??= 1;
                body["status"] = new JsonObject();
                job = new Job { Namespace = ns, Name = name!, Object = body };
                _jobs[(ns, name!)] = job;
                Notify("ADDED", job);
            }
        }
        if (job is null)
        {
            await StatusAsync(context, 409, "AlreadyExists", $"jobs.batch \"{name}\" already exists", name);
            return;
        }
        var answer = Snapshot(job);
        _ = Task.Run(() => RunPodAsync(job));
        await WriteAsync(context, 201, answer);
    }

    private async Task GetJobAsync(HttpContext context, string ns, string name)
    {
        JsonObject? found;
        lock (_gate) found = _jobs.TryGetValue((ns, name), out var job) ? Snapshot(job) : null;
        if (found is null)
        {
            await StatusAsync(context, 404, "NotFound", $"jobs.batch \"{name}\" not found", name);
            return;
        }
        await WriteAsync(context, 200, found);
    }

    private async Task ListJobsAsync(HttpContext context, string ns)
    {
        var selector = Selector(context.Request.Query["labelSelector"].ToString());
        JsonArray items;
        lock (_gate)
        {
            items = new JsonArray(_jobs.Values.Where(j => j.Namespace == ns && Matches(j.Object["metadata"]?["labels"], selector)).Select(j => (JsonNode)Snapshot(j)).ToArray());
        }
        await WriteAsync(context, 200, new JsonObject
        {
            ["kind"] = "JobList",
            ["apiVersion"] = "batch/v1",
            ["metadata"] = new JsonObject { ["resourceVersion"] = Interlocked.Read(ref _resourceVersion).ToString(CultureInfo.InvariantCulture) },
            ["items"] = items,
        });
    }

    /// <summary>A watch stream: the matching Jobs as ADDED, then every change, one JSON event per line, until the client goes or <c>timeoutSeconds</c> pass.</summary>
    private async Task WatchJobsAsync(HttpContext context, string ns)
    {
        var selector = Selector(context.Request.Query["labelSelector"].ToString());
        var channel = Channel.CreateUnbounded<(string, JsonObject)>();
        var since = long.TryParse(context.Request.Query["resourceVersion"].ToString(), out var version) ? version : 0;
        lock (_gate)
        {
            foreach (var job in _jobs.Values.Where(j => j.Namespace == ns))
            {
                if (long.Parse(job.Object["metadata"]!["resourceVersion"]!.GetValue<string>(), CultureInfo.InvariantCulture) > since)
                {
                    channel.Writer.TryWrite(("ADDED", Snapshot(job)));
                }
            }
            _watchers.Add(channel);
        }
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        var timeout = int.TryParse(context.Request.Query["timeoutSeconds"].ToString(), out var seconds) ? TimeSpan.FromSeconds(seconds) : TimeSpan.FromMinutes(30);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        stop.CancelAfter(timeout);
        try
        {
            await context.Response.Body.FlushAsync(stop.Token);
            await foreach (var (type, job) in channel.Reader.ReadAllAsync(stop.Token))
            {
                if (job["metadata"]?["namespace"]?.GetValue<string>() != ns || !Matches(job["metadata"]?["labels"], selector))
                {
                    continue;
                }
                var line = new JsonObject { ["type"] = type, ["object"] = job }.ToJsonString() + "\n";
                await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(line), stop.Token);
                await context.Response.Body.FlushAsync(stop.Token);
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            lock (_gate) _watchers.Remove(channel);
        }
    }

    private async Task DeleteJobAsync(HttpContext context, string ns, string name)
    {
        var policy = context.Request.Query["propagationPolicy"].ToString();
        if (context.Request.ContentLength is > 0 || context.Request.ContentType?.StartsWith("application/json", StringComparison.Ordinal) == true)
        {
            var options = await JsonNode.ParseAsync(context.Request.Body);
            if (options?["propagationPolicy"]?.GetValue<string>() is { Length: > 0 } fromBody)
            {
                policy = fromBody;
            }
        }
        if (policy is not ("" or "Orphan" or "Background" or "Foreground"))
        {
            await StatusAsync(context, 400, "BadRequest", $"propagationPolicy: Unsupported value: \"{policy}\": supported values: \"Foreground\", \"Background\", \"Orphan\"");
            return;
        }
        Job? job;
        JsonObject? answer = null;
        lock (_gate)
        {
            if (_jobs.Remove((ns, name), out job))
            {
                job.Deleted = true;
                var metadata = job.Object["metadata"]!.AsObject();
                metadata["deletionTimestamp"] = Now();
                metadata["deletionGracePeriodSeconds"] = 0;
                if (policy == "Foreground")
                {
                    metadata["finalizers"] = new JsonArray("foregroundDeletion");
                }
                metadata["resourceVersion"] = NextVersion();
                answer = Snapshot(job);
                Notify("MODIFIED", job);
                Notify("DELETED", job);
                // Batch Jobs orphan their pods unless the client asks for propagation (the API's default for this kind).
                if (policy is "" or "Orphan")
                {
                    if (job.Pod is { } orphan)
                    {
                        _orphans.Add(orphan);
                    }
                    job = null;
                }
            }
            else
            {
                job = null;
            }
        }
        if (answer is null)
        {
            await StatusAsync(context, 404, "NotFound", $"jobs.batch \"{name}\" not found", name);
            return;
        }
        if (job?.Pod?.Process is { } process)
        {
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            await process.WaitForExitAsync();
        }
        await WriteAsync(context, 200, answer);
    }

    private async Task ListPodsAsync(HttpContext context, string ns)
    {
        var selector = Selector(context.Request.Query["labelSelector"].ToString());
        JsonArray items;
        lock (_gate)
        {
            items = new JsonArray(_jobs.Values.Where(j => j.Namespace == ns).Select(j => j.Pod).Concat(_orphans)
                .Where(p => p is not null && p.Object["metadata"]?["namespace"]?.GetValue<string>() == ns && Matches(p.Object["metadata"]?["labels"], selector))
                .Select(p => p!.Object.DeepClone()).ToArray());
        }
        await WriteAsync(context, 200, new JsonObject
        {
            ["kind"] = "PodList",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject { ["resourceVersion"] = Interlocked.Read(ref _resourceVersion).ToString(CultureInfo.InvariantCulture) },
            ["items"] = items,
        });
    }

    private async Task PodLogAsync(HttpContext context, string ns, string name)
    {
        Pod? pod;
        lock (_gate) pod = _jobs.Values.Where(j => j.Namespace == ns).Select(j => j.Pod).Concat(_orphans).FirstOrDefault(p => p?.Name == name);
        if (pod is null)
        {
            await StatusAsync(context, 404, "NotFound", $"pods \"{name}\" not found", name);
            return;
        }
        var container = context.Request.Query["container"].ToString();
        if (container.Length > 0 && container != pod.Object["spec"]!["containers"]![0]!["name"]!.GetValue<string>())
        {
            await StatusAsync(context, 400, "BadRequest", $"container {container} is not valid for pod {name}");
            return;
        }
        if (pod.Process is null)
        {
            await StatusAsync(context, 400, "BadRequest", $"container \"{container}\" in pod \"{name}\" is waiting to start: trying and failing to pull image");
            return;
        }
        string text;
        lock (pod.Log) text = pod.Log.ToString();
        var lines = text.Split('\n').Where(l => l.Length > 0).ToList();
        if (int.TryParse(context.Request.Query["tailLines"].ToString(), out var tail) && tail >= 0)
        {
            lines = lines.TakeLast(tail).ToList();
        }
        context.Response.StatusCode = 200;
        context.Response.ContentType = "text/plain";
        await context.Response.WriteAsync(string.Concat(lines.Select(l => l + "\n")));
    }

    // ---- The kubelet ---------------------------------------------------------------------------

    private async Task RunPodAsync(Job job)
    {
        JsonObject spec;
        Pod pod;
        (string Command, string[] Arguments)? entrypoint;
        lock (_gate)
        {
            spec = (JsonObject)job.Object["spec"]!["template"]!["spec"]!.DeepClone();
            var metadata = new JsonObject
            {
                ["name"] = job.Name + "-" + Suffix(),
                ["namespace"] = job.Namespace,
                ["uid"] = Guid.NewGuid().ToString(),
                ["creationTimestamp"] = Now(),
                ["labels"] = job.Object["spec"]!["template"]!["metadata"]!["labels"]!.DeepClone(),
                ["ownerReferences"] = new JsonArray(new JsonObject
                {
                    ["apiVersion"] = "batch/v1", ["kind"] = "Job", ["name"] = job.Name,
                    ["uid"] = job.Object["metadata"]!["uid"]!.DeepClone(), ["controller"] = true, ["blockOwnerDeletion"] = true,
                }),
            };
            pod = new Pod
            {
                Name = metadata["name"]!.GetValue<string>(),
                Object = new JsonObject { ["kind"] = "Pod", ["apiVersion"] = "v1", ["metadata"] = metadata, ["spec"] = spec.DeepClone(), ["status"] = new JsonObject { ["phase"] = "Pending" } },
            };
            job.Pod = pod;
            job.Object["status"]!["active"] = 1;
            job.Object["status"]!["startTime"] = Now();
            Touch(job);
            Notify("MODIFIED", job);
            entrypoint = _images.TryGetValue(spec["containers"]![0]!["image"]!.GetValue<string>(), out var mapped) ? mapped : null;
        }
        var container = spec["containers"]![0]!;
        var image = container["image"]!.GetValue<string>();
        if (entrypoint is null)
        {
            lock (_gate)
            {
                SetContainerState(pod, container, new JsonObject { ["waiting"] = new JsonObject { ["reason"] = "ImagePullBackOff", ["message"] = $"Back-off pulling image \"{image}\"" } });
            }
            return;
        }
        var command = container["command"]?.AsArray().Select(n => n!.GetValue<string>()).ToList() is { Count: > 0 } explicitCommand
            ? explicitCommand : [entrypoint.Value.Command, .. entrypoint.Value.Arguments];
        var args = container["args"]?.AsArray().Select(n => n!.GetValue<string>()).ToList() ?? [];
        var environment = new Dictionary<string, string>(_imageEnvironment, StringComparer.Ordinal);
        foreach (var variable in container["env"]?.AsArray() ?? [])
        {
            environment[variable!["name"]!.GetValue<string>()] = variable["value"]?.GetValue<string>() ?? "";
        }
        var start = new ProcessStartInfo(command[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        start.Environment.Clear();
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }
        foreach (var argument in command.Skip(1).Concat(args))
        {
            start.ArgumentList.Add(argument);
        }
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (pod.Log) pod.Log.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (pod.Log) pod.Log.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        lock (_gate)
        {
            pod.Process = process;
            _launched.Add(new FakePodProcess(pod.Name, image, command, args, environment));
            pod.Object["status"]!["phase"] = "Running";
            pod.Object["status"]!["startTime"] = Now();
            SetContainerState(pod, container, new JsonObject { ["running"] = new JsonObject { ["startedAt"] = Now() } });
            Touch(job);
            Notify("MODIFIED", job);
        }
        var deadline = job.Object["spec"]?["activeDeadlineSeconds"]?.GetValue<long>() is { } limit ? TimeSpan.FromSeconds(limit) : Timeout.InfiniteTimeSpan;
        var exceeded = false;
        using (var timer = new CancellationTokenSource(deadline))
        {
            try
            {
                await process.WaitForExitAsync(timer.Token);
            }
            catch (OperationCanceledException)
            {
                exceeded = true;
                try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
                await process.WaitForExitAsync();
            }
        }
        process.WaitForExit();
        lock (_gate)
        {
            var code = process.ExitCode;
            var succeeded = code == 0 && !exceeded;
            pod.Object["status"]!["phase"] = succeeded ? "Succeeded" : "Failed";
            SetContainerState(pod, container, new JsonObject
            {
                ["terminated"] = new JsonObject { ["exitCode"] = code, ["reason"] = succeeded ? "Completed" : "Error", ["finishedAt"] = Now() },
            });
            if (job.Deleted)
            {
                return;
            }
            var status = job.Object["status"]!.AsObject();
            status.Remove("active");
            status[succeeded ? "succeeded" : "failed"] = 1;
            status["completionTime"] = succeeded ? Now() : null;
            var (type, reason, message) = succeeded ? ("Complete", (string?)null, (string?)null)
                : exceeded ? ("Failed", "DeadlineExceeded", "Job was active longer than specified deadline")
                : ("Failed", "BackoffLimitExceeded", "Job has reached the specified backoff limit");
            status["conditions"] = new JsonArray(new JsonObject
            {
                ["type"] = type, ["status"] = "True", ["lastProbeTime"] = Now(), ["lastTransitionTime"] = Now(), ["reason"] = reason, ["message"] = message,
            });
            Touch(job);
            Notify("MODIFIED", job);
        }
    }

    private static void SetContainerState(Pod pod, JsonNode container, JsonObject state) =>
        pod.Object["status"]!["containerStatuses"] = new JsonArray(new JsonObject
        {
            ["name"] = container["name"]!.GetValue<string>(),
            ["image"] = container["image"]!.GetValue<string>(),
            ["ready"] = state.ContainsKey("running"),
            ["restartCount"] = 0,
            ["state"] = state,
        });

    // ---- Helpers -------------------------------------------------------------------------------

    private void Touch(Job job) => job.Object["metadata"]!["resourceVersion"] = NextVersion();

    private void Notify(string type, Job job)
    {
        var snapshot = Snapshot(job);
        foreach (var watcher in _watchers)
        {
            watcher.Writer.TryWrite((type, (JsonObject)snapshot.DeepClone()));
        }
    }

    private static JsonObject Snapshot(Job job) => (JsonObject)job.Object.DeepClone();

    private string NextVersion() => Interlocked.Increment(ref _resourceVersion).ToString(CultureInfo.InvariantCulture);

    private static string Now() => DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string Suffix() => new(Enumerable.Range(0, 5).Select(_ => "bcdfghjklmnpqrstvwxz2456789"[Random.Shared.Next(27)]).ToArray());

    private static JsonObject Labels(JsonNode? metadata) =>
        metadata?["labels"] is JsonObject labels ? (JsonObject)labels.DeepClone() : new JsonObject();

    private static List<(string Key, string Value)> Selector(string text) =>
        text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(part => part.Split('=', 2)).Select(p => (p[0].TrimEnd('='), p.Length > 1 ? p[1].TrimStart('=') : "")).ToList();

    private static bool Matches(JsonNode? labels, List<(string Key, string Value)> selector) =>
        selector.All(s => labels?[s.Key]?.GetValue<string>() == s.Value);

    private static Task WriteAsync(HttpContext context, int status, JsonNode body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(body.ToJsonString());
    }

    private static Task StatusAsync(HttpContext context, int code, string reason, string message, string? name = null) =>
        WriteAsync(context, code, new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = message,
            ["reason"] = reason,
            ["details"] = name is null ? null : new JsonObject { ["name"] = name, ["group"] = "batch", ["kind"] = "jobs" },
            ["code"] = code,
        });

    [GeneratedRegex("^/apis/batch/v1/namespaces/(?<ns>[^/]+)/jobs(/(?<name>[^/]+))?$")]
    private static partial Regex JobsPath();

    [GeneratedRegex("^/api/v1/namespaces/(?<ns>[^/]+)/pods(/(?<name>[^/]+)(?<log>/log)?)?$")]
    private static partial Regex PodsPath();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")]
    private static partial Regex DnsLabel();

    public async ValueTask DisposeAsync()
    {
        List<Process> processes;
        lock (_gate)
        {
            processes = _jobs.Values.Select(j => j.Pod?.Process).Concat(_orphans.Select(o => o.Process)).OfType<Process>().ToList();
            foreach (var watcher in _watchers)
            {
                watcher.Writer.TryComplete();
            }
        }
        foreach (var process in processes)
        {
            try
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                    await process.WaitForExitAsync();
                }
            }
            catch (InvalidOperationException)
            {
            }
        }
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
