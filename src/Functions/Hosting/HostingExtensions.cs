using Microsoft.Extensions.Options;
using ModelsHub.Core.Assets;
using ModelsHub.Core.Catalog;
using ModelsHub.Core.Downloads;
using ModelsHub.Core.Events;
using ModelsHub.Core.Identity;
using ModelsHub.Core.Upstream;
using ModelsHub.Core.Uploads;
using ModelsHub.Core.Versions;

namespace ModelsHub.Functions.Hosting;

public static class HostingExtensions
{
    /// <summary>The port the Functions host hands a custom handler.</summary>
    public const string CustomHandlerPortVariable = "FUNCTIONS_CUSTOMHANDLER_PORT";

    public const string DefaultUrl = "http://localhost:7071";

    public const string PublicBaseUrlKey = "Hub:PublicBaseUrl";

    /// <summary>The first http(s) address of a server URL list, with a wildcard host as localhost; null when it names no fixed port.</summary>
    public static string? PublicAddressOf(string urls)
    {
        foreach (var url in urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var wildcard = System.Text.RegularExpressions.Regex.Replace(url, @"^(https?://)(\+|\*|0\.0\.0\.0|\[::\])(?=[:/]|$)", "$1localhost");
            if (Uri.TryCreate(wildcard, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps) && uri.Port > 0)
            {
                return uri.GetLeftPart(UriPartial.Authority);
            }
        }
        return null;
    }

    /// <summary>
    /// Listens where the Functions host says, else where configuration says, else on
    /// localhost:7071 (the port <c>func start</c> uses, so clients need no change).
    /// </summary>
    public static WebApplicationBuilder ConfigureHubHosting(this WebApplicationBuilder builder)
    {
        var handlerPort = Environment.GetEnvironmentVariable(CustomHandlerPortVariable);
        if (!string.IsNullOrEmpty(handlerPort))
        {
            if (!int.TryParse(handlerPort, out var port) || port is < 1 or > 65535)
            {
                throw new OptionsValidationException(CustomHandlerPortVariable, typeof(int), [$"{CustomHandlerPortVariable} is '{handlerPort}'; expected a TCP port."]);
            }
            builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        }
        else if (string.IsNullOrEmpty(builder.Configuration[WebHostDefaults.ServerUrlsKey]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }
        else if (string.IsNullOrWhiteSpace(builder.Configuration[PublicBaseUrlKey]) && PublicAddressOf(builder.Configuration[WebHostDefaults.ServerUrlsKey]!) is { } listening)
        {
            // Standalone on another address: links the hub hands out (upload targets) name where it listens.
            builder.Configuration.AddInMemoryCollection([new(PublicBaseUrlKey, listening)]);
        }

        builder.Services.AddOptions<ApiOptions>().Bind(builder.Configuration.GetSection(ApiOptions.Section)).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<ApiOptions>, ApiOptionsValidator>();
        var api = builder.Configuration.GetSection(ApiOptions.Section).Get<ApiOptions>() ?? new ApiOptions();
        builder.WebHost.ConfigureKestrel(k =>
        {
            // The per-endpoint limits are enforced where bodies are read; this is the backstop.
            k.Limits.MaxRequestBodySize = Math.Max(api.MaxImportBodyBytes, api.MaxRequestBodyBytes);
            k.AddServerHeader = false;
        });
        return builder;
    }

    /// <summary>The domain services: catalog, user center, upstream import, versions and uploads.</summary>
    public static IServiceCollection AddHubCore(this IServiceCollection services)
    {
        services.AddSingleton<HubEvents>();
        services.AddSingleton<ModelChangeNotifier>();
        services.AddSingleton<ModelCatalog>();
        services.AddSingleton<UserDirectory>();
        services.AddSingleton<UserTokens>();
        services.AddSingleton<UpstreamImporter>();
        services.AddSingleton<VersionPurger>();
        services.AddSingleton<IModelChangeListener>(sp => sp.GetRequiredService<VersionPurger>());
        services.AddSingleton<IVersionedAssets, ModelAssets>();
        services.AddSingleton<VersionCatalog>();
        services.AddSingleton<UploadService>();
        services.AddSingleton<UploadSweeper>();
        services.AddOptions<DownloadOptions>().BindConfiguration(DownloadOptions.Section);
        services.AddSingleton<DownloadCatalog>();
        services.AddSingleton<IModelChangeListener>(sp => sp.GetRequiredService<DownloadCatalog>());
        services.AddSingleton<Downloads.EncodedRepresentations>();
        return services;
    }
}
