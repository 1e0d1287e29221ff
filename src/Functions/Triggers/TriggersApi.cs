using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using ModelsHub.Core.Common;

namespace ModelsHub.Functions.Triggers;

/// <summary>The invocation endpoints of the non-HTTP functions, answered only to the local host.</summary>
public static class TriggersApi
{
    public static WebApplication MapTriggers(this WebApplication app)
    {
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

    private static JsonElement Property(JsonElement body, string name) =>
        body.EnumerateObject().FirstOrDefault(p => p.Name.Equals(name, StringComparison.OrdinalIgnoreCase)).Value;

    public static async Task<Results<Ok<InvocationResponse>, ProblemHttpResult>> InvokeAsync(string name, HttpContext context, CancellationToken cancellationToken)
    {
        var remote = context.Connection.RemoteIpAddress;
        if (remote is not null && !IPAddress.IsLoopback(remote))
        {
            // The Functions host calls its custom handler over loopback; nobody else may.
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
                result = await job.RunForResultAsync(cancellationToken);
                log.Add($"{name} ran.");
            }
            return TypedResults.Ok(new InvocationResponse(new Dictionary<string, object?>(), log.Lines, result));
        }
        catch (TriggerPayloadException ex)
        {
            throw new ValidationException(ex.Field, ex.Message);
        }
    }
}
