using System.Text.Json.Serialization;
using ModelsHub.Core.Common;

namespace ModelsHub.Core.Servers;

/// <summary>
/// A registered inference server: a Xinference cluster the hub deploys models on and pushes its
/// models to. Its API key is kept encrypted (<see cref="ProtectedApiKey"/>) and never shown. The
/// document changes only when someone edits the server or its reachability flips, so the
/// <c>ServerMonitor</c>'s minute-by-minute samples (nodes, last contact) live in the metrics series.
/// </summary>
public sealed class InferenceServer : IStoredDocument<InferenceServer>
{
    /// <summary>The name in lowercase: names are unique ignoring case.</summary>
    public required string Id { get; init; }

    public required string Name { get; init; }

    /// <summary>The server's base address (what Xinference's client takes), without a trailing slash.</summary>
    public required string Url { get; set; }

    public string Description { get; set; } = "";

    /// <summary>The API key, encrypted with the hub's <see cref="GitHub.ISecretProtector"/>; null when the server needs none.</summary>
    public string? ProtectedApiKey { get; set; }

    public string? ApiKeyLastFour { get; set; }

    /// <summary>Xinference's version (<c>GET /v1/cluster/version</c>: <c>version</c>, <c>full-revisionid</c>).</summary>
    public string? Version { get; set; }

    public string? Revision { get; set; }

    public bool Reachable { get; set; } = true;

    /// <summary>The last time the server answered, as of the last reachability change (the series has every poll since).</summary>
    public DateTimeOffset? LastSeenAt { get; set; }

    public DateTimeOffset? UnreachableSince { get; set; }

    /// <summary>Why the last poll that failed failed.</summary>
    public string? LastError { get; set; }

    /// <summary>The nodes as of registration or the last reachability change.</summary>
    public List<ServerNode> Nodes { get; set; } = [];

    /// <summary>
    /// What the hub registered there, by <c>{type}/{model name}</c>: a fingerprint of the registration
    /// it sent, so a push can tell a model it registered before and that has not changed since.
    /// </summary>
    public Dictionary<string, string> Registered { get; set; } = new(StringComparer.Ordinal);

    public required string CreatedBy { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; set; }

    [JsonIgnore]
    public string? ETag { get; set; }

    public static string IdFor(string name) => name.ToLowerInvariant();

    /// <summary>The series the monitor appends this server's samples to.</summary>
    [JsonIgnore]
    public string Series => SeriesFor(Name);

    public static string SeriesFor(string name) => "server:" + IdFor(name);

    public InferenceServer Clone() => new()
    {
        Id = Id,
        Name = Name,
        Url = Url,
        Description = Description,
        ProtectedApiKey = ProtectedApiKey,
        ApiKeyLastFour = ApiKeyLastFour,
        Version = Version,
        Revision = Revision,
        Reachable = Reachable,
        LastSeenAt = LastSeenAt,
        UnreachableSince = UnreachableSince,
        LastError = LastError,
        Nodes = [.. Nodes],
        Registered = new Dictionary<string, string>(Registered, StringComparer.Ordinal),
        CreatedBy = CreatedBy,
        CreatedAt = CreatedAt,
        UpdatedAt = UpdatedAt,
        ETag = ETag,
    };
}

/// <summary>
/// One node of a cluster as <c>GET /v1/cluster/info?detailed=true</c> reports it (bytes for memory
/// and VRAM, percent for GPU utilization); a worker whose status lacked its CPU block has nulls.
/// </summary>
public sealed record ServerNode(
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

/// <summary>Where registered inference servers are kept.</summary>
public interface IInferenceServerStore
{
    /// <summary>Stores a new server; <see cref="ConflictException"/> when the name is taken.</summary>
    Task<InferenceServer> CreateAsync(InferenceServer server, CancellationToken cancellationToken);

    /// <summary>The server, or null.</summary>
    Task<InferenceServer?> FindAsync(string name, CancellationToken cancellationToken);

    /// <summary>Replaces it if its ETag still matches (<see cref="PreconditionFailedException"/>, <see cref="NotFoundException"/>).</summary>
    Task<InferenceServer> ReplaceAsync(InferenceServer server, string ifMatch, CancellationToken cancellationToken);

    /// <summary>Deletes it (only with that ETag when <paramref name="ifMatch"/> is given); deleting what is not there succeeds.</summary>
    Task DeleteAsync(string name, string? ifMatch, CancellationToken cancellationToken);

    /// <summary>Every server, by name.</summary>
    Task<IReadOnlyList<InferenceServer>> ListAsync(CancellationToken cancellationToken);
}
