using System.Globalization;
using System.Net;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using ModelsHub.Functions.Auth;

namespace ModelsHub.Functions.Hosting;

/// <summary>
/// The API's rate-limit policies, by name. Every <c>/api</c> route gets one by convention
/// (<see cref="RateLimits.WithHubRateLimits"/>): a write method → <see cref="Writes"/>; a route that needs no
/// sign-in → <see cref="SignInFree"/>; signed-in reads → none. A route that names a policy itself keeps it
/// (<c>.RequireRateLimiting(RateLimitPolicies.Gateway)</c>), one that must never be limited says
/// <c>.DisableRateLimiting()</c> (health probes, the blob mirror a signed URL already bounds).
/// </summary>
public static class RateLimitPolicies
{
    /// <summary>POST, PUT, PATCH and DELETE under <c>/api</c>.</summary>
    public const string Writes = "writes";

    /// <summary>Reads that need no sign-in (browsing, Xinference's download list, the permission catalog).</summary>
    public const string SignInFree = "anonymous";

    /// <summary>The AI gateway (<c>/api/v1/chat/completions</c>, <c>/api/v1/embeddings</c>): applied by its routes.</summary>
    public const string Gateway = "gateway";

    public static IReadOnlyList<string> All { get; } = [Writes, SignInFree, Gateway];
}

/// <summary>One policy's limit: <see cref="PermitLimit"/> requests per <see cref="Window"/> per caller.</summary>
public sealed class RateLimit
{
    public int PermitLimit { get; set; }

    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>
/// Rate limits (section <c>RateLimits</c>), per signed-in user (the resolved caller, however they signed in:
/// two tokens of one user share the allowance) or per client address when anonymous.
/// </summary>
public sealed class RateLimitOptions
{
    public const string Section = "RateLimits";

    /// <summary>Off: no request is limited (a gateway in front of the hub limits instead).</summary>
    public bool Enabled { get; set; } = true;

    public RateLimit Writes { get; set; } = new() { PermitLimit = 120 };

    public RateLimit Anonymous { get; set; } = new() { PermitLimit = 600 };

    public RateLimit Gateway { get; set; } = new() { PermitLimit = 60 };

    public RateLimit For(string policy) => policy switch
    {
        RateLimitPolicies.Writes => Writes,
        RateLimitPolicies.SignInFree => Anonymous,
        RateLimitPolicies.Gateway => Gateway,
        _ => throw new ArgumentException($"No rate-limit policy '{policy}'.", nameof(policy)),
    };
}

internal sealed class RateLimitOptionsValidator : IValidateOptions<RateLimitOptions>
{
    public ValidateOptionsResult Validate(string? name, RateLimitOptions options)
    {
        var failures = new List<string>();
        foreach (var (key, limit) in new[] { ("Writes", options.Writes), ("Anonymous", options.Anonymous), ("Gateway", options.Gateway) })
        {
            var path = $"{RateLimitOptions.Section}:{key}";
            if (limit.PermitLimit < 1)
            {
                failures.Add($"{path}:PermitLimit must be at least 1 (it is {limit.PermitLimit}); set {RateLimitOptions.Section}:Enabled to false to limit nothing.");
            }
            if (limit.Window < TimeSpan.FromSeconds(1) || limit.Window > TimeSpan.FromDays(1))
            {
                failures.Add($"{path}:Window must be between 00:00:01 and 1.00:00:00 (it is {limit.Window}).");
            }
        }
        return failures.Count > 0 ? ValidateOptionsResult.Fail(failures) : ValidateOptionsResult.Success;
    }
}

public static class RateLimits
{
    private static readonly string[] WriteMethods = [HttpMethods.Post, HttpMethods.Put, HttpMethods.Patch, HttpMethods.Delete];

    public static IServiceCollection AddHubRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RateLimitOptions>().Bind(configuration.GetSection(RateLimitOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<RateLimitOptions>, RateLimitOptionsValidator>();
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.OnRejected = RejectAsync;
            foreach (var policy in RateLimitPolicies.All)
            {
                o.AddPolicy(policy, context => Partition(context, policy));
            }
        });
        return services;
    }

    /// <summary>After caller resolution: the partition is the caller's user id.</summary>
    public static WebApplication UseHubRateLimits(this WebApplication app)
    {
        app.UseRateLimiter();
        return app;
    }

    /// <summary>Gives every route of <paramref name="api"/> its policy by convention (see <see cref="RateLimitPolicies"/>).</summary>
    public static RouteGroupBuilder WithHubRateLimits(this RouteGroupBuilder api)
    {
        // Finally: after each route's own conventions, so its methods, AllowAnonymous and explicit policy are known.
        ((IEndpointConventionBuilder)api).Finally(endpoint =>
        {
            var metadata = endpoint.Metadata;
            if (metadata.Any(m => m is EnableRateLimitingAttribute or DisableRateLimitingAttribute))
            {
                return;
            }
            var methods = metadata.OfType<IHttpMethodMetadata>().LastOrDefault()?.HttpMethods ?? [];
            if (methods.Any(m => WriteMethods.Contains(m, StringComparer.OrdinalIgnoreCase)))
            {
                metadata.Add(new EnableRateLimitingAttribute(RateLimitPolicies.Writes));
            }
            else if (metadata.OfType<IAllowAnonymous>().Any() || !metadata.OfType<IAuthorizeData>().Any())
            {
                metadata.Add(new EnableRateLimitingAttribute(RateLimitPolicies.SignInFree));
            }
        });
        return api;
    }

    private static RateLimitPartition<string> Partition(HttpContext context, string policy)
    {
        var options = context.RequestServices.GetRequiredService<IOptions<RateLimitOptions>>().Value;
        if (!options.Enabled)
        {
            return RateLimitPartition.GetNoLimiter("off");
        }
        var limit = options.For(policy);
        var caller = context.GetCaller();
        var key = caller.UserId is { } user ? "user:" + user : "address:" + ClientAddress(context);
        return RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = limit.PermitLimit,
            Window = limit.Window,
            QueueLimit = 0,
            AutoReplenishment = true,
        });
    }

    /// <summary>
    /// The client's address. A request that reaches the server over loopback came through a proxy on the same
    /// machine (the Functions host, a reverse proxy), which appends the address it saw to X-Forwarded-For: the
    /// last entry is that one (entries before it are the client's own claims). Anything else is the connection's.
    /// </summary>
    public static string ClientAddress(HttpContext context)
    {
        var remote = context.Connection.RemoteIpAddress;
        if (remote is not null && IPAddress.IsLoopback(remote)
            && context.Request.Headers["X-Forwarded-For"].ToString() is { Length: > 0 } forwarded
            && ParseAddress(forwarded.Split(',')[^1].Trim()) is { } client)
        {
            return client.ToString();
        }
        return remote?.ToString() ?? "unknown";
    }

    /// <summary>An address as proxies write it: <c>1.2.3.4</c>, <c>1.2.3.4:5678</c>, <c>::1</c> or <c>[::1]:5678</c>.</summary>
    private static IPAddress? ParseAddress(string text)
    {
        if (IPAddress.TryParse(text, out var address))
        {
            return address;
        }
        if (text.StartsWith('[') && text.IndexOf(']') is > 0 and var end && IPAddress.TryParse(text[1..end], out var v6))
        {
            return v6;
        }
        return text.LastIndexOf(':') is > 0 and var colon && IPAddress.TryParse(text[..colon], out var v4) ? v4 : null;
    }

    private static async ValueTask RejectAsync(OnRejectedContext rejected, CancellationToken cancellationToken)
    {
        var context = rejected.HttpContext;
        var policy = context.GetEndpoint()?.Metadata.GetMetadata<EnableRateLimitingAttribute>()?.PolicyName ?? RateLimitPolicies.Writes;
        var limit = context.RequestServices.GetRequiredService<IOptions<RateLimitOptions>>().Value.For(policy);
        var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : limit.Window;
        var seconds = (int)Math.Ceiling(Math.Max(1, retryAfter.TotalSeconds));
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        var problem = new ProblemDetails
        {
            Status = StatusCodes.Status429TooManyRequests,
            Title = "Too many requests.",
            Detail = $"The '{policy}' limit allows {limit.PermitLimit} requests per {limit.Window} per {(context.GetCaller().IsAuthenticated ? "user" : "address")}; try again in {seconds} s.",
        };
        problem.Extensions["policy"] = policy;
        problem.Extensions["limit"] = limit.PermitLimit;
        problem.Extensions["window"] = limit.Window.ToString("c", CultureInfo.InvariantCulture);
        problem.Extensions["retryAfter"] = seconds;
        await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem });
    }
}
