using System.Diagnostics;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using ModelsHub.Core.Common;

namespace ModelsHub.Functions.Problems;

/// <summary>
/// The one place where domain outcomes become RFC 9457 problem details; anything unexpected is
/// left to the framework's 500 (no internals leak).
/// </summary>
public sealed partial class ProblemDetailsExceptionHandler(IProblemDetailsService problems, ILogger<ProblemDetailsExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is OperationCanceledException && context.RequestAborted.IsCancellationRequested)
        {
            context.Response.StatusCode = 499;
            return true;
        }
        var problem = exception switch
        {
            ValidationException v => new HttpValidationProblemDetails(v.Errors.ToDictionary())
            {
                Status = StatusCodes.Status400BadRequest,
                Title = "One or more fields are invalid.",
                Detail = string.Join(" ", v.Errors.Take(3).Select(e => $"{e.Key}: {string.Join(" ", e.Value)}")),
            },
            NotFoundException n => Problem(StatusCodes.Status404NotFound, "Not found.", n.Message),
            ConflictException c => c.Field is null
                ? Problem(StatusCodes.Status409Conflict, "Conflict.", c.Message)
                : new HttpValidationProblemDetails(new Dictionary<string, string[]> { [c.Field] = [c.Message] })
                {
                    Status = StatusCodes.Status409Conflict, Title = "Conflict.", Detail = c.Message,
                },
            PreconditionFailedException p => Problem(StatusCodes.Status412PreconditionFailed, "The resource has changed.", p.Message),
            PreconditionRequiredException r => Problem(StatusCodes.Status428PreconditionRequired, "If-Match is required.", r.Message),
            ForbiddenException f => Problem(StatusCodes.Status403Forbidden, "Forbidden.", f.Message),
            AuthenticationRequiredException a => Problem(StatusCodes.Status401Unauthorized, "Sign-in required.", a.Message),
            UnsupportedFormatException u => WithExtension(Problem(StatusCodes.Status415UnsupportedMediaType, "Unsupported format.", u.Message), "accepted", u.Accepted),
            PayloadTooLargeException t => t.Field is null
                ? Problem(StatusCodes.Status413PayloadTooLarge, "Too large.", t.Message)
                : new HttpValidationProblemDetails(new Dictionary<string, string[]> { [t.Field] = [t.Message] })
                {
                    Status = StatusCodes.Status413PayloadTooLarge, Title = "Too large.", Detail = t.Message,
                },
            Core.GitHub.RepositoryAccessException g => Problem(g.TokenRejected ? StatusCodes.Status400BadRequest : StatusCodes.Status502BadGateway,
                g.TokenRejected ? "GitHub rejected the token." : "GitHub is not available.", g.Message),
            Core.Imports.HuggingFaceException h => Problem(StatusCodes.Status502BadGateway, "Hugging Face is not available.", h.Message),
            ServiceBusyException => Problem(StatusCodes.Status503ServiceUnavailable, "Busy.", "The hub's storage is busy; try again shortly."),
            Core.Uploads.QuotaExceededException q => WithQuota(Problem(q.Exhausted ? StatusCodes.Status403Forbidden : StatusCodes.Status413PayloadTooLarge,
                q.Exhausted ? "Quota used up." : "Over quota.", q.Message), q),
            InsufficientStorageException i => Problem(StatusCodes.Status507InsufficientStorage, "Insufficient storage.", i.Message),
            Core.ApiModels.ModelCallException m => WithExtension(ModelCallProblem(m), "errorClass", ModelsHub.Contracts.EnumNames<ModelsHub.Contracts.Usage.UsageErrorClass>.NameOf(m.ErrorClass)),
            BadHttpRequestException b => Problem(b.StatusCode, b.StatusCode == 413 ? "Too large." : "Bad request.", b.Message),
            _ => null,
        };
        if (problem is null)
        {
            LogUnhandled(logger, exception, context.Request.Method, context.Request.Path);
            return false;
        }
        if (exception is AuthenticationRequiredException)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
        }
        if (exception is Core.ApiModels.ModelCallException { RetryAfter: { } providerRetryAfter })
        {
            context.Response.Headers.RetryAfter = ((int)Math.Ceiling(Math.Max(1, providerRetryAfter.TotalSeconds))).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        if (exception is ServiceBusyException { RetryAfter: { } retryAfter })
        {
            context.Response.Headers.RetryAfter = ((int)Math.Ceiling(Math.Max(1, retryAfter.TotalSeconds))).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        context.Response.StatusCode = problem.Status!.Value;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem, Exception = exception });
    }

    /// <summary>A failed model call: the provider's refusal of the hub's key is the hub's problem (502), not the caller's.</summary>
    private static ProblemDetails ModelCallProblem(Core.ApiModels.ModelCallException m) => m.ErrorClass switch
    {
        ModelsHub.Contracts.Usage.UsageErrorClass.Inactive => Problem(StatusCodes.Status409Conflict, "The model is inactive.", m.Message),
        ModelsHub.Contracts.Usage.UsageErrorClass.RateLimited => Problem(StatusCodes.Status429TooManyRequests, "The provider is rate limiting.", m.Message),
        ModelsHub.Contracts.Usage.UsageErrorClass.Timeout => Problem(StatusCodes.Status504GatewayTimeout, "The provider did not answer in time.", m.Message),
        ModelsHub.Contracts.Usage.UsageErrorClass.BadRequest => Problem(m.ProviderStatus is null ? StatusCodes.Status409Conflict : StatusCodes.Status400BadRequest,
            m.ProviderStatus is null ? "The model cannot take this call." : "The provider refused the request.", m.Message),
        ModelsHub.Contracts.Usage.UsageErrorClass.Auth => Problem(StatusCodes.Status502BadGateway, "The provider refused the hub's key for this model.", m.Message),
        _ => Problem(StatusCodes.Status502BadGateway, "The provider failed.", m.Message),
    };

    private static ProblemDetails Problem(int status, string title, string detail) =>
        new() { Status = status, Title = title, Detail = detail };

    /// <summary>Which quota, its limit, what is used, what is left and what was asked for, for clients to show.</summary>
    private static ProblemDetails WithQuota(ProblemDetails problem, Core.Uploads.QuotaExceededException q)
    {
        problem.Extensions["quota"] = q.Usage.Quota;
        problem.Extensions["limit"] = q.Usage.Limit;
        problem.Extensions["used"] = q.Usage.Used;
        problem.Extensions["remaining"] = q.Usage.Remaining;
        problem.Extensions["requested"] = q.Requested;
        return problem;
    }

    private static ProblemDetails WithExtension(ProblemDetails problem, string key, object value)
    {
        problem.Extensions[key] = value;
        return problem;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled exception on {Method} {Path}")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string method, string path);
}

public static class ProblemsExtensions
{
    public static IServiceCollection AddHubProblemDetails(this IServiceCollection services)
    {
        services.AddProblemDetails(o => o.CustomizeProblemDetails = c =>
        {
            c.ProblemDetails.Instance ??= c.HttpContext.Request.Path;
            c.ProblemDetails.Detail ??= c.ProblemDetails.Status switch
            {
                StatusCodes.Status401Unauthorized => "Sign in: send an Authorization header with a valid bearer token.",
                StatusCodes.Status403Forbidden => "You do not have the permission this needs.",
                StatusCodes.Status404NotFound => "There is nothing at this address.",
                StatusCodes.Status405MethodNotAllowed => $"{c.HttpContext.Request.Method} is not allowed here.",
                StatusCodes.Status415UnsupportedMediaType => $"Send the body as JSON (Content-Type: application/json), not '{c.HttpContext.Request.ContentType ?? "nothing"}'.",
                _ => null,
            };
            c.ProblemDetails.Extensions.TryAdd("traceId", Activity.Current?.Id ?? c.HttpContext.TraceIdentifier);
            if (Gateway.GatewayApi.IsGatewayPath(c.HttpContext.Request.Path))
            {
                // OpenAI clients read {"error": {message, type, param, code}}; the problem's own fields stay for everyone else.
                c.ProblemDetails.Extensions["error"] = new ModelsHub.Contracts.Gateway.OpenAiError(
                    c.ProblemDetails.Detail ?? c.ProblemDetails.Title ?? "Error",
                    c.ProblemDetails.Status switch
                    {
                        StatusCodes.Status401Unauthorized => "authentication_error",
                        StatusCodes.Status403Forbidden => "permission_error",
                        StatusCodes.Status404NotFound => "not_found_error",
                        StatusCodes.Status429TooManyRequests => "rate_limit_error",
                        >= 500 => "server_error",
                        _ => "invalid_request_error",
                    },
                    (c.ProblemDetails as HttpValidationProblemDetails)?.Errors.Keys.FirstOrDefault(),
                    c.ProblemDetails.Extensions.TryGetValue("errorClass", out var errorClass) ? errorClass as string : null);
            }
        });
        // After the framework's writer: it answers callers that accept JSON; this one everybody else.
        services.AddSingleton<IProblemDetailsWriter, ProblemJsonFallbackWriter>();
        services.AddExceptionHandler<ProblemDetailsExceptionHandler>();
        return services;
    }

    /// <summary>Errors thrown by handlers and bare status codes (404 route, 405, 401) both become problem+json.</summary>
    public static WebApplication UseHubProblemDetails(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        return app;
    }
}

/// <summary>
/// Writes problem+json for callers whose <c>Accept</c> excludes JSON (a browser navigation sends
/// <c>text/html</c>), which the framework's writer declines: without it their errors became an empty
/// 500, or the developer exception page with its stack trace. An error keeps its status and body
/// whatever the caller accepts; a client that cannot read JSON still learns the status.
/// </summary>
internal sealed class ProblemJsonFallbackWriter(IOptions<ProblemDetailsOptions> options, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json) : IProblemDetailsWriter
{
    public bool CanWrite(ProblemDetailsContext context) => true;

    public ValueTask WriteAsync(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        problem.Status ??= context.HttpContext.Response.StatusCode;
        // The same type and title defaults the framework's writer applies (a ProblemHttpResult applies them on creation).
        _ = TypedResults.Problem(problem);
        options.Value.CustomizeProblemDetails?.Invoke(context);
        return new ValueTask(context.HttpContext.Response.WriteAsJsonAsync(problem, problem.GetType(), json.Value.SerializerOptions, "application/problem+json"));
    }
}
