using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using ModelsHub.Core.Common;

namespace ModelsHub.Functions.Triggers;

/// <summary>
/// The invocation endpoints of the non-HTTP functions. They exist only when the Functions host drives
/// the triggers (it is then the only caller on the handler port); standalone, the in-process stand-ins
/// run them and nobody can invoke a function over HTTP.
/// </summary>
public static class TriggersApi
{
    public static WebApplication MapTriggers(this WebApplication app)
    {
        if (app.Services.GetRequiredService<IOptions<TriggerOptions>>().Value.RunsInProcess)
        {
            return app;
        }
        var names = app.Services.GetServices<IFunctionTrigger>().Select(t => t.Name)
            .Concat(app.Services.GetServices<IScheduledJob>().Select(j => j.Name))
            .ToList();
        var duplicate = names.GroupBy(n => n, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new InvalidOperationException($"Two functions are named '{duplicate.Key}'.");
        }
        foreach (var name in names)
        {
            app.MapPost("/" + name, (HttpContext context, CancellationToken cancellationToken) => InvokeAsync(name, context, cancellationToken))
                .WithName("Invoke" + name)
                .WithSummary($"The Functions host's invocation of {name} ({{Data, Metadata}} → {{Outputs, Logs, ReturnValue}}).")
                .WithTags("Functions host")
                .ExcludeFromDescription()
                .AllowAnonymous();
        }
        return app;
    }

    /// <summary>
    /// The Functions host calls its custom handler over loopback on the port it handed it; a request from
    /// elsewhere, without an address (a Unix socket, a proxy that hides it) or to another listener is not its.
    /// </summary>
    private static bool IsFromTheHost(ConnectionInfo connection)
    {
        if (connection.RemoteIpAddress is not { } remote || !IPAddress.IsLoopback(remote))
        {
            return false;
        }
        var handlerPort = Environment.GetEnvironmentVariable(Hosting.HostingExtensions.CustomHandlerPortVariable);
        return string.IsNullOrEmpty(handlerPort) || handlerPort == connection.LocalPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    private static JsonElement Property(JsonElement body, string name) =>
        body.EnumerateObject().FirstOrDefault(p => p.Name.Equals(name, StringComparison.OrdinalIgnoreCase)).Value;

    public static async Task<Results<Ok<InvocationResponse>, ProblemHttpResult>> InvokeAsync(string name, HttpContext context, CancellationToken cancellationToken)
    {
        if (!IsFromTheHost(context.Connection))
        {
            throw new NotFoundException("Function", name);
        }
        var body = await Json.JsonBody.ReadAsync(context, 1024 * 1024, JsonValueKind.Object, cancellationToken);
        var request = new InvocationRequest(Property(body, "Data"), Property(body, "Metadata"));
        if (request.Data.ValueKind != JsonValueKind.Object)
        {
            throw new ValidationException("Data", "The host's payload needs a Data object.");
        }
        var log = new TriggerLog();
        try
        {
            var services = context.RequestServices;
            object? result;
            if (services.GetServices<IFunctionTrigger>().FirstOrDefault(t => t.Name == name) is { } trigger)
            {
                result = await trigger.InvokeAsync(request, log, cancellationToken);
            }
            else
            {
                var job = services.GetServices<IScheduledJob>().First(j => j.Name == name);
                request.Binding("timer");
                await job.RunAsync(cancellationToken);
                log.Add($"{name} ran.");
                result = null;
            }
            return TypedResults.Ok(new InvocationResponse(new Dictionary<string, object?>(), log.Lines, result));
        }
        catch (TriggerPayloadException ex)
        {
            throw new ValidationException(ex.Field, ex.Message);
        }
    }
}
