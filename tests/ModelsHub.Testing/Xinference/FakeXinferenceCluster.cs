using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;

namespace ModelsHub.Testing.Xinference;

/// <summary>A model instance on a fake cluster, from launch to READY, ERROR or termination.</summary>
public sealed class FakeModelInstance
{
    public required string Uid { get; init; }
    public required string ModelName { get; init; }
    public required string ModelType { get; init; }
    public required JsonObject Launch { get; init; }
    public required long LaunchedAt { get; init; }
    public string Status { get; set; } = "CREATING";
    public string? Error { get; set; }
    public int Worker { get; init; }
}

/// <summary>One Xinference cluster of a <see cref="FakeXinference"/> (see there).</summary>
public sealed partial class FakeXinferenceCluster
{
    /// <summary>The six types, as Xinference names them in registration paths.</summary>
    public static readonly IReadOnlyDictionary<string, string> FixtureOf = new Dictionary<string, string>
    {
        ["LLM"] = "llm", ["embedding"] = "embedding", ["rerank"] = "rerank", ["image"] = "image", ["audio"] = "audio", ["video"] = "video",
    };

    /// <summary>What the supervisor's registration API accepts (<c>_custom_register_type_to_cls</c>): video is not among them.</summary>
    private static readonly HashSet<string> Registrable = ["LLM", "embedding", "rerank", "image", "audio", "flexible"];

    private static readonly Lazy<Dictionary<string, Dictionary<string, JsonObject>>> Builtins = new(() =>
        FixtureOf.ToDictionary(p => p.Key, p =>
        {
            var byName = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
            foreach (var entry in JsonNode.Parse(UpstreamFixtures.ReadText(p.Value))!.AsArray())
            {
                var name = entry!["model_name"]!.GetValue<string>();
                byName.TryAdd(name, entry.AsObject());
            }
            return byName;
        }));

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Dictionary<string, JsonObject>> _custom = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FakeModelInstance> _instances = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _launchFailures = new(StringComparer.Ordinal);
    private readonly List<JsonObject> _launches = [];
    private readonly int _workers;
    private readonly int _gpusPerWorker;

    internal FakeXinferenceCluster(string name, Uri baseUrl, int workers, int gpusPerWorker, string? apiKey)
    {
        Name = name;
        BaseUrl = baseUrl;
        _workers = workers;
        _gpusPerWorker = gpusPerWorker;
        ApiKey = apiKey;
    }

    public string Name { get; }

    /// <summary>What the hub registers as the server's URL.</summary>
    public Uri BaseUrl { get; }

    public string? ApiKey { get; set; }

    public string Version { get; set; } = "1.15.0";

    public string Revision { get; set; } = "7ecec16b6a1f0d3c2b8e9f4a5d6c7b8a9e0f1d2c";

    /// <summary>While true the server drops every connection (a server that went away).</summary>
    public volatile bool Down;

    /// <summary>How long a launch takes from request to READY (downloading, then loading).</summary>
    public TimeSpan LaunchDuration { get; set; } = TimeSpan.FromMilliseconds(300);

    /// <summary>Every launch request body the cluster accepted (for checking what the hub sent).</summary>
    public IReadOnlyList<JsonObject> Launches
    {
        get { lock (_gate) return _launches.Select(l => (JsonObject)l.DeepClone()).ToList(); }
    }

    /// <summary>The uids of the models running (READY) now.</summary>
    public IReadOnlyList<string> Running
    {
        get { lock (_gate) { Advance(); return _instances.Values.Where(i => i.Status == "READY").Select(i => i.Uid).Order().ToList(); } }
    }

    /// <summary>Custom (non built-in) registrations of a type (<c>LLM</c>, <c>embedding</c>, ...), by name.</summary>
    public IReadOnlyDictionary<string, JsonObject> Custom(string type)
    {
        lock (_gate) return _custom.TryGetValue(type, out var byName) ? byName.ToDictionary(p => p.Key, p => (JsonObject)p.Value.DeepClone()) : [];
    }

    /// <summary>Launches of <paramref name="modelName"/> end in ERROR with <paramref name="reason"/> while loading.</summary>
    public void FailLaunchesOf(string modelName, string reason)
    {
        lock (_gate) _launchFailures[modelName] = reason;
    }

    /// <summary>The server restarted: every model it ran is gone (custom registrations persist, as with persist=true).</summary>
    public void Restart()
    {
        lock (_gate) _instances.Clear();
    }

    internal async Task<int> HandleAsync(HttpContext context, string path, string body)
    {
        var method = context.Request.Method;
        if (path != "/v1/cluster/auth" && ApiKey is not null)
        {
            var header = context.Request.Headers.Authorization.ToString();
            if (!header.StartsWith("Bearer ", StringComparison.Ordinal))
            {
                context.Response.Headers.WWWAuthenticate = "Bearer";
                return await WriteAsync(context, 401, Detail("Not authenticated"));
            }
            if (header["Bearer ".Length..] != ApiKey)
            {
                context.Response.Headers.WWWAuthenticate = "Bearer";
                return await WriteAsync(context, 401, Detail("Could not validate credentials"));
            }
        }
        var query = context.Request.Query;
        (int Status, JsonNode? Body) answer;
        var segments = path.Trim('/').Split('/');
        lock (_gate)
        {
            Advance();
            answer = (method, segments) switch
            {
                ("GET", ["v1", "cluster", "auth"]) => (200, new JsonObject { ["auth"] = ApiKey is not null }),
                ("GET", ["v1", "cluster", "version"]) => (200, new JsonObject { ["version"] = Version, ["full-revisionid"] = Revision }),
                ("GET", ["v1", "cluster", "info"]) => (200, ClusterInfo(query["detailed"] == "true" || query["detailed"] == "True")),
                ("GET", ["v1", "model_registrations", var type]) => ListRegistrations(type),
                ("GET", ["v1", "model_registrations", var type, var name]) => GetRegistration(type, Uri.UnescapeDataString(name)),
                ("POST", ["v1", "model_registrations", var type]) => Register(type, body),
                ("DELETE", ["v1", "model_registrations", var type, var name]) => Unregister(type, Uri.UnescapeDataString(name)),
                ("GET", ["v1", "models"]) => (200, ListModels()),
                ("POST", ["v1", "models"]) => Launch(body, query["wait_ready"].ToString()),
                ("GET", ["v1", "models", "instances"]) => (200, Instances(query["model_name"].ToString(), query["model_uid"].ToString())),
                ("GET", ["v1", "models", var uid, "progress"]) => (200, Progress(Uri.UnescapeDataString(uid))),
                ("GET", ["v1", "models", var uid]) => Describe(Uri.UnescapeDataString(uid)),
                ("DELETE", ["v1", "models", var uid]) => Terminate(Uri.UnescapeDataString(uid)),
                ("POST", ["v1", "chat", "completions"]) => (0, null),
                ("POST", ["v1", "embeddings"]) => Embed(body),
                _ => (404, Detail("Not Found")),
            };
        }
        if (answer.Status == 0)
        {
            return await ChatAsync(context, body);
        }
        return await WriteAsync(context, answer.Status, answer.Body);
    }

    // ---- cluster ------------------------------------------------------------------------------

    private JsonArray ClusterInfo(bool detailed)
    {
        var nodes = new JsonArray();
        var supervisor = new JsonObject { ["node_type"] = "Supervisor", ["ip_address"] = "10.0.0.1:34000", ["gpu_count"] = 0, ["gpu_vram_total"] = 0 };
        if (detailed)
        {
            supervisor["gpu_vram_total"] = 0;
            supervisor["gpu_vram_available"] = 0;
            supervisor["gpu_utilization"] = null;
            supervisor["cpu_available"] = 7.2;
            supervisor["cpu_count"] = 8;
            supervisor["mem_used"] = 6_000_000_000L;
            supervisor["mem_available"] = 26_000_000_000L;
            supervisor["mem_total"] = 34_359_738_368L;
        }
        nodes.Add(supervisor);
        const double gpuBytes = 85_899_345_920; // 80 GiB
        for (var w = 0; w < _workers; w++)
        {
            var models = _instances.Values.Count(i => i.Worker == w && i.Status is "READY" or "CREATING");
            var vramTotal = gpuBytes * _gpusPerWorker;
            var vramUsed = Math.Min(vramTotal, models * 20_000_000_000.0);
            var worker = new JsonObject
            {
                ["node_type"] = "Worker",
                ["ip_address"] = $"10.0.0.{w + 2}:30001",
                ["gpu_count"] = _gpusPerWorker,
                ["gpu_vram_total"] = vramTotal == 0 ? 0 : $"{(int)(vramTotal / 1024 / 1024)}MiB",
            };
            if (detailed)
            {
                var usage = Math.Min(0.95, 0.05 + 0.2 * models);
                worker["cpu_available"] = 64 * (1 - usage);
                worker["cpu_count"] = 64;
                worker["mem_used"] = 20_000_000_000L + models * 30_000_000_000L;
                worker["mem_available"] = 549_755_813_888L - (20_000_000_000L + models * 30_000_000_000L);
                worker["mem_total"] = 549_755_813_888L;
                worker["gpu_vram_total"] = vramTotal;
                worker["gpu_utilization"] = _gpusPerWorker == 0 ? null : Math.Min(100, 3.0 + 45 * models);
                worker["gpu_vram_available"] = vramTotal - vramUsed;
            }
            nodes.Add(worker);
        }
        return nodes;
    }

    // ---- registrations ------------------------------------------------------------------------

    private (int, JsonNode?) ListRegistrations(string type)
    {
        if (!FixtureOf.ContainsKey(type) && type != "flexible")
        {
            return (400, Detail($"Unsupported model type: {type}"));
        }
        var rows = new List<(string Name, bool Builtin)>();
        if (Builtins.Value.TryGetValue(type, out var builtins)) rows.AddRange(builtins.Keys.Select(n => (n, true)));
        if (_custom.TryGetValue(type, out var custom)) rows.AddRange(custom.Keys.Select(n => (n, false)));
        var list = new JsonArray();
        foreach (var (name, builtin) in rows.DistinctBy(r => r.Name).OrderBy(r => r.Name.ToLowerInvariant(), StringComparer.Ordinal))
        {
            list.Add(new JsonObject { ["model_name"] = name, ["is_builtin"] = builtin });
        }
        return (200, list);
    }

    private (int, JsonNode?) GetRegistration(string type, string name)
    {
        if (Builtins.Value.TryGetValue(type, out var builtins) && builtins.TryGetValue(name, out var builtin)) return (200, builtin.DeepClone());
        if (_custom.TryGetValue(type, out var custom) && custom.TryGetValue(name, out var family)) return (200, family.DeepClone());
        return (400, Detail($"Model {name} not found"));
    }

    private (int, JsonNode?) Register(string type, string body)
    {
        JsonObject request;
        try
        {
            request = JsonNode.Parse(body)!.AsObject();
        }
        catch (Exception)
        {
            return (422, new JsonObject { ["detail"] = new JsonArray(new JsonObject { ["loc"] = new JsonArray("body"), ["msg"] = "value is not a valid dict", ["type"] = "type_error.dict" }) });
        }
        if (request["model"] is not JsonValue modelText || !modelText.TryGetValue<string>(out var model) || !request.ContainsKey("persist"))
        {
            return (422, new JsonObject { ["detail"] = new JsonArray(new JsonObject { ["loc"] = new JsonArray("body", "model"), ["msg"] = "field required", ["type"] = "value_error.missing" }) });
        }
        if (!Registrable.Contains(type))
        {
            return (400, Detail($"Unsupported model type: {type}"));
        }
        JsonObject family;
        try
        {
            family = JsonNode.Parse(model)!.AsObject();
        }
        catch (Exception ex)
        {
            return (400, Detail($"1 validation error for {ClassOf(type)}\n__root__\n  {ex.Message}"));
        }
        if (Validate(type, family) is { } invalid)
        {
            return (400, Detail(invalid));
        }
        var name = family["model_name"]!.GetValue<string>();
        if ((Builtins.Value.TryGetValue(type, out var builtins) && builtins.ContainsKey(name))
            || (_custom.TryGetValue(type, out var existing) && existing.ContainsKey(name)))
        {
            return (400, Detail($"Model {name} already registered"));
        }
        if (!_custom.TryGetValue(type, out var byName)) _custom[type] = byName = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        byName[name] = family;
        return (200, null);
    }

    private (int, JsonNode?) Unregister(string type, string name)
    {
        if (!Registrable.Contains(type)) return (400, Detail($"Unsupported model type: {type}"));
        if (_custom.TryGetValue(type, out var byName)) byName.Remove(name);
        return (200, null);
    }

    private static string ClassOf(string type) => type switch
    {
        "LLM" => "CustomLLMFamilyV2",
        "embedding" => "CustomEmbeddingModelFamilyV2",
        "rerank" => "CustomRerankModelFamilyV2",
        "image" => "CustomImageModelFamilyV2",
        "audio" => "CustomAudioModelFamilyV2",
        _ => "FlexibleModelSpec",
    };

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]*$")]
    private static partial Regex ModelNamePattern();

    /// <summary>What parsing the family (pydantic) and the custom-model checks refuse, with Xinference's messages.</summary>
    private static string? Validate(string type, JsonObject family)
    {
        var missing = new List<string>();
        void Need(JsonObject obj, string prefix, params string[] fields)
        {
            foreach (var field in fields)
            {
                if (obj[field] is null) missing.Add(prefix + field);
            }
        }
        Need(family, "", "model_name");
        switch (type)
        {
            case "LLM":
                Need(family, "", "version", "model_lang", "model_ability", "model_specs");
                break;
            case "embedding":
                Need(family, "", "version", "dimensions", "max_tokens", "language", "model_specs");
                break;
            case "rerank":
                Need(family, "", "version", "language", "model_specs");
                break;
            case "image":
                Need(family, "", "version", "model_family", "model_id");
                break;
            case "audio":
                Need(family, "", "version", "model_family", "model_id", "multilingual");
                break;
        }
        if (type is "LLM" or "embedding" or "rerank" && family["model_specs"] is JsonArray specs)
        {
            for (var i = 0; i < specs.Count; i++)
            {
                if (specs[i] is not JsonObject spec) continue;
                // Registration parses already expanded specs: one quantization and one hub each.
                Need(spec, $"model_specs -> {i} -> ", type == "LLM" ? ["model_format", "model_size_in_billions", "quantization"] : ["model_format", "quantization"]);
                if (spec.ContainsKey("model_src")) missing.Add($"model_specs -> {i} -> model_id (model_src is the file format, not a registration)");
            }
        }
        if (missing.Count > 0)
        {
            return $"{missing.Count} validation error{(missing.Count > 1 ? "s" : "")} for {ClassOf(type)}\n"
                + string.Join("\n", missing.Select(m => $"{m}\n  field required (type=value_error.missing)"));
        }
        if (type == "LLM" && family["model_family"] is null)
        {
            return "You must specify `model_family` when registering custom LLM models.";
        }
        var name = family["model_name"]!.GetValue<string>();
        if (!ModelNamePattern().IsMatch(name))
        {
            return $"Invalid model name {name}.";
        }
        return null;
    }

    // ---- models -------------------------------------------------------------------------------

    private double Elapsed(FakeModelInstance instance) => Stopwatch.GetElapsedTime(instance.LaunchedAt).TotalMilliseconds / Math.Max(1, LaunchDuration.TotalMilliseconds);

    /// <summary>Moves launches along: READY once their time is up, or ERROR (and out of the model list) when their model is set to fail.</summary>
    private void Advance()
    {
        foreach (var instance in _instances.Values.Where(i => i.Status == "CREATING").ToList())
        {
            if (Elapsed(instance) < 1) continue;
            if (_launchFailures.TryGetValue(instance.ModelName, out var reason) || !Launchable(instance, out reason))
            {
                instance.Status = "ERROR";
                instance.Error = reason;
            }
            else
            {
                instance.Status = "READY";
            }
        }
    }

    /// <summary>Whether the launch names something the cluster knows (the worker's <c>match_llm</c>), with its "not found" reason otherwise.</summary>
    private bool Launchable(FakeModelInstance instance, out string reason)
    {
        var launch = instance.Launch;
        reason = "";
        var family = Builtins.Value.GetValueOrDefault(instance.ModelType)?.GetValueOrDefault(instance.ModelName)
            ?? (_custom.TryGetValue(instance.ModelType, out var custom) ? custom.GetValueOrDefault(instance.ModelName) : null);
        var format = launch["model_format"]?.ToString();
        var size = launch["model_size_in_billions"]?.ToJsonString().Trim('"');
        var quantization = launch["quantization"]?.ToString();
        if (family is null)
        {
            reason = instance.ModelType == "LLM"
                ? $"Model not found, name: {instance.ModelName}, format: {format ?? "None"}, size: {size ?? "None"}, quantization: {quantization ?? "None"}"
                : $"Model {instance.ModelName} not found";
            return false;
        }
        if (instance.ModelType == "LLM" && family["model_specs"] is JsonArray specs)
        {
            var match = specs.OfType<JsonObject>().Any(s =>
                (format is null || s["model_format"]?.ToString() == format)
                && (size is null || s["model_size_in_billions"]?.ToJsonString().Trim('"') == size)
                && (quantization is null || s["quantization"]?.ToString() == quantization
                    || (s["model_src"] is JsonObject src && src.Any(h => h.Value?["quantizations"] is JsonArray q && q.Any(x => x?.ToString() == quantization)))));
            if (!match)
            {
                reason = $"Model not found, name: {instance.ModelName}, format: {format ?? "None"}, size: {size ?? "None"}, quantization: {quantization ?? "None"}";
                return false;
            }
        }
        return true;
    }

    [GeneratedRegex("-rep\\d+$")]
    private static partial Regex ReplicaSuffix();

    private (int, JsonNode?) Launch(string body, string waitReady)
    {
        JsonObject payload;
        try
        {
            payload = JsonNode.Parse(body)!.AsObject();
        }
        catch (Exception)
        {
            return (500, Detail("Expecting value: line 1 column 1 (char 0)"));
        }
        var modelName = payload["model_name"]?.ToString();
        var modelType = payload["model_type"]?.ToString() ?? "LLM";
        if (string.IsNullOrEmpty(modelName))
        {
            return (400, Detail("Invalid input. Please specify the `model_name` field."));
        }
        if (string.IsNullOrEmpty(payload["model_engine"]?.ToString()) && modelType == "LLM")
        {
            return (400, Detail("Invalid input. Please specify the `model_engine` field."));
        }
        var uid = payload["model_uid"]?.ToString();
        if (string.IsNullOrEmpty(uid))
        {
            uid = modelName;
            for (var n = 1; _instances.TryGetValue(uid, out var taken) && taken.Status is "CREATING" or "READY"; n++) uid = $"{modelName}-{n}";
        }
        if (uid.Length is 0 or > 100 || ReplicaSuffix().IsMatch(uid))
        {
            return (400, Detail("The model UID is invalid. Please specify the model UID by 0 < length <= 100, not ending with the reserved replica suffix '-rep<number>'."));
        }
        if (_instances.TryGetValue(uid, out var existing) && existing.Status is "CREATING" or "READY")
        {
            return (400, Detail($"Model is already in the model list, uid: {uid}"));
        }
        _launches.Add((JsonObject)payload.DeepClone());
        var worker = _instances.Count % Math.Max(1, _workers);
        _instances[uid] = new FakeModelInstance
        {
            Uid = uid, ModelName = modelName, ModelType = modelType, Launch = payload, LaunchedAt = Stopwatch.GetTimestamp(), Worker = worker,
        };
        // wait_ready=true would hold the request until the model loads; the hub never asks for that.
        _ = waitReady;
        return (200, new JsonObject { ["model_uid"] = uid });
    }

    private JsonArray Instances(string modelName, string modelUid)
    {
        var list = new JsonArray();
        foreach (var instance in _instances.Values.OrderBy(i => i.Uid, StringComparer.Ordinal))
        {
            if (modelUid.Length > 0 ? instance.Uid != modelUid : modelName.Length > 0 && instance.ModelName != modelName) continue;
            if (instance.Status == "TERMINATED") continue;
            var created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            list.Add(new JsonObject
            {
                ["model_name"] = instance.ModelName,
                ["model_uid"] = instance.Uid,
                ["model_version"] = null,
                ["model_ability"] = new JsonArray(),
                ["replica"] = instance.Launch["replica"]?.DeepClone() ?? 1,
                ["status"] = instance.Status,
                ["instance_created_ts"] = created,
                ["n_worker"] = 1,
                ["replica_statuses"] = new JsonArray(new JsonObject
                {
                    ["replica_id"] = 0,
                    ["replica_model_uid"] = instance.Uid + "-0",
                    ["worker_address"] = $"10.0.0.{instance.Worker + 2}:30001",
                    ["status"] = instance.Status,
                    ["model_state"] = instance.Status switch { "READY" => "ready", "ERROR" => "error", _ => "loading" },
                    ["created_ts"] = created,
                    ["error_message"] = instance.Error,
                    ["replica_uid"] = null,
                    ["gpu_idx"] = null,
                }),
            });
        }
        return list;
    }

    private JsonObject Progress(string uid)
    {
        if (!_instances.TryGetValue(uid, out var instance) || instance.Status is "ERROR" or "TERMINATED")
        {
            return new JsonObject { ["progress"] = 0.0, ["stage"] = "pending", ["download_files"] = new JsonArray(), ["replicas"] = new JsonArray() };
        }
        var elapsed = Math.Min(1, Elapsed(instance));
        var stage = instance.Status == "READY" ? "loading" : elapsed < 0.6 ? "downloading" : "loading";
        var progress = instance.Status == "READY" ? 1.0 : Math.Round(elapsed * 0.8 / 0.6 > 0.8 ? 0.8 + (elapsed - 0.6) * 0.5 : elapsed * 0.8 / 0.6, 4);
        return new JsonObject
        {
            ["progress"] = progress,
            ["stage"] = stage,
            ["download_files"] = new JsonArray(),
            ["replicas"] = new JsonArray(new JsonObject
            {
                ["replica_id"] = 0, ["replica_model_uid"] = uid + "-0", ["progress"] = progress, ["stage"] = stage,
                ["info"] = stage == "downloading" ? "Downloading model files" : "Start to load model", ["updated_at"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
                ["download_files"] = new JsonArray(),
            }),
        };
    }

    private (int, JsonNode?) Describe(string uid)
    {
        if (!_instances.TryGetValue(uid, out var instance) || instance.Status is "ERROR" or "TERMINATED")
        {
            return (400, Detail($"Model not found in the model list, uid: {uid}"));
        }
        if (instance.Status != "READY")
        {
            return (503, Detail($"Model is loading, please retry later: Model {uid} is launching, not yet ready for inference"));
        }
        return (200, Description(instance));
    }

    private JsonObject Description(FakeModelInstance instance) => new()
    {
        ["model_type"] = instance.ModelType,
        ["address"] = $"10.0.0.{instance.Worker + 2}:41234",
        ["accelerators"] = new JsonArray("0"),
        ["model_name"] = instance.ModelName,
        ["model_lang"] = new JsonArray("en"),
        ["model_ability"] = new JsonArray("chat"),
        ["model_description"] = "",
        ["model_format"] = instance.Launch["model_format"]?.DeepClone(),
        ["model_size_in_billions"] = instance.Launch["model_size_in_billions"]?.DeepClone(),
        ["model_family"] = instance.ModelName,
        ["quantization"] = instance.Launch["quantization"]?.DeepClone(),
        ["model_hub"] = "huggingface",
        ["revision"] = null,
        ["context_length"] = 8192,
        ["model_engine"] = instance.Launch["model_engine"]?.DeepClone(),
        ["replica"] = instance.Launch["replica"]?.DeepClone() ?? 1,
    };

    private (int, JsonNode?) Terminate(string uid)
    {
        if (!_instances.TryGetValue(uid, out var instance) || instance.Status is "ERROR" or "TERMINATED")
        {
            return (400, Detail($"Model not found in the model list, uid: {uid}"));
        }
        instance.Status = "TERMINATED";
        return (200, null);
    }

    private JsonObject ListModels()
    {
        var data = new JsonArray();
        foreach (var instance in _instances.Values.Where(i => i.Status == "READY").OrderBy(i => i.Uid, StringComparer.Ordinal))
        {
            var row = new JsonObject { ["id"] = instance.Uid, ["object"] = "model", ["created"] = 0, ["owned_by"] = "xinference" };
            foreach (var (key, value) in Description(instance)) row[key] = value?.DeepClone();
            data.Add(row);
        }
        return new JsonObject { ["object"] = "list", ["data"] = data };
    }

    // ---- OpenAI-compatible chat ---------------------------------------------------------------

    /// <summary>How many chat completions the cluster answered.</summary>
    public int ChatCompletions => _chats;

    private int _chats;

    private async Task<int> ChatAsync(HttpContext context, string body)
    {
        JsonObject request;
        try
        {
            request = JsonNode.Parse(body)!.AsObject();
        }
        catch (Exception)
        {
            return await WriteAsync(context, 400, Detail("Invalid JSON body"));
        }
        var uid = request["model"]?.ToString() ?? "";
        FakeModelInstance? instance;
        lock (_gate)
        {
            Advance();
            instance = _instances.GetValueOrDefault(uid);
        }
        if (instance is null || instance.Status is "ERROR" or "TERMINATED")
        {
            return await WriteAsync(context, 400, Detail($"Model not found in the model list, uid: {uid}"));
        }
        if (instance.Status != "READY")
        {
            context.Response.Headers.RetryAfter = "30";
            return await WriteAsync(context, 503, Detail($"Model is loading, please retry later: Model {uid} is launching, not yet ready for inference"));
        }
        Interlocked.Increment(ref _chats);
        var last = request["messages"] is JsonArray messages ? messages.OfType<JsonObject>().LastOrDefault()?["content"]?.ToString() ?? "" : "";
        var reply = $"{instance.ModelName} on {Name} heard: {last}";
        var promptTokens = Math.Max(1, last.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length);
        var completionTokens = reply.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        var id = "chat" + Guid.NewGuid().ToString("N");
        var created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        if (request["stream"]?.GetValue<bool>() == true)
        {
            context.Response.StatusCode = 200;
            context.Response.ContentType = "text/event-stream";
            var words = reply.Split(' ');
            for (var i = 0; i < words.Length; i++)
            {
                var chunk = new JsonObject
                {
                    ["id"] = id, ["object"] = "chat.completion.chunk", ["created"] = created, ["model"] = uid,
                    ["choices"] = new JsonArray(new JsonObject
                    {
                        ["index"] = 0,
                        ["delta"] = i == 0 ? new JsonObject { ["role"] = "assistant", ["content"] = words[i] } : new JsonObject { ["content"] = " " + words[i] },
                        ["finish_reason"] = null,
                    }),
                };
                await context.Response.WriteAsync("data: " + chunk.ToJsonString() + "\n\n", context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
            }
            var final = new JsonObject
            {
                ["id"] = id, ["object"] = "chat.completion.chunk", ["created"] = created, ["model"] = uid,
                ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["delta"] = new JsonObject(), ["finish_reason"] = "stop" }),
                ["usage"] = Usage(promptTokens, completionTokens),
            };
            await context.Response.WriteAsync("data: " + final.ToJsonString() + "\n\ndata: [DONE]\n\n", context.RequestAborted);
            return 200;
        }
        return await WriteAsync(context, 200, new JsonObject
        {
            ["id"] = id,
            ["object"] = "chat.completion",
            ["created"] = created,
            ["model"] = uid,
            ["choices"] = new JsonArray(new JsonObject
            {
                ["index"] = 0,
                ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = reply },
                ["finish_reason"] = "stop",
            }),
            ["usage"] = Usage(promptTokens, completionTokens),
        });
    }

    /// <summary>
    /// <c>POST /v1/embeddings</c> as <c>create_embedding</c> answers: the supervisor's <c>get_model</c> refusing an unknown uid
    /// (400 with its ValueError), then the model's <c>Embedding</c> (float vectors whatever <c>encoding_format</c> asked: Xinference drops it).
    /// </summary>
    private (int, JsonNode?) Embed(string body)
    {
        JsonObject request;
        try
        {
            request = JsonNode.Parse(body)!.AsObject();
        }
        catch (Exception)
        {
            return (400, Detail("Invalid JSON body"));
        }
        var uid = request["model"]?.ToString() ?? "";
        if (!_instances.TryGetValue(uid, out var instance) || instance.Status is "ERROR" or "TERMINATED")
        {
            return (400, Detail($"Model not found in the model list, uid: {uid}"));
        }
        if (instance.Status != "READY")
        {
            return (503, Detail($"Model is loading, please retry later: Model {uid} is launching, not yet ready for inference"));
        }
        if (instance.ModelType != "embedding")
        {
            return (500, Detail($"'{instance.ModelType}' model {uid} has no attribute 'create_embedding'"));
        }
        var inputs = request["input"] switch
        {
            JsonArray list => list.Select(i => i?.ToString() ?? "").ToList(),
            var one => [one?.ToString() ?? ""],
        };
        Interlocked.Increment(ref _embeddings);
        var data = new JsonArray();
        var tokens = 0;
        for (var i = 0; i < inputs.Count; i++)
        {
            var seed = inputs[i].Aggregate(17, (h, c) => unchecked(h * 31 + c));
            var random = new Random(seed);
            data.Add(new JsonObject
            {
                ["index"] = i,
                ["object"] = "embedding",
                ["embedding"] = new JsonArray(Enumerable.Range(0, EmbeddingDimensions).Select(_ => (JsonNode)Math.Round(random.NextDouble() * 2 - 1, 6)).ToArray()),
            });
            tokens += Math.Max(1, inputs[i].Split(' ', StringSplitOptions.RemoveEmptyEntries).Length);
        }
        return (200, new JsonObject
        {
            ["object"] = "list",
            ["model"] = uid,
            ["data"] = data,
            ["usage"] = new JsonObject { ["prompt_tokens"] = tokens, ["total_tokens"] = tokens },
        });
    }

    /// <summary>The length of the fake's embedding vectors.</summary>
    public const int EmbeddingDimensions = 16;

    /// <summary>Embedding requests answered.</summary>
    public int Embeddings => _embeddings;

    private int _embeddings;

    private static JsonObject Usage(int prompt, int completion) =>
        new() { ["prompt_tokens"] = prompt, ["completion_tokens"] = completion, ["total_tokens"] = prompt + completion };

    private static JsonObject Detail(string detail) => new() { ["detail"] = detail };

    internal static async Task<int> WriteAsync(HttpContext context, int status, JsonNode? body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body?.ToJsonString() ?? "null");
        return status;
    }
}
