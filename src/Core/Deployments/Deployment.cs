using System.Text.Json;
using System.Text.Json.Serialization;
using ModelsHub.Contracts.Deployments;
using ModelsHub.Contracts.Models;
using ModelsHub.Core.Common;

namespace ModelsHub.Core.Deployments;

/// <summary>
/// A hub model (version) deployed on an inference server, with the settings it launches with and
/// where it is. Its <see cref="Id"/> is also the model's uid on the server, so a launch that runs
/// again after a crash finds the model it already launched instead of starting a second one. Each
/// start, stop or delete bumps <see cref="Generation"/> and is carried out by its own workflow
/// (<see cref="WorkflowIdFor"/>); a workflow of an older generation does nothing more.
/// </summary>
public sealed class Deployment : IStoredDocument<Deployment>
{
    /// <summary>Lowercase, <c>{model}-{8 hex}</c>; Xinference's uid rules hold (1-100 characters, no <c>-rep{n}</c> ending).</summary>
    public required string Id { get; init; }

    public required string Model { get; init; }

    /// <summary>The model's version label it serves (null when the model has no ready version).</summary>
    public string? Version { get; init; }

    /// <summary>The server's name.</summary>
    public required string Server { get; init; }

    public ModelType ModelType { get; init; }

    public string? Engine { get; init; }

    public string? Format { get; init; }

    /// <summary><c>model_size_in_billions</c> as Xinference takes it (a number, or text such as <c>"1_8"</c>).</summary>
    public JsonElement? SizeInBillions { get; init; }

    public string? Quantization { get; init; }

    public int Replicas { get; init; } = 1;

    /// <summary><c>n_gpu</c>: a number, <c>"auto"</c>, or null (CPU only).</summary>
    public JsonElement? Gpus { get; init; }

    /// <summary>Extra launch arguments (a JSON object), after the hub's defaults.</summary>
    public JsonElement Parameters { get; init; } = EmptyObject;

    public Dictionary<string, string> Env { get; init; } = new(StringComparer.Ordinal);

    public string? InputFormat { get; init; }

    public string? OutputFormat { get; init; }

    /// <summary>The hub's defaults as the latest launch applied them.</summary>
    public DeploymentDefaults Defaults { get; set; } = new();

    public DeploymentState State { get; set; } = DeploymentState.Pending;

    public DateTimeOffset StateChangedAt { get; set; }

    /// <summary>Why it failed (the server's reason), or why it could not be stopped.</summary>
    public string? Error { get; set; }

    public double? Progress { get; set; }

    public string? Stage { get; set; }

    /// <summary>True once the hub registered the model's entries on the server for it.</summary>
    public bool RegisteredByHub { get; set; }

    /// <summary>Bumped by every start, stop and delete; names the workflow that carries it out.</summary>
    public int Generation { get; set; } = 1;

    /// <summary>What the current generation does: start, stop, or delete (stop, then forget).</summary>
    public DeploymentAction Action { get; set; } = DeploymentAction.Start;

    /// <summary>When the current launch began (for its time limit).</summary>
    public DateTimeOffset? LaunchStartedAt { get; set; }

    public List<DeploymentTransition> History { get; set; } = [];

    public required string CreatedBy { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; set; }

    [JsonIgnore]
    public string? ETag { get; set; }

    /// <summary>The model's uid on its server.</summary>
    [JsonIgnore]
    public string ModelUid => Id;

    /// <summary>The OpenAI-compatible base address of a server (its <c>/v1</c>), where its running models are called.</summary>
    public static Uri EndpointOf(string serverUrl) => new(serverUrl.TrimEnd('/') + "/v1");

    [JsonIgnore]
    public string WorkflowId => WorkflowIdFor(Id, Generation);

    public static string WorkflowIdFor(string id, int generation) => $"deployment-{id}-{generation}";

    /// <summary>States in which a model may be on the server (or on its way there).</summary>
    public static IReadOnlySet<DeploymentState> Active { get; } = new HashSet<DeploymentState>
    {
        DeploymentState.Pending, DeploymentState.Registering, DeploymentState.Launching, DeploymentState.Running,
        DeploymentState.Stopping, DeploymentState.Unreachable,
    };

    /// <summary>States a workflow is still carrying out.</summary>
    public bool InProgress => State is DeploymentState.Pending or DeploymentState.Registering or DeploymentState.Launching or DeploymentState.Stopping;

    /// <summary>Moves to <paramref name="state"/> (when it is another state), recording when and why.</summary>
    public void Enter(DeploymentState state, DateTimeOffset at, string? detail = null)
    {
        if (State == state && detail == History.LastOrDefault()?.Detail)
        {
            return;
        }
        State = state;
        StateChangedAt = at;
        History.Add(new DeploymentTransition(state, at, detail));
        if (History.Count > MaxHistory)
        {
            History.RemoveRange(0, History.Count - MaxHistory);
        }
    }

    public const int MaxHistory = 200;

    public static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement.Clone();

    public Deployment Clone() => new()
    {
        Id = Id,
        Model = Model,
        Version = Version,
        Server = Server,
        ModelType = ModelType,
        Engine = Engine,
        Format = Format,
        SizeInBillions = SizeInBillions,
        Quantization = Quantization,
        Replicas = Replicas,
        Gpus = Gpus,
        Parameters = Parameters,
        Env = new Dictionary<string, string>(Env, StringComparer.Ordinal),
        InputFormat = InputFormat,
        OutputFormat = OutputFormat,
        Defaults = Defaults,
        State = State,
        StateChangedAt = StateChangedAt,
        Error = Error,
        Progress = Progress,
        Stage = Stage,
        RegisteredByHub = RegisteredByHub,
        Generation = Generation,
        Action = Action,
        LaunchStartedAt = LaunchStartedAt,
        History = [.. History],
        CreatedBy = CreatedBy,
        CreatedAt = CreatedAt,
        UpdatedAt = UpdatedAt,
        ETag = ETag,
    };
}

public enum DeploymentAction { Start, Stop, Delete }

public sealed record DeploymentTransition(DeploymentState State, DateTimeOffset At, string? Detail);

/// <summary>
/// The hub-wide launch defaults (<c>Deployments:Defaults</c>, seed 004's global configuration). Each
/// set one becomes a launch parameter or an environment variable of the model process, unless the
/// deployment sets that key itself: <see cref="Apply"/>.
/// </summary>
public sealed record DeploymentDefaults
{
    /// <summary>The share of each GPU's memory the engine may take (0-1]: launch parameter <c>gpu_memory_utilization</c>.</summary>
    public double? GpuMemoryUtilization { get; set; }

    /// <summary>How many sequences the engine batches at most: launch parameter <c>max_num_seqs</c>.</summary>
    public int? BatchSize { get; set; }

    /// <summary>Where the model process caches downloads: environment variable <c>HF_HOME</c>.</summary>
    public string? CacheDirectory { get; set; }

    /// <summary>The model process's log level: environment variable <c>XINFERENCE_LOG_LEVEL</c>.</summary>
    public string? LogLevel { get; set; }

    public const string GpuMemoryParameter = "gpu_memory_utilization";
    public const string BatchSizeParameter = "max_num_seqs";
    public const string CacheDirectoryVariable = "HF_HOME";
    public const string LogLevelVariable = "XINFERENCE_LOG_LEVEL";

    /// <summary>The launch's parameters and environment: the defaults, then the deployment's own on top.</summary>
    public (Dictionary<string, JsonElement> Parameters, Dictionary<string, string> Env) Apply(JsonElement parameters, IReadOnlyDictionary<string, string> env)
    {
        var p = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        if (GpuMemoryUtilization is { } share) p[GpuMemoryParameter] = JsonSerializer.SerializeToElement(share);
        if (BatchSize is { } batch) p[BatchSizeParameter] = JsonSerializer.SerializeToElement(batch);
        if (parameters.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in parameters.EnumerateObject())
            {
                p[property.Name] = property.Value.Clone();
            }
        }
        var e = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!string.IsNullOrEmpty(CacheDirectory)) e[CacheDirectoryVariable] = CacheDirectory;
        if (!string.IsNullOrEmpty(LogLevel)) e[LogLevelVariable] = LogLevel;
        foreach (var (key, value) in env)
        {
            e[key] = value;
        }
        return (p, e);
    }
}

/// <summary>Which deployments a listing shows.</summary>
public sealed record DeploymentQuery(string? Model = null, string? Server = null, DeploymentState? State = null, int PageSize = Paging.DefaultPageSize,
    string? ContinuationToken = null);

/// <summary>Where deployments are kept.</summary>
public interface IDeploymentStore
{
    /// <summary>Stores a new deployment; <see cref="ConflictException"/> when the id is taken.</summary>
    Task<Deployment> CreateAsync(Deployment deployment, CancellationToken cancellationToken);

    Task<Deployment?> FindAsync(string id, CancellationToken cancellationToken);

    Task<Deployment> ReplaceAsync(Deployment deployment, string ifMatch, CancellationToken cancellationToken);

    Task DeleteAsync(string id, string? ifMatch, CancellationToken cancellationToken);

    /// <summary>A page of deployments, newest first, filtered by model (ignoring case), server (ignoring case) and state.</summary>
    Task<Page<Deployment>> QueryAsync(DeploymentQuery query, CancellationToken cancellationToken);

    /// <summary>Every deployment in one of <paramref name="states"/> (on one server when <paramref name="server"/> is given).</summary>
    Task<IReadOnlyList<Deployment>> ListInStatesAsync(IReadOnlyCollection<DeploymentState> states, string? server, CancellationToken cancellationToken);
}
