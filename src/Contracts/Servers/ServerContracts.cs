namespace ModelsHub.Contracts.Servers;

/// <summary>
/// An inference server (a Xinference cluster) as the API shows it. The API key is never shown: only
/// whether one is kept and its last four characters. Version, reachability, last contact and the
/// nodes come from the registration's verification and the <c>ServerMonitor</c> timer's polls.
/// </summary>
public sealed record InferenceServerDto(
    string Name,
    string Url,
    string Description,
    bool HasApiKey,
    string? ApiKeyLastFour,
    string? Version,
    string? Revision,
    bool Reachable,
    DateTimeOffset? LastSeenAt,
    DateTimeOffset? UnreachableSince,
    string? LastError,
    IReadOnlyList<ServerNodeDto> Nodes,
    int ActiveDeployments,
    string CreatedBy,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>
/// One node of the cluster as <c>GET /v1/cluster/info?detailed=true</c> reports it: the supervisor
/// or a worker, its CPUs (count and how many are idle), memory and GPUs in bytes, GPU utilization in
/// percent (the average over its GPUs; null without GPUs).
/// </summary>
public sealed record ServerNodeDto(
    string NodeType,
    string Address,
    double? CpuCount,
    double? CpuAvailable,
    double? MemoryUsed,
    double? MemoryAvailable,
    double? MemoryTotal,
    int GpuCount,
    double? GpuVramTotal,
    double? GpuVramAvailable,
    double? GpuUtilization);

public sealed record InferenceServerListResponse(IReadOnlyList<InferenceServerDto> Items);

/// <summary>Registering (<c>POST</c>) or changing (<c>PATCH</c>) a server. The key is write-only.</summary>
public sealed record InferenceServerRequest(string? Name, string? Url, string? ApiKey, string? Description);

/// <summary>
/// A server's monitoring series over [<see cref="From"/>, <see cref="To"/>): one point per
/// <see cref="StepSeconds"/> (1-minute points, averaged into wider steps for long ranges).
/// </summary>
public sealed record ServerMetricsResponse(string Server, DateTimeOffset From, DateTimeOffset To, int StepSeconds, IReadOnlyList<ServerMetricPointDto> Points);

/// <summary>
/// One step of the series: how many polls fell in it and how many of those reached the server, the
/// cluster's totals, and each node's averages (unless asked for without: <c>nodes=false</c>). A step
/// without polls is left out. Bytes are whole numbers, CPUs to three decimals, utilization to two.
/// </summary>
public sealed record ServerMetricPointDto(
    DateTimeOffset At,
    int Polls,
    int Reachable,
    ClusterTotalsDto Totals,
    IReadOnlyList<NodeMetricDto> Nodes);

/// <summary>The cluster as a whole in one step: averages over the step of the sums over its nodes.</summary>
public sealed record ClusterTotalsDto(
    double CpuCount,
    double CpuUsed,
    double MemoryUsed,
    double MemoryTotal,
    int GpuCount,
    double? GpuUtilization,
    double GpuVramUsed,
    double GpuVramTotal);

/// <summary>A node's averages over one step (CPU used = count − available; VRAM used = total − available).</summary>
public sealed record NodeMetricDto(
    string Address,
    string NodeType,
    double? CpuCount,
    double? CpuUsed,
    double? MemoryUsed,
    double? MemoryTotal,
    int GpuCount,
    double? GpuUtilization,
    double? GpuVramUsed,
    double? GpuVramTotal);

/// <summary><c>POST /api/inference-servers/push</c>: which servers (default: all) and model types (default: all six).</summary>
public sealed record PushRequest(IReadOnlyList<string>? Servers, IReadOnlyList<string>? Types);

/// <summary>What a push did on every server it addressed. <see cref="Succeeded"/> only when nothing failed anywhere.</summary>
public sealed record PushResponse(bool Succeeded, IReadOnlyList<ServerPushResultDto> Servers);

/// <summary>
/// One server's result: <see cref="Error"/> when the server could not be reached at all (then
/// nothing was pushed to it), otherwise one result per type.
/// </summary>
public sealed record ServerPushResultDto(string Server, bool Succeeded, string? Error, IReadOnlyList<TypePushResultDto> Types);

/// <summary>
/// One type on one server: the hub models newly registered there, re-registered because the hub's
/// entries changed, left as they were, skipped because the server has the name built in, and failed
/// (with the server's reason).
/// </summary>
public sealed record TypePushResultDto(
    string Type,
    IReadOnlyList<string> Registered,
    IReadOnlyList<string> Updated,
    IReadOnlyList<string> Unchanged,
    IReadOnlyList<string> BuiltIn,
    IReadOnlyList<PushFailureDto> Failed,
    string? Error);

public sealed record PushFailureDto(string Model, string Reason);
