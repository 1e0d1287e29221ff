using Microsoft.Net.Http.Headers;
using ModelsHub.Functions.WebApp;

namespace ModelsHub.Functions.Hosting;

/// <summary>
/// Headers every answer carries: no MIME sniffing (a file is never run as what it looks like), no
/// Referer leaving the hub (URLs carry model names and signed upload links), and outside Development
/// HSTS (browsers ignore it over plain http, so it is sent as is; the Functions front end terminates
/// TLS). API answers also refuse framing and any active content; the interactive API page (Development
/// only) runs its own scripts and is left out. Everything else is the web app, which gets the headers of
/// <see cref="WebAppHosting.SecurityHeaders"/> (its own content policy).
/// </summary>
public static class SecurityHeaders
{
    public const string ApiContentSecurityPolicy = "default-src 'none'; frame-ancestors 'none'";

    public const string StrictTransportSecurity = "max-age=31536000";

    public static WebApplication UseHubSecurityHeaders(this WebApplication app)
    {
        var hsts = !app.Environment.IsDevelopment();
        app.Use((context, next) =>
        {
            // On starting, not now: the exception handler clears the headers of the answer it replaces.
            context.Response.OnStarting(static state =>
            {
                var (context, hsts) = ((HttpContext, bool))state;
                var headers = context.Response.Headers;
                headers.XContentTypeOptions = "nosniff";
                headers["Referrer-Policy"] = "no-referrer";
                if (hsts)
                {
                    headers.StrictTransportSecurity = StrictTransportSecurity;
                }
                if (!context.Request.Path.StartsWithSegments("/api"))
                {
                    // The web app (its page, scripts and assets): its own content policy and the rest of its set.
                    foreach (var (name, value) in WebAppHosting.SecurityHeaders)
                    {
                        headers[name] = value;
                    }
                }
                else if (!context.Request.Path.StartsWithSegments(OpenApiExtensions.InteractivePagePath))
                {
                    headers.XFrameOptions = "DENY";
                    headers.ContentSecurityPolicy = ApiContentSecurityPolicy;
                }
                return Task.CompletedTask;
            }, (context, hsts));
            return next(context);
        });
        return app;
    }
}
