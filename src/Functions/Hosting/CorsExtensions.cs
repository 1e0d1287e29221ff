using Microsoft.Extensions.Options;

namespace ModelsHub.Functions.Hosting;

/// <summary>
/// The API's CORS policy: the configured origins only (never any origin), the methods the API maps, the
/// request headers its browser clients send (bearer token, JSON, conditional requests, ranges, and the Blob
/// Storage headers of the embedded chunk endpoint), and the response headers they need to read.
/// </summary>
public static class CorsExtensions
{
    public const string PolicyName = "HubApi";

    private static readonly string[] Methods =
        [HttpMethods.Get, HttpMethods.Head, HttpMethods.Post, HttpMethods.Put, HttpMethods.Patch, HttpMethods.Delete];

    private static readonly string[] RequestHeaders =
    [
        "Authorization", "Content-Type", "If-Match", "If-None-Match", "Range", "Content-MD5",
        // Put Block / Put Block List against the embedded chunk endpoint, sent by the same Blob Storage client code.
        "x-ms-blob-type", "x-ms-blob-content-type", "x-ms-version", "x-ms-date", "x-ms-client-request-id",
    ];

    private static readonly string[] ExposedHeaders =
        ["ETag", "Location", "Repr-Digest", "X-Content-SHA256", "Content-Range", "Retry-After", "Content-MD5"];

    public static IServiceCollection AddHubCors(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<HubCorsOptions>().Bind(configuration.GetSection(HubCorsOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<HubCorsOptions>, HubCorsOptionsValidator>();
        services.AddCors();
        services.AddOptions<Microsoft.AspNetCore.Cors.Infrastructure.CorsOptions>()
            .Configure<IOptions<HubCorsOptions>>((cors, hub) => cors.AddPolicy(PolicyName, policy => policy
                // No origins: the policy allows none, so no response carries CORS headers.
                .WithOrigins([.. hub.Value.AllowedOrigins])
                .WithMethods(Methods)
                .WithHeaders(RequestHeaders)
                .WithExposedHeaders(ExposedHeaders)
                .SetPreflightMaxAge(hub.Value.PreflightMaxAge)));
        return services;
    }

    /// <summary>Answers preflights and adds CORS headers for endpoints that <see cref="RequireHubCors"/>; before authentication, so preflights need no token.</summary>
    public static WebApplication UseHubCors(this WebApplication app)
    {
        if (app.Services.GetRequiredService<IOptions<HubCorsOptions>>().Value.AllowedOrigins.Count > 0)
        {
            // The CORS headers differ by Origin (present for an allowed one, absent otherwise), so every API answer
            // says so, also to callers without Origin: else a cache could hand one origin's answer (a cacheable
            // download list) to another. The CORS middleware adds it only when several origins are allowed.
            app.Use((context, next) =>
            {
                if (context.Request.Path.StartsWithSegments("/api"))
                {
                    context.Response.OnStarting(static state =>
                    {
                        CacheRules.AddVary(((HttpContext)state).Response.Headers, Microsoft.Net.Http.Headers.HeaderNames.Origin);
                        return Task.CompletedTask;
                    }, context);
                }
                return next(context);
            });
        }
        app.UseCors();
        return app;
    }

    public static RouteGroupBuilder RequireHubCors(this RouteGroupBuilder group)
    {
        group.RequireCors(PolicyName);
        return group;
    }
}
