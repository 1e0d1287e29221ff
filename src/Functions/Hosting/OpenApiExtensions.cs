using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace ModelsHub.Functions.Hosting;

public static class OpenApiExtensions
{
    /// <summary>The interactive API page (Development only).</summary>
    public const string InteractivePagePath = "/api/docs";

    public const string DocumentPath = "/api/openapi.json";

    public static IServiceCollection AddHubOpenApi(this IServiceCollection services) =>
        services.AddOpenApi(o =>
        {
            o.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "ModelsHub API",
                    Version = "v1",
                    Description = "Register, review, version, publish and fine-tune AI models; Xinference servers pull model lists from /api/models/download.",
                };
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes["Bearer"] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    BearerFormat = "JWT",
                    Description = "An Entra ID access token (or, in development sign-in, one from POST /api/dev/token).",
                };
                return Task.CompletedTask;
            });
        });

    /// <summary>The OpenAPI document always; the interactive API page in Development.</summary>
    public static WebApplication MapHubOpenApi(this WebApplication app)
    {
        app.MapOpenApi(DocumentPath).AllowAnonymous();
        if (app.Environment.IsDevelopment())
        {
            app.MapScalarApiReference(InteractivePagePath, o => o.WithOpenApiRoutePattern(DocumentPath).WithTitle("ModelsHub API")).AllowAnonymous();
        }
        return app;
    }
}
