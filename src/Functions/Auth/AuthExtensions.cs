using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.Identity.Web;
using ModelsHub.Functions.AccessTokens;

namespace ModelsHub.Functions.Auth;

public static class AuthExtensions
{
    /// <summary>
    /// Bearer tokens from Entra ID (Microsoft.Identity.Web) in production; in Development mode a
    /// local signing key and the token-minting endpoint stand in.
    /// </summary>
    public static IServiceCollection AddHubAuthentication(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AuthOptions>().Bind(configuration.GetSection(AuthOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AuthOptions>, AuthOptionsValidator>();
        services.AddOptions<WebAppSignInOptions>().Bind(configuration.GetSection(WebAppSignInOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<WebAppSignInOptions>, WebAppSignInOptionsValidator>();
        services.AddMemoryCache();
        services.AddSingleton<CallerResolver>();

        var mode = configuration.GetSection(AuthOptions.Section).Get<AuthOptions>()?.Mode ?? AuthMode.Development;
        // Personal access tokens sit beside the sign-in scheme: the "Hub" policy scheme picks per request.
        if (mode == AuthMode.Entra)
        {
            services.AddAuthentication(AccessTokenAuthentication.Scheme)
                .AddHubAccessTokens(JwtBearerDefaults.AuthenticationScheme)
                .AddMicrosoftIdentityWebApi(configuration, "AzureAd");
        }
        else
        {
            services.AddSingleton<DevelopmentTokens>();
            services.AddAuthentication(AccessTokenAuthentication.Scheme)
                .AddHubAccessTokens(JwtBearerDefaults.AuthenticationScheme)
                .AddJwtBearer();
            services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
                .Configure<DevelopmentTokens>((o, tokens) =>
                {
                    o.MapInboundClaims = false;
                    o.TokenValidationParameters = tokens.ValidationParameters();
                });
        }
        services.AddAuthorization();
        return services;
    }

    public static bool IsDevelopmentAuth(this IServiceProvider services) =>
        services.GetRequiredService<IOptions<AuthOptions>>().Value.Mode == AuthMode.Development;
}
