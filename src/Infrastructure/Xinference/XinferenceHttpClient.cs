using System.Net;
using Microsoft.Extensions.DependencyInjection;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using ModelsHub.Contracts.Models;
using ModelsHub.Core.Servers;

namespace ModelsHub.Infrastructure.Xinference;

/// <summary>Settings of the hub's calls to Xinference servers (section <c>Xinference</c>).</summary>
public sealed class XinferenceOptions
{
    public const string Section = "Xinference";

    /// <summary>How long one call may take (a registration of a large family, a launch request).</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>
/// Xinference's REST API over HTTP, the way its own Python client calls it
/// (<c>xinference/client/restful/restful_client.py</c>): JSON bodies, <c>Authorization: Bearer</c>
/// with the server's key, errors as <c>{"detail": ...}</c> (FastAPI's <c>HTTPException</c>).
/// </summary>
public sealed class XinferenceHttpClient(HttpClient http, IOptions<XinferenceOptions> options) : IXinferenceClient
{
    private static readonly JsonSerializerOptions Json = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public async Task<XinferenceVersion> GetVersionAsync(XinferenceEndpoint server, CancellationToken cancellationToken)
    {
        using var body = await SendAsync(server, HttpMethod.Get, "/v1/cluster/version", null, cancellationToken);
        var root = body.RootElement;
        return new XinferenceVersion(Text(root, "version") ?? "unknown", Text(root, "full-revisionid"));
    }

    public async Task<IReadOnlyList<ServerNode>> GetClusterInfoAsync(XinferenceEndpoint server, CancellationToken cancellationToken)
    {
        using var body = await SendAsync(server, HttpMethod.Get, "/v1/cluster/info?detailed=true", null, cancellationToken);
        if (body.RootElement.ValueKind != JsonValueKind.Array)
        {
            throw new XinferenceException($"{server} answered /v1/cluster/info with something other than a list of nodes.", 200, null);
        }
        return body.RootElement.EnumerateArray().Where(n => n.ValueKind == JsonValueKind.Object).Select(n => new ServerNode(
            Text(n, "node_type") ?? "Worker",
            Text(n, "ip_address") ?? "",
            Number(n, "cpu_count"),
            Number(n, "cpu_available"),
            Number(n, "mem_used"),
            Number(n, "mem_available"),
            Number(n, "mem_total"),
            (int)(Number(n, "gpu_count") ?? 0),
            Number(n, "gpu_vram_total"),
            Number(n, "gpu_vram_available"),
            Number(n, "gpu_utilization"))).ToList();
    }

    public async Task<IReadOnlyList<XinferenceRegistration>> ListRegistrationsAsync(XinferenceEndpoint server, ModelType type, CancellationToken cancellationToken)
    {
        using var body = await SendAsync(server, HttpMethod.Get, $"/v1/model_registrations/{XinferenceTypes.NameOf(type)}?detailed=false", null, cancellationToken);
        return body.RootElement.ValueKind != JsonValueKind.Array
            ? []
            : body.RootElement.EnumerateArray().Where(r => Text(r, "model_name") is not null)
                .Select(r => new XinferenceRegistration(Text(r, "model_name")!, r.TryGetProperty("is_builtin", out var b) && b.ValueKind == JsonValueKind.True)).ToList();
    }

    public async Task RegisterAsync(XinferenceEndpoint server, ModelType type, string model, CancellationToken cancellationToken)
    {
        var request = new JsonObject { ["model"] = model, ["worker_ip"] = null, ["persist"] = true };
        using var _ = await SendAsync(server, HttpMethod.Post, $"/v1/model_registrations/{XinferenceTypes.NameOf(type)}", request, cancellationToken);
    }

    public async Task UnregisterAsync(XinferenceEndpoint server, ModelType type, string modelName, CancellationToken cancellationToken)
    {
        using var _ = await SendAsync(server, HttpMethod.Delete,
            $"/v1/model_registrations/{XinferenceTypes.NameOf(type)}/{Uri.EscapeDataString(modelName)}", null, cancellationToken);
    }

    public async Task<string> LaunchAsync(XinferenceEndpoint server, XinferenceLaunch launch, CancellationToken cancellationToken)
    {
        var payload = new JsonObject
        {
            ["model_uid"] = launch.ModelUid,
            ["model_name"] = launch.ModelName,
            ["model_engine"] = launch.Engine,
            ["peft_model_config"] = null,
            ["model_type"] = XinferenceTypes.NameOf(launch.Type),
            ["model_size_in_billions"] = launch.SizeInBillions is { } size ? JsonNode.Parse(size.GetRawText()) : null,
            ["model_format"] = launch.Format,
            ["quantization"] = launch.Quantization,
            ["replica"] = launch.Replicas,
            ["n_gpu"] = launch.Gpus is { } gpus ? JsonNode.Parse(gpus.GetRawText()) : null,
            ["request_limits"] = null,
            ["worker_ip"] = null,
            ["gpu_idx"] = null,
            ["envs"] = launch.Env.Count == 0 ? null : new JsonObject(launch.Env.Select(e => KeyValuePair.Create(e.Key, (JsonNode?)e.Value))),
        };
        foreach (var (key, value) in launch.Parameters)
        {
            payload[key] = JsonNode.Parse(value.GetRawText());
        }
        using var body = await SendAsync(server, HttpMethod.Post, "/v1/models?wait_ready=false", payload, cancellationToken);
        return Text(body.RootElement, "model_uid") ?? launch.ModelUid;
    }

    public async Task<XinferenceInstance?> GetInstanceAsync(XinferenceEndpoint server, string modelUid, CancellationToken cancellationToken)
    {
        using var body = await SendAsync(server, HttpMethod.Get, $"/v1/models/instances?model_uid={Uri.EscapeDataString(modelUid)}", null, cancellationToken);
        if (body.RootElement.ValueKind != JsonValueKind.Array)
        {
            return null;
        }
        foreach (var info in body.RootElement.EnumerateArray())
        {
            if (Text(info, "model_uid") != modelUid) continue;
            string? error = null;
            if (info.TryGetProperty("replica_statuses", out var replicas) && replicas.ValueKind == JsonValueKind.Array)
            {
                var messages = replicas.EnumerateArray().Select(r => Text(r, "error_message")).Where(m => !string.IsNullOrEmpty(m)).Distinct().ToList();
                error = messages.Count == 0 ? null : string.Join("; ", messages);
            }
            return new XinferenceInstance(modelUid, Text(info, "model_name") ?? "", Text(info, "status") ?? "", error);
        }
        return null;
    }

    public async Task<XinferenceProgress> GetProgressAsync(XinferenceEndpoint server, string modelUid, CancellationToken cancellationToken)
    {
        using var body = await SendAsync(server, HttpMethod.Get, $"/v1/models/{Uri.EscapeDataString(modelUid)}/progress", null, cancellationToken);
        return new XinferenceProgress(Number(body.RootElement, "progress") ?? 0, Text(body.RootElement, "stage"));
    }

    public async Task<JsonElement?> DescribeAsync(XinferenceEndpoint server, string modelUid, CancellationToken cancellationToken)
    {
        try
        {
            using var body = await SendAsync(server, HttpMethod.Get, $"/v1/models/{Uri.EscapeDataString(modelUid)}", null, cancellationToken);
            return body.RootElement.Clone();
        }
        catch (XinferenceException ex) when (ex.Status == 503 || (ex.Status == 400 && IsNotInList(ex)))
        {
            // 503: still loading; 400: not (or no longer) in the model list.
            return null;
        }
    }

    public async Task<bool> TerminateAsync(XinferenceEndpoint server, string modelUid, CancellationToken cancellationToken)
    {
        try
        {
            using var _ = await SendAsync(server, HttpMethod.Delete, $"/v1/models/{Uri.EscapeDataString(modelUid)}", null, cancellationToken);
            return true;
        }
        catch (XinferenceException ex) when (ex.Status == 400 && IsNotInList(ex))
        {
            return false;
        }
    }

    public async Task<IReadOnlyList<XinferenceRunningModel>> ListRunningAsync(XinferenceEndpoint server, CancellationToken cancellationToken)
    {
        using var body = await SendAsync(server, HttpMethod.Get, "/v1/models", null, cancellationToken);
        return body.RootElement.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Array
            ? data.EnumerateArray().Where(m => Text(m, "id") is not null)
                .Select(m => new XinferenceRunningModel(Text(m, "id")!, Text(m, "model_name"), Text(m, "model_type"))).ToList()
            : [];
    }

    private static bool IsNotInList(XinferenceException ex) => ex.Reason.Contains("not found", StringComparison.OrdinalIgnoreCase);

    private async Task<JsonDocument> SendAsync(XinferenceEndpoint server, HttpMethod method, string path, JsonNode? body, CancellationToken cancellationToken)
    {
        var url = new Uri(server.BaseUrl.ToString().TrimEnd('/') + path);
        using var request = new HttpRequestMessage(method, url);
        if (server.ApiKey is { Length: > 0 } key)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(Json), Encoding.UTF8, "application/json");
        }
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.RequestTimeout);
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token);
        }
        catch (HttpRequestException ex)
        {
            throw new XinferenceException($"{server} did not answer {method} {path}: {ex.Message}", null, null, ex);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new XinferenceException($"{server} did not answer {method} {path} within {options.Value.RequestTimeout.TotalSeconds:0} s.", null, null, ex);
        }
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                var detail = Detail(text);
                throw new XinferenceException($"{server} answered {method} {path} with {(int)response.StatusCode}: {detail ?? response.ReasonPhrase}",
                    (int)response.StatusCode, detail);
            }
            try
            {
                return JsonDocument.Parse(text.Length == 0 ? "null" : text);
            }
            catch (JsonException ex)
            {
                throw new XinferenceException($"{server} answered {method} {path} with something that is not JSON.", (int)response.StatusCode, null, ex);
            }
        }
    }

    /// <summary>FastAPI's <c>detail</c>: a message, or a validation error list (its messages joined).</summary>
    private static string? Detail(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            if (!document.RootElement.TryGetProperty("detail", out var detail)) return Shorten(text);
            return detail.ValueKind switch
            {
                JsonValueKind.String => detail.GetString(),
                JsonValueKind.Array => string.Join("; ", detail.EnumerateArray().Select(e => Text(e, "msg") ?? e.GetRawText())),
                _ => detail.GetRawText(),
            };
        }
        catch (JsonException)
        {
            return text.Length == 0 ? null : Shorten(text);
        }
    }

    private static string Shorten(string text) => text.Length <= 500 ? text : text[..500] + "…";

    private static string? Text(JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    /// <summary>A number, also where Xinference writes one as text ("24576MiB" without the detail flag).</summary>
    private static double? Number(JsonElement obj, string name)
    {
        if (obj.ValueKind != JsonValueKind.Object || !obj.TryGetProperty(name, out var v)) return null;
        if (v.ValueKind == JsonValueKind.Number) return v.GetDouble();
        if (v.ValueKind == JsonValueKind.String && v.GetString() is { } s)
        {
            if (s.EndsWith("MiB", StringComparison.Ordinal) && double.TryParse(s[..^3], System.Globalization.CultureInfo.InvariantCulture, out var mib))
            {
                return mib * 1024 * 1024;
            }
            return double.TryParse(s, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : null;
        }
        return null;
    }
}

public static class XinferenceServiceExtensions
{
    public static IServiceCollection AddHubXinference(this IServiceCollection services, Microsoft.Extensions.Configuration.IConfiguration configuration)
    {
        services.AddOptions<XinferenceOptions>().Bind(configuration.GetSection(XinferenceOptions.Section))
            .Validate(o => o.RequestTimeout > TimeSpan.Zero && o.RequestTimeout <= TimeSpan.FromMinutes(10),
                $"{XinferenceOptions.Section}:RequestTimeout must be between 00:00:00.001 and 00:10:00.")
            .ValidateOnStart();
        services.AddSingleton<IXinferenceClient>(sp => new XinferenceHttpClient(
            new HttpClient(new SocketsHttpHandler
            {
                PooledConnectionLifetime = TimeSpan.FromMinutes(2),
                ConnectTimeout = TimeSpan.FromSeconds(10),
                AutomaticDecompression = DecompressionMethods.All,
            }) { Timeout = Timeout.InfiniteTimeSpan },
            sp.GetRequiredService<IOptions<XinferenceOptions>>()));
        return services;
    }
}
