using System.Net.Http.Json;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.FluentUI.AspNetCore.Components;
using ModelsHub.Contracts;
using ModelsHub.Web.Services.Api;
using ModelsHub.Web.Services.Auth;
using ModelsHub.Web.Services.Localization;
using ModelsHub.Web.Services.Uploads;

namespace ModelsHub.Web.Services;

public static class WebAppServices
{
    /// <summary>The hub's answer to <c>GET /api/client-config</c>; when it cannot be read the app still browses, with sign-in off.</summary>
    public static async Task<ClientConfigResponse> LoadClientConfigAsync(Uri hub)
    {
        using var http = new HttpClient { BaseAddress = hub };
        try
        {
            return await http.GetFromJsonAsync("api/client-config", HubJsonContext.Default.ClientConfigResponse)
                ?? new ClientConfigResponse("unavailable", null);
        }
        catch (Exception e) when (e is HttpRequestException or System.Text.Json.JsonException or NotSupportedException)
        {
            return new ClientConfigResponse("unavailable", null);
        }
    }

    /// <summary>Everything the pages use: the component library, sign-in for the hub's mode, the typed API services, texts and preferences.</summary>
    public static IServiceCollection AddModelsHubWeb(this IServiceCollection services, Uri hub, ClientConfigResponse config)
    {
        services.AddFluentUIComponents();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(config);
        services.AddSingleton<BrowserStorage>();
        services.AddSingleton<Loc>();
        services.AddAuthorizationCore();
        services.AddCascadingAuthenticationState();

        if (config.AuthMode == "entra" && config.Entra is { } entra)
        {
            services.AddOidcAuthentication(o =>
            {
                o.ProviderOptions.Authority = entra.Authority;
                o.ProviderOptions.ClientId = entra.ClientId;
                o.ProviderOptions.ResponseType = "code";
                o.ProviderOptions.DefaultScopes.Add("offline_access");
                foreach (var scope in entra.Scopes)
                {
                    o.ProviderOptions.DefaultScopes.Add(scope);
                }
                o.UserOptions.NameClaim = "name";
                o.UserOptions.RoleClaim = "roles";
            });
            services.AddScoped<ITokenSource, OidcTokenSource>();
        }
        else
        {
            services.AddScoped(sp => new DevelopmentSession(new HttpClient { BaseAddress = hub }, sp.GetRequiredService<BrowserStorage>(),
                sp.GetRequiredService<TimeProvider>()));
            services.AddScoped<AuthenticationStateProvider>(sp => sp.GetRequiredService<DevelopmentSession>());
            services.AddScoped<ITokenSource>(sp => sp.GetRequiredService<DevelopmentSession>());
        }

        services.AddScoped(sp => new ApiClient(new HttpClient(new BearerTokenHandler(sp.GetRequiredService<ITokenSource>())
        {
            InnerHandler = new HttpClientHandler(),
        })
        { BaseAddress = hub }));
        services.AddScoped<CurrentUser>();
        services.AddScoped<ModelsService>();
        services.AddScoped<VersionsService>();
        services.AddScoped<UploadsService>();
        services.AddScoped<ReviewsService>();
        services.AddScoped<UsersService>();
        services.AddScoped<OperationsService>();
        services.AddScoped<DatasetsService>();
        services.AddScoped<AccessTokensService>();
        services.AddScoped<AiModelsService>();
        services.AddScoped<ServersService>();
        services.AddScoped<DeploymentsService>();
        services.AddScoped<TrainingService>();
        services.AddScoped<ImportsService>();
        services.AddScoped<IChunkSender, BrowserChunkSender>();
        services.AddScoped<ChunkedUpload>();
        return services;
    }
}
