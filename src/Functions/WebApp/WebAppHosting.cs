using Microsoft.Extensions.FileProviders;

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

    /// <summary>
    /// The headers the app is served with, here (<see cref="Hosting.SecurityHeaders"/> sets them outside <c>/api</c>) and
    /// (the same, a test keeps them so) in <c>staticwebapp.config.json</c>.
    /// </summary>
    public static readonly KeyValuePair<string, string>[] SecurityHeaders =
    [
        new("Content-Security-Policy", ContentSecurityPolicy),
        new("X-Content-Type-Options", "nosniff"),
        new("Referrer-Policy", "no-referrer"),
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
        // From a build manifest, MapStaticAssets also maps a GET-only fallback for files added after the build
        // ({**path:file}); the method matcher would turn every other method on an unknown path (POST /api/nothing)
        // into a 405 at table-building time, before the file constraint is checked. The app's files are its build's.
        builder.Configuration.AddInMemoryCollection([new("DisableStaticAssetNotFoundRuntimeFallback", "true")]);
        return builder;
    }

    /// <summary>
    /// The app's files as endpoints (compressed, cached), and its page for every deep link (/models/qwen3,
    /// /admin/users): a GET or HEAD that routing found no endpoint for, outside <c>/api</c> and not naming a file.
    /// A middleware after routing rather than a fallback endpoint: an endpoint's route would join every API route's
    /// candidates, and the method matcher decides 405s when it builds its tables, before any route constraint runs;
    /// the page for GET only turned a POST to an unknown API path into a 405, the page for every method would turn a
    /// wrong method on an API route into a 404. So routing under <c>/api</c> is the API's alone: an unknown path is
    /// its problem+json 404, a known one with another method its 405; a missing <c>.js</c> stays a 404.
    /// </summary>
    public static WebApplication UseHubWebApp(this WebApplication app)
    {
        app.Use((context, next) =>
        {
            var request = context.Request;
            return context.GetEndpoint() is null && (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method))
                && !request.Path.StartsWithSegments("/api") && !NamesFile(request.Path)
                && context.RequestServices.GetRequiredService<IWebHostEnvironment>().WebRootFileProvider.GetFileInfo("index.html") is { Exists: true } index
                ? ServeIndex(context, index)
                : next(context);
        });
        app.MapStaticAssets();
        return app;
    }

    private static Task ServeIndex(HttpContext context, IFileInfo index)
    {
        context.Response.Headers.CacheControl = "no-cache";
        var tag = new Microsoft.Net.Http.Headers.EntityTagHeaderValue($"\"{index.LastModified.UtcTicks:x}-{index.Length:x}\"");
        return TypedResults.Stream(index.CreateReadStream(), "text/html; charset=utf-8", lastModified: index.LastModified, entityTag: tag)
            .ExecuteAsync(context);
    }

    /// <summary>A last segment with an extension (<c>app.js</c>, <c>missing.css</c>) names a file, never a page.</summary>
    private static bool NamesFile(PathString path)
    {
        var value = path.Value ?? "";
        return Path.HasExtension(value.AsSpan(value.LastIndexOf('/') + 1));
    }
}
