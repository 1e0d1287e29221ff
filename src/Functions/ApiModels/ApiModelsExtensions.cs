using Microsoft.Extensions.Options;
using ModelsHub.Core.AccessTokens;
using ModelsHub.Core.ApiModels;
using ModelsHub.Core.Inference;
using ModelsHub.Core.Usage;
using ModelsHub.Functions.Usage;

namespace ModelsHub.Functions.ApiModels;

public static class ApiModelsExtensions
{
    /// <summary>API models, the call path for test and gateway calls, usage recording and reports, personal access tokens.</summary>
    public static IServiceCollection AddHubApiModels(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<UsageOptions>().Bind(configuration.GetSection(UsageOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<UsageOptions>, UsageOptionsValidator>();
        services.AddSingleton<ApiKeyVault>();
        services.AddSingleton<ApiModelService>();
        // Resolvers are asked in this order; a deployment resolver registers after this one.
        services.AddSingleton<IInferenceTargetResolver, ApiModelTargetResolver>();
        services.AddSingleton<ModelInvoker>();
        services.AddSingleton<UsageRecorder>();
        services.AddSingleton<UsageReports>();
        services.AddHostedService<UsageFlushService>();
        services.AddSingleton<AccessTokenService>();
        return services;
    }
}

internal sealed class UsageOptionsValidator : IValidateOptions<UsageOptions>
{
    public ValidateOptionsResult Validate(string? name, UsageOptions options)
    {
        var failures = new List<string>();
        if (options.FlushInterval < TimeSpan.FromMilliseconds(10) || options.FlushInterval > TimeSpan.FromMinutes(5))
        {
            failures.Add($"{UsageOptions.Section}:FlushInterval must be between 00:00:00.010 and 00:05:00.");
        }
        if (options.MaxBufferedCalls is < 1_000 or > 10_000_000)
        {
            failures.Add($"{UsageOptions.Section}:MaxBufferedCalls must be between 1000 and 10000000.");
        }
        if (options.CallRetention < TimeSpan.FromHours(1) || options.CallRetention > TimeSpan.FromDays(3650))
        {
            failures.Add($"{UsageOptions.Section}:CallRetention must be between 01:00:00 and 3650.00:00:00.");
        }
        return failures.Count > 0 ? ValidateOptionsResult.Fail(failures) : ValidateOptionsResult.Success;
    }
}
