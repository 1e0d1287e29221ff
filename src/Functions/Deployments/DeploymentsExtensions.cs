using Microsoft.Extensions.Options;
using ModelsHub.Core.Deployments;
using ModelsHub.Core.Inference;
using ModelsHub.Core.Servers;
using ModelsHub.Core.Workflows;
using ModelsHub.Functions.Triggers;

namespace ModelsHub.Functions.Deployments;

public static class DeploymentsExtensions
{
    /// <summary>Inference servers, deployments (and their workflow), the push, and the <c>ServerMonitor</c> timer, with their options checked at start.</summary>
    public static IServiceCollection AddHubDeployments(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<DeploymentOptions>().Bind(configuration.GetSection(DeploymentOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<DeploymentOptions>, DeploymentOptionsValidator>();
        services.AddOptions<MonitoringOptions>().Bind(configuration.GetSection(MonitoringOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<MonitoringOptions>, MonitoringOptionsValidator>();
        services.AddSingleton<SeriesCache>();
        services.AddSingleton<InferenceServers>();
        services.AddSingleton<ModelRegistrar>();
        services.AddSingleton<ModelPush>();
        services.AddSingleton<DeploymentService>();
        services.AddSingleton<IWorkflowDefinition, DeploymentWorkflow>();
        // Running deployments are called (test calls, the gateway) like API models; asked after the API models' resolver.
        services.AddSingleton<IInferenceTargetResolver, DeploymentTargetResolver>();
        services.AddSingleton<ServerMonitor>();
        services.AddSingleton<IScheduledJob, ServerMonitorJob>();
        return services;
    }
}

/// <summary>The <c>ServerMonitor</c> timer function: one monitoring round (its figures are the invocation's return value).</summary>
public sealed class ServerMonitorJob(IServiceProvider services) : IScheduledJob
{
    public string Name => "ServerMonitor";

    public string ScheduleSetting => $"{MonitoringOptions.Section}:Schedule";

    public string DefaultSchedule => new MonitoringOptions().Schedule;

    public Task RunAsync(CancellationToken cancellationToken) => RunForResultAsync(cancellationToken);

    public async Task<object?> RunForResultAsync(CancellationToken cancellationToken) =>
        await services.GetRequiredService<ServerMonitor>().RunAsync(cancellationToken);
}

internal sealed class DeploymentOptionsValidator : IValidateOptions<DeploymentOptions>
{
    public ValidateOptionsResult Validate(string? name, DeploymentOptions o)
    {
        var failures = new List<string>();
        const string s = DeploymentOptions.Section;
        if (o.Defaults.GpuMemoryUtilization is { } share && share is not (> 0 and <= 1))
            failures.Add($"{s}:Defaults:GpuMemoryUtilization must be a share of GPU memory above 0 and at most 1 (it is {share}).");
        if (o.Defaults.BatchSize is { } batch && batch is < 1 or > 65536)
            failures.Add($"{s}:Defaults:BatchSize must be between 1 and 65536 (it is {batch}).");
        if (o.Defaults.LogLevel is { Length: > 0 } level && level.ToUpperInvariant() is not ("DEBUG" or "INFO" or "WARNING" or "ERROR" or "CRITICAL"))
            failures.Add($"{s}:Defaults:LogLevel must be DEBUG, INFO, WARNING, ERROR or CRITICAL (it is '{level}').");
        if (o.Defaults.CacheDirectory is { Length: > 1024 })
            failures.Add($"{s}:Defaults:CacheDirectory must be at most 1024 characters.");
        if (o.FollowInterval <= TimeSpan.Zero || o.FollowInterval > TimeSpan.FromMinutes(10))
            failures.Add($"{s}:FollowInterval must be above zero and at most 00:10:00 (it is {o.FollowInterval}).");
        if (o.LaunchTimeout < TimeSpan.FromSeconds(1) || o.LaunchTimeout > TimeSpan.FromDays(7))
            failures.Add($"{s}:LaunchTimeout must be between 00:00:01 and 7.00:00:00 (it is {o.LaunchTimeout}).");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

internal sealed class MonitoringOptionsValidator : IValidateOptions<MonitoringOptions>
{
    public ValidateOptionsResult Validate(string? name, MonitoringOptions o)
    {
        var failures = new List<string>();
        const string s = MonitoringOptions.Section;
        if (o.Resolution < TimeSpan.FromSeconds(1) || o.Resolution > TimeSpan.FromHours(1) || o.Resolution.Ticks % TimeSpan.TicksPerSecond != 0)
            failures.Add($"{s}:Resolution must be whole seconds between 00:00:01 and 01:00:00 (it is {o.Resolution}).");
        if (o.Retention < o.Resolution || o.Retention > TimeSpan.FromDays(366))
            failures.Add($"{s}:Retention must be at least the resolution and at most 366 days (it is {o.Retention}).");
        if (o.Concurrency is < 1 or > 256)
            failures.Add($"{s}:Concurrency must be between 1 and 256 (it is {o.Concurrency}).");
        if (o.PollTimeout <= TimeSpan.Zero || o.PollTimeout > TimeSpan.FromMinutes(5))
            failures.Add($"{s}:PollTimeout must be above zero and at most 00:05:00 (it is {o.PollTimeout}).");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
