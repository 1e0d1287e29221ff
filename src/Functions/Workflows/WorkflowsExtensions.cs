using Microsoft.Extensions.Options;
using ModelsHub.Core.GitHub;
using ModelsHub.Core.PullRequests;
using ModelsHub.Core.Reviews;
using ModelsHub.Core.Workflows;
using ModelsHub.Functions.Triggers;

namespace ModelsHub.Functions.Workflows;

public static class WorkflowsExtensions
{
    /// <summary>The workflow runner, its definitions, the queue trigger, the sweeper and the in-process dispatcher; reviews and pull requests.</summary>
    public static IServiceCollection AddHubWorkflows(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<WorkflowOptions>().Bind(configuration.GetSection(WorkflowOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<WorkflowOptions>, WorkflowOptionsValidator>();
        services.AddSingleton<WorkflowWakeup>();
        services.AddSingleton<WorkflowStarter>();
        services.AddSingleton<WorkflowRunner>();
        services.AddSingleton<ReviewBoard>();
        services.AddSingleton<GitHubTokens>();
        services.AddSingleton<PullRequestTracker>();
        services.AddSingleton<IWorkflowDefinition, ModelSyncWorkflow>();
        services.AddSingleton<IFunctionTrigger, WorkflowQueueFunction>();
        services.AddSingleton<IScheduledJob, WorkflowSweeperJob>();
        services.AddHostedService<WorkflowDispatcher>();
        return services;
    }
}

internal sealed class WorkflowOptionsValidator : IValidateOptions<WorkflowOptions>
{
    public ValidateOptionsResult Validate(string? name, WorkflowOptions options)
    {
        var failures = new List<string>();
        var s = WorkflowOptions.Section;
        if (options.MaxAttempts is < 1 or > 100) failures.Add($"{s}:MaxAttempts must be between 1 and 100.");
        if (options.RetryDelay <= TimeSpan.Zero) failures.Add($"{s}:RetryDelay must be positive (hh:mm:ss).");
        if (options.MaxRetryDelay < options.RetryDelay) failures.Add($"{s}:MaxRetryDelay must be at least {s}:RetryDelay.");
        if (options.VisibilityTimeout < TimeSpan.FromSeconds(1)) failures.Add($"{s}:VisibilityTimeout must be at least one second.");
        if (options.MaxQueueDelay <= TimeSpan.Zero || options.MaxQueueDelay > TimeSpan.FromDays(7)) failures.Add($"{s}:MaxQueueDelay must be positive and at most 7 days.");
        if (options.Concurrency is < 1 or > 256) failures.Add($"{s}:Concurrency must be between 1 and 256.");
        return failures.Count > 0 ? ValidateOptionsResult.Fail(failures) : ValidateOptionsResult.Success;
    }
}
