using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ModelsHub.Core.Imports;

namespace ModelsHub.Infrastructure.HuggingFace;

/// <summary>The Hugging Face adapter: the same for both storage profiles (the Hub, or a mirror by <c>HuggingFace:Endpoint</c>).</summary>
public static class HuggingFaceServiceExtensions
{
    public static IServiceCollection AddHubHuggingFace(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<HuggingFaceOptions>().Bind(configuration.GetSection(HuggingFaceOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<HuggingFaceOptions>, HuggingFaceOptionsValidator>();
        services.AddSingleton<IHuggingFaceHub>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<HuggingFaceOptions>>();
            var handler = new SocketsHttpHandler
            {
                // Redirects are followed by the client itself: the token must not follow one to the CDN.
                AllowAutoRedirect = false,
                AutomaticDecompression = DecompressionMethods.None,
                ConnectTimeout = options.Value.Timeout,
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            };
            var http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
            http.DefaultRequestHeaders.UserAgent.ParseAdd("modelshub/1.0");
            return new HuggingFaceHubClient(http, options);
        });
        return services;
    }
}
