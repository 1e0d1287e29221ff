using ModelsHub.Contracts;
using ModelsHub.Contracts.Deployments;
using ModelsHub.Contracts.Models;
using ModelsHub.Core.Deployments;
using ModelsHub.Core.Servers;

namespace ModelsHub.Functions.Deployments;

/// <summary>Deployments as the API's records (<see cref="ModelsHub.Contracts.Deployments"/>).</summary>
public static class DeploymentMappings
{
    public static DeploymentDto ToDto(this DeploymentView view, string? serverUrl)
    {
        var (d, w) = (view.Deployment, view.Workflow);
        return new DeploymentDto(d.Id, d.Model, d.Version, d.Server, EnumNames<ModelType>.NameOf(d.ModelType), d.ModelUid, d.Engine, d.Format,
            d.SizeInBillions is { } size ? LaunchRules.SizeText(size) : null, d.Quantization, d.Replicas, d.Gpus, d.Parameters, d.Env,
            d.InputFormat, d.OutputFormat, d.Defaults.ToDto(), d.State, d.StateChangedAt, d.Error, d.Progress, d.Stage, d.RegisteredByHub,
            serverUrl is null ? "" : Deployment.EndpointOf(serverUrl).ToString(), d.History.Select(ToDto).ToList(), d.CreatedBy, d.CreatedAt, d.UpdatedAt,
            w is null ? null : new DeploymentWorkflowDto(w.Id, w.Status, w.Step, w.Attempt, w.NextAttemptAt, w.LastError));
    }

    public static DeploymentDefaultsDto ToDto(this DeploymentDefaults d) => new(d.GpuMemoryUtilization, d.BatchSize, d.CacheDirectory, d.LogLevel);

    public static DeploymentTransitionDto ToDto(this DeploymentTransition t) => new(t.State, t.At, t.Detail);

    /// <summary>A deployment's usage report as its metrics show it: throughput over the span the rollups cover.</summary>
    public static DeploymentUsageDto ToDeploymentUsage(this ModelsHub.Contracts.Usage.UsageReport report)
    {
        var span = report.To - report.From;
        return new DeploymentUsageDto(report.From, report.To, report.Granularity, report.Totals,
            span <= TimeSpan.Zero ? 0 : Math.Round(report.Totals.Calls / span.TotalMinutes, 4),
            span <= TimeSpan.Zero ? 0 : Math.Round(report.Totals.TokensOut / span.TotalSeconds, 4), report.Buckets);
    }
}
