using System.Text.Json;
using ModelsHub.Contracts.Workflows;

namespace ModelsHub.Contracts.Deployments;

/// <summary>
/// A hub model (version) deployed on an inference server. <see cref="ModelUid"/> is the model's uid on
/// the server (the hub derives it from the deployment, so a repeated launch finds its own model);
/// <see cref="Endpoint"/> the server's OpenAI-compatible base address that serves it.
/// </summary>
public sealed record DeploymentDto(
    string Id,
    string Model,
    string? Version,
    string Server,
    string ModelType,
    string ModelUid,
    string? Engine,
    string? Format,
    string? SizeInBillions,
    string? Quantization,
    int Replicas,
    JsonElement? Gpus,
    JsonElement Parameters,
    IReadOnlyDictionary<string, string> Env,
    string? InputFormat,
    string? OutputFormat,
    DeploymentDefaultsDto Defaults,
    DeploymentState State,
    DateTimeOffset StateChangedAt,
    string? Error,
    double? Progress,
    string? Stage,
    bool RegisteredByHub,
    string Endpoint,
    IReadOnlyList<DeploymentTransitionDto> History,
    string CreatedBy,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DeploymentWorkflowDto? Workflow);

/// <summary>
/// The hub-wide defaults (<c>Deployments:Defaults</c>) the deployment's launch applies unless its own
/// parameters or environment set the same thing: how each maps onto the launch is in the README.
/// </summary>
public sealed record DeploymentDefaultsDto(double? GpuMemoryUtilization, int? BatchSize, string? CacheDirectory, string? LogLevel);

/// <summary>One state the deployment entered, when, and why (the server's reason for a failure).</summary>
public sealed record DeploymentTransitionDto(DeploymentState State, DateTimeOffset At, string? Detail);

/// <summary>The workflow carrying out the deployment's latest start, stop or delete.</summary>
public sealed record DeploymentWorkflowDto(string Id, WorkflowStatus Status, string Step, int Attempt, DateTimeOffset? NextAttemptAt, string? LastError);

public sealed record DeploymentListResponse(IReadOnlyList<DeploymentDto> Items, string? ContinuationToken);

/// <summary>
/// <c>POST /api/deployments</c>. <see cref="Gpus"/> is a number, <c>"auto"</c> (the default) or null
/// (CPU only); <see cref="Parameters"/> go into the launch as Xinference's extra launch arguments,
/// <see cref="Env"/> as the model process's environment.
/// </summary>
public sealed record DeploymentRequest(
    string? Model,
    string? Version,
    string? Server,
    string? Engine,
    string? Format,
    JsonElement? SizeInBillions,
    string? Quantization,
    int? Replicas,
    JsonElement? Gpus,
    JsonElement? Parameters,
    IReadOnlyDictionary<string, string>? Env,
    string? InputFormat,
    string? OutputFormat);

/// <summary>
/// A deployment's monitoring over [<see cref="From"/>, <see cref="To"/>): its state changes, its
/// server's series (the cluster's CPU, memory, GPU and VRAM; per node at the server's own route), and
/// the calls made to it.
/// </summary>
public sealed record DeploymentMetricsResponse(
    string Deployment,
    DateTimeOffset From,
    DateTimeOffset To,
    int StepSeconds,
    IReadOnlyList<DeploymentTransitionDto> States,
    IReadOnlyList<Servers.ServerMetricPointDto> Server,
    DeploymentUsageDto? Usage);

/// <summary>
/// Calls to the deployment (test calls and the gateway) in the whole hours (days, for ranges over 31 days) that the
/// range touches, from the usage rollups: totals with latency percentiles, throughput over that span, and one bucket
/// per hour (or day) that had calls.
/// </summary>
public sealed record DeploymentUsageDto(
    DateTimeOffset From,
    DateTimeOffset To,
    Usage.UsageGranularity Granularity,
    Usage.UsageStats Totals,
    double CallsPerMinute,
    double OutputTokensPerSecond,
    IReadOnlyList<Usage.UsageBucket> Buckets);
