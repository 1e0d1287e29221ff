using System.Diagnostics;
using Microsoft.AspNetCore.Http.HttpResults;
using ModelsHub.Contracts.Health;
using ModelsHub.Core.Common;

namespace ModelsHub.Functions.Health;

/// <summary>Liveness (the process answers) and readiness (every store it needs answers too).</summary>
public static class HealthApi
{
    private static readonly HealthResponse Healthy = new("healthy");
    private static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(5);

    public static RouteGroupBuilder MapHealthApi(this RouteGroupBuilder api)
    {
        // Probes are never limited: a throttled liveness probe would restart a healthy instance.
        var health = api.MapGroup("/health").WithTags("Health").AllowAnonymous().DisableRateLimiting();
        health.MapGet("/", GetLiveness).WithName("GetLiveness").WithSummary("Liveness: the server answers.");
        health.MapGet("/ready", GetReadiness).WithName("GetReadiness").WithSummary("Readiness: every store the hub needs answers.");
        return api;
    }

    public static Ok<HealthResponse> GetLiveness() => TypedResults.Ok(Healthy);

    public static async Task<Results<Ok<ReadinessResponse>, JsonHttpResult<ReadinessResponse>>> GetReadiness(
        IEnumerable<IReadinessCheck> checks, CancellationToken cancellationToken)
    {
        var results = await Task.WhenAll(checks.Select(c => RunAsync(c, cancellationToken)));
        var ready = results.All(r => r.Error is null);
        var response = new ReadinessResponse(ready ? "ready" : "unavailable", results);
        return ready ? TypedResults.Ok(response) : TypedResults.Json(response, statusCode: StatusCodes.Status503ServiceUnavailable);
    }

    private static async Task<ReadinessCheckResult> RunAsync(IReadinessCheck check, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(CheckTimeout);
        try
        {
            await check.CheckAsync(timeout.Token);
            return new ReadinessCheckResult(check.Name, "ready", watch.ElapsedMilliseconds, null);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return new ReadinessCheckResult(check.Name, "unavailable", watch.ElapsedMilliseconds, ex.GetType().Name + ": " + ex.Message);
        }
    }
}
