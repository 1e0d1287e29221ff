using Microsoft.Extensions.Options;
using ModelsHub.Core.Storage;
using ModelsHub.Core.Uploads;
using ModelsHub.Functions.Triggers;

namespace ModelsHub.Functions.Uploads;

public static class UploadsHostingExtensions
{
    /// <summary>Upload settings and per-user quotas (validated at start), the BlobCreated function, the UploadExpiry timer and in-process blob events.</summary>
    public static IServiceCollection AddHubUploads(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<UploadOptions>().Bind(configuration.GetSection(UploadOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<UploadOptions>, UploadOptionsValidator>();
        services.AddOptions<QuotaOptions>().Bind(configuration.GetSection(QuotaOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<QuotaOptions>>(new QuotaOptionsValidator(() =>
            configuration.GetSection(QuotaOptions.Section).GetSection(nameof(QuotaOptions.Users)).GetChildren()
                .ToDictionary(u => u.Key, u => (IReadOnlyList<string>)u.GetChildren().Select(k => k.Key).ToList())));
        services.AddSingleton<UploadQuotas>();
        services.AddSingleton<InProcessBlobEvents>();
        services.AddSingleton<IBlobEventPublisher>(sp => sp.GetRequiredService<InProcessBlobEvents>());
        services.AddHostedService(sp => sp.GetRequiredService<InProcessBlobEvents>());
        services.AddSingleton<IFunctionTrigger, BlobCreatedTrigger>();
        services.AddSingleton<IScheduledJob, UploadExpiryJob>();
        return services;
    }
}
