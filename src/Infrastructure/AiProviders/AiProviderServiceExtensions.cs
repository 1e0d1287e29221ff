using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ModelsHub.Core.ApiModels;

namespace ModelsHub.Infrastructure.AiProviders;

public static class AiProviderServiceExtensions
{
    /// <summary>The official OpenAI and Anthropic SDKs behind <see cref="IAiProviders"/> (the same on both storage profiles).</summary>
    public static IServiceCollection AddHubAiProviders(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AiProviderOptions>().Bind(configuration.GetSection(AiProviderOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AiProviderOptions>, AiProviderOptionsValidator>();
        services.AddSingleton<IAiProviders, SdkAiProviders>();
        return services;
    }
}
