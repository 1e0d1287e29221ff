namespace ModelsHub.Functions.WebApp;

/// <summary>
/// The web app (src/Web, Blazor WebAssembly) served by the standalone hub at <c>/</c>: its static web
/// assets with precompressed variants and cache headers (fingerprinted files immutable, the rest
/// revalidated by ETag), <c>index.html</c> for every other GET outside <c>/api</c> so deep links work,
/// and the same Content-Security-Policy as <c>staticwebapp.config.json</c> gives it in Azure.
/// </summary>
public static class WebAppHosting
{
    /// <summary>
    /// What the app needs and nothing more: its own scripts, WebAssembly compilation ('wasm-unsafe-eval'),
    /// inline style attributes (the component library sets them), images from READMEs, API calls and
    /// chunk uploads to the hub or a Blob Storage SAS URL, and Entra ID for sign-in (its metadata and
    /// token endpoints, its pages in forms and the silent-renew frame).
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; " +
        "script-src 'self' 'wasm-unsafe-eval'; " +
        "style-src 'self' 'unsafe-inline'; " +
        "img-src 'self' data: https:; " +
        "font-src 'self' data:; " +
        "connect-src 'self' https://*.blob.core.windows.net https://login.microsoftonline.com https://*.ciamlogin.com; " +
        "frame-src 'self' https://login.microsoftonline.com https://*.ciamlogin.com; " +
        "form-action 'self' https://login.microsoftonline.com https://*.ciamlogin.com; " +
        "object-src 'none'; base-uri 'self'; frame-ancestors 'none'";

    /// <summary>The headers the app is served with, here and (the same, a test keeps them so) in <c>staticwebapp.config.json</c>.</summary>
    public static readonly KeyValuePair<string, string>[] SecurityHeaders =
    [
        new("Content-Security-Policy", ContentSecurityPolicy),
        new("X-Content-Type-Options", "nosniff"),
        new("Referrer-Policy", "strict-origin-when-cross-origin"),
        new("X-Frame-Options", "DENY"),
        new("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()"),
    ];

    /// <summary>
    /// Serves the web app's files from the build output too (the README's <c>dotnet run</c>, the tests'
    /// hub processes), not only from a publish folder; a published hub has no manifest and is unaffected.
    /// </summary>
    public static WebApplicationBuilder AddHubWebApp(this WebApplicationBuilder builder)
    {
        builder.WebHost.UseStaticWebAssets();
        return builder;
    }

    /// <summary>Sets the app's security headers on everything outside <c>/api</c>; before the static files, which end the pipeline.</summary>
    public static WebApplication UseHubWebAppHeaders(this WebApplication app)
    {
        app.Use((context, next) =>
        {
            if (!IsApi(context.Request.Path))
            {
                var headers = context.Response.Headers;
                foreach (var (name, value) in SecurityHeaders)
                {
                    headers[name] = value;
                }
            }
            return next(context);
        });
        return app;
    }

    public static WebApplication MapHubWebApp(this WebApplication app)
    {
        app.MapStaticAssets();
        // Deep links (/models/qwen3, /admin/users) are the app's routes: answer them with index.html; a
        // file-looking path (a missing .js) stays a 404, and so does anything under /api (as problem+json).
        app.MapFallback("{**path:nonfile}", ServeIndex).WithMetadata(new HttpMethodMetadata([HttpMethods.Get, HttpMethods.Head]))
            .ExcludeFromDescription();
        return app;
    }

    private static IResult ServeIndex(HttpContext context, IWebHostEnvironment environment)
    {
        var index = environment.WebRootFileProvider.GetFileInfo("index.html");
        if (IsApi(context.Request.Path) || !index.Exists)
        {
            return TypedResults.NotFound();
        }
        context.Response.Headers.CacheControl = "no-cache";
        var tag = new Microsoft.Net.Http.Headers.EntityTagHeaderValue($"\"{index.LastModified.UtcTicks:x}-{index.Length:x}\"");
        return TypedResults.Stream(index.CreateReadStream(), "text/html; charset=utf-8", lastModified: index.LastModified, entityTag: tag);
    }

    private static bool IsApi(PathString path) => path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase);
}
