using System.Text.Json;
using ModelsHub.Contracts;
using ModelsHub.Contracts.Models;
using ModelsHub.Core.Common;

namespace ModelsHub.Core.Servers;

/// <summary>A Xinference server to talk to: its base address and the API key in clear (held only for the call).</summary>
public sealed record XinferenceEndpoint(Uri BaseUrl, string? ApiKey)
{
    public override string ToString() => BaseUrl.ToString();
}

/// <summary><c>GET /v1/cluster/version</c>.</summary>
public sealed record XinferenceVersion(string Version, string? Revision);

/// <summary>A row of <c>GET /v1/model_registrations/{type}</c>: a model the server can launch, and whether it ships with Xinference.</summary>
public sealed record XinferenceRegistration(string ModelName, bool IsBuiltin);

/// <summary>
/// <c>POST /v1/models</c>: what to launch under which uid. <see cref="Gpus"/> is <c>n_gpu</c> (a
/// number, <c>"auto"</c>, or null for CPU only); <see cref="Parameters"/> become extra launch
/// arguments next to the named ones, <see cref="Env"/> the model process's <c>envs</c>.
/// </summary>
public sealed record XinferenceLaunch(
    string ModelUid,
    string ModelName,
    ModelType Type,
    string? Engine,
    string? Format,
    JsonElement? SizeInBillions,
    string? Quantization,
    int Replicas,
    JsonElement? Gpus,
    IReadOnlyDictionary<string, JsonElement> Parameters,
    IReadOnlyDictionary<string, string> Env);

/// <summary>
/// A model instance as <c>GET /v1/models/instances?model_uid=</c> reports it: <c>CREATING</c>,
/// <c>READY</c>, <c>ERROR</c> (with the replicas' error messages) and so on.
/// </summary>
public sealed record XinferenceInstance(string ModelUid, string ModelName, string Status, string? Error);

/// <summary><c>GET /v1/models/{uid}/progress</c>: 0..1 and the stage (<c>pending</c>, <c>downloading</c>, <c>loading</c>, ...).</summary>
public sealed record XinferenceProgress(double Progress, string? Stage);

/// <summary>A running model in <c>GET /v1/models</c>.</summary>
public sealed record XinferenceRunningModel(string ModelUid, string? ModelName, string? ModelType);

/// <summary>
/// Xinference's REST API, as the hub uses it (xorbitsai/inference <c>xinference/api/restful_api.py</c>).
/// Calls that the server refuses throw <see cref="XinferenceException"/> with its status and
/// <c>detail</c>; a server that does not answer (refused connection, timeout, 5xx proxies) throws it
/// with <see cref="XinferenceException.Unreachable"/>.
/// </summary>
public interface IXinferenceClient
{
    Task<XinferenceVersion> GetVersionAsync(XinferenceEndpoint server, CancellationToken cancellationToken);

    /// <summary><c>GET /v1/cluster/info?detailed=true</c>.</summary>
    Task<IReadOnlyList<ServerNode>> GetClusterInfoAsync(XinferenceEndpoint server, CancellationToken cancellationToken);

    Task<IReadOnlyList<XinferenceRegistration>> ListRegistrationsAsync(XinferenceEndpoint server, ModelType type, CancellationToken cancellationToken);

    /// <summary><c>POST /v1/model_registrations/{type}</c> with <c>{model, worker_ip: null, persist: true}</c>.</summary>
    Task RegisterAsync(XinferenceEndpoint server, ModelType type, string model, CancellationToken cancellationToken);

    /// <summary><c>DELETE /v1/model_registrations/{type}/{name}</c>.</summary>
    Task UnregisterAsync(XinferenceEndpoint server, ModelType type, string modelName, CancellationToken cancellationToken);

    /// <summary><c>POST /v1/models?wait_ready=false</c>: starts the launch and returns the uid at once.</summary>
    Task<string> LaunchAsync(XinferenceEndpoint server, XinferenceLaunch launch, CancellationToken cancellationToken);

    /// <summary>The instance with this uid, or null when the server has none.</summary>
    Task<XinferenceInstance?> GetInstanceAsync(XinferenceEndpoint server, string modelUid, CancellationToken cancellationToken);

    Task<XinferenceProgress> GetProgressAsync(XinferenceEndpoint server, string modelUid, CancellationToken cancellationToken);

    /// <summary><c>GET /v1/models/{uid}</c>: the running model's description; null while it is not in the model list.</summary>
    Task<JsonElement?> DescribeAsync(XinferenceEndpoint server, string modelUid, CancellationToken cancellationToken);

    /// <summary><c>DELETE /v1/models/{uid}</c>; false when the server had no such model.</summary>
    Task<bool> TerminateAsync(XinferenceEndpoint server, string modelUid, CancellationToken cancellationToken);

    /// <summary><c>GET /v1/models</c>.</summary>
    Task<IReadOnlyList<XinferenceRunningModel>> ListRunningAsync(XinferenceEndpoint server, CancellationToken cancellationToken);
}

/// <summary>A Xinference call failed: the server refused it (<see cref="Status"/>, <see cref="Detail"/>), or never answered.</summary>
public sealed class XinferenceException(string message, int? status, string? detail, Exception? inner = null) : HubException(message, inner)
{
    /// <summary>The HTTP status the server answered with; null when it did not answer.</summary>
    public int? Status { get; } = status;

    /// <summary>Xinference's <c>detail</c> (its reason), when it gave one.</summary>
    public string? Detail { get; } = detail;

    /// <summary>No answer at all, or a gateway in front of the server saying it is down: worth trying again later.</summary>
    public bool Unreachable => Status is null or 502 or 503 or 504;

    /// <summary>The server's reason, or the message when it gave none.</summary>
    public string Reason => string.IsNullOrWhiteSpace(Detail) ? Message : Detail;
}

/// <summary>How Xinference names the six types in its paths and launch bodies (<c>LLM</c>, not <c>llm</c>).</summary>
public static class XinferenceTypes
{
    public static string NameOf(ModelType type) => type == ModelType.Llm ? "LLM" : EnumNames<ModelType>.NameOf(type);
}
