using Microsoft.Extensions.Options;
using ModelsHub.Core.Upstream;
using ModelsHub.Core.Workflows;
using ModelsHub.Functions.Triggers;

namespace ModelsHub.Functions.Sync;

public static class SyncExtensions
{
    /// <summary>The upstream sync: its options, the service that starts and follows runs, its workflow and its timer.</summary>
    public static IServiceCollection AddHubSync(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SyncOptions>().Bind(configuration.GetSection(SyncOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SyncOptions>, SyncOptionsValidator>();
        services.AddSingleton<UpstreamSync>();
        services.AddSingleton<IWorkflowDefinition, UpstreamSyncWorkflow>();
        services.AddSingleton<IScheduledJob, UpstreamSyncJob>();
        return services;
    }
}

/// <summary><c>Sync:Ref</c> must be something Git could name (the schedule is checked by the scheduler at start).</summary>
internal sealed class SyncOptionsValidator : IValidateOptions<SyncOptions>
{
    public ValidateOptionsResult Validate(string? name, SyncOptions options)
    {
        var value = options.Ref;
        return string.IsNullOrWhiteSpace(value) || value.Length > 255 || value.Contains("..", StringComparison.Ordinal)
            || value.StartsWith('/') || value.EndsWith('/') || value.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c is '~' or '^' or ':' or '?' or '*' or '[' or '\\')
            ? ValidateOptionsResult.Fail($"{SyncOptions.Section}:Ref must name a branch, tag or commit of the model repository, such as main (it is '{value}').")
            : ValidateOptionsResult.Success;
    }
}
