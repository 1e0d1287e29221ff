using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace ModelsHub.Functions.Hosting;

/// <summary>
/// What API answers tell caches. An answer depends on who asks (visibility, permissions, the caller's own
/// data), so every one varies by <c>Authorization</c>, and one whose endpoint says nothing about caching is
/// <c>private, no-store</c>: a shared or browser cache never keeps a caller's private data. Endpoints that
/// may be cached say so themselves (the download list: <c>public, max-age=60</c> for the anonymous audience).
/// </summary>
public static class CacheRules
{
    public const string Default = "private, no-store";

    public static WebApplication UseHubCacheRules(this WebApplication app)
    {
        app.Use((context, next) =>
        {
            if (context.Request.Path.StartsWithSegments("/api"))
            {
                context.Response.OnStarting(static state =>
                {
                    var headers = ((HttpContext)state).Response.Headers;
                    if (StringValues.IsNullOrEmpty(headers.CacheControl))
                    {
                        headers.CacheControl = Default;
                    }
                    AddVary(headers, HeaderNames.Authorization);
                    return Task.CompletedTask;
                }, context);
            }
            return next(context);
        });
        return app;
    }

    /// <summary>Adds <paramref name="header"/> to <c>Vary</c> unless it (or <c>*</c>) is already there.</summary>
    public static void AddVary(IHeaderDictionary headers, string header)
    {
        var current = headers.Vary.ToString();
        var named = current.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (named.Any(v => v == "*" || string.Equals(v, header, StringComparison.OrdinalIgnoreCase)))
        {
            return;
        }
        headers.Vary = current.Length == 0 ? header : current + ", " + header;
    }
}
