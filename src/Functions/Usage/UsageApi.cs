using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using ModelsHub.Core.Usage;
using ModelsHub.Functions.Auth;
using ModelsHub.Functions.Json;
using ModelsHub.Contracts.Usage;
using ModelsHub.Contracts;

namespace ModelsHub.Functions.Usage;

/// <summary>
/// Usage analytics over the hourly rollups: per model (by user or version), your own, and the hub's
/// (<c>usage.view</c>): calls, success rate, error classes, p50/p95/p99 latency and time to first token, tokens.
/// </summary>
public static class UsageApi
{
    public static RouteGroupBuilder MapUsageApi(this RouteGroupBuilder api)
    {
        api.MapGet("/models/{name}/usage", GetModelUsage).WithTags("Usage").WithName("GetModelUsage").RequireAuthorization()
            .WithSummary("A model's usage: from, to (ISO 8601), granularity=hour|day, by=user|version|deployment; ETag, If-None-Match → 304.")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
        api.MapGet("/models/{name}/usage/calls", GetModelCalls).WithTags("Usage").WithName("GetModelCalls").RequireAuthorization()
            .WithSummary("A model's latest recorded calls, newest first (failures=true for the failed ones; pageSize 1-100): for error analysis.")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
        api.MapGet("/me/usage", GetMyUsage).WithTags("Usage").WithName("GetMyUsage").RequireAuthorization()
            .WithSummary("Your usage (sign-in and access-token calls alike): from, to, granularity, by=model|version|deployment.")
            .ProducesValidationProblem();
        api.MapGet("/usage", GetUsageOverview).WithTags("Usage").WithName("GetUsageOverview").RequireAuthorization()
            .WithSummary("The hub's usage (usage.view): totals, the busiest models and users (top, 1-100).")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status403Forbidden);
        return api;
    }

    // UsageReports hands out the same report object until usage is next recorded: its bytes (and their ETag) are
    // made once per report, so a dashboard polled by many is answered without serializing it again (or with a 304).
    private static readonly ConditionalWeakTable<UsageReport, SerializedOk<UsageReport>> Reports = new();
    private static readonly ConditionalWeakTable<UsageOverview, SerializedOk<UsageOverview>> Overviews = new();

    public static async Task<SerializedOk<UsageReport>> GetModelUsage(string name, HttpContext context, UsageReports reports, IOptions<JsonOptions> json,
        CancellationToken cancellationToken) =>
        Answer(Reports, await reports.ForModelAsync(context.GetCaller(), name,
            ReadRange(context, [UsageGrouping.None, UsageGrouping.User, UsageGrouping.Version, UsageGrouping.Deployment]), cancellationToken), json);

    public static async Task<SerializedOk<UsageReport>> GetMyUsage(HttpContext context, UsageReports reports, IOptions<JsonOptions> json, CancellationToken cancellationToken) =>
        Answer(Reports, await reports.ForCallerAsync(context.GetCaller(),
            ReadRange(context, [UsageGrouping.None, UsageGrouping.Model, UsageGrouping.Version, UsageGrouping.Deployment]), cancellationToken), json);

    public static async Task<SerializedOk<UsageOverview>> GetUsageOverview(HttpContext context, UsageReports reports, IOptions<JsonOptions> json,
        CancellationToken cancellationToken)
    {
        var q = new QueryReader(context.Request.Query);
        var top = q.Integer("top", 1, UsageReports.MaxTop) ?? 10;
        var range = ReadRange(context, [UsageGrouping.None], q);
        return Answer(Overviews, await reports.OverviewAsync(context.GetCaller(), range, top, cancellationToken), json);
    }

    private static SerializedOk<T> Answer<T>(ConditionalWeakTable<T, SerializedOk<T>> memo, T report, IOptions<JsonOptions> json) where T : class =>
        SerializedOk<T>.WithETagFor(memo, report, r => r, json.Value.SerializerOptions);

    public static async Task<Ok<UsageCallsResponse>> GetModelCalls(string name, HttpContext context, UsageReports reports, CancellationToken cancellationToken)
    {
        var q = new QueryReader(context.Request.Query);
        var pageSize = q.PageSize();
        var failures = q.Boolean("failures") ?? false;
        q.Errors.ThrowIfAny();
        var calls = await reports.RecentCallsAsync(context.GetCaller(), name, pageSize, failures, cancellationToken);
        return TypedResults.Ok(new UsageCallsResponse(calls.Select(c => new UsageCallDto(c.Id, c.At, c.Model, c.Version, c.Deployment, c.User, c.TokenId,
            c.Operation, c.Streamed, c.Success, c.ErrorClass, c.Error, c.LatencyMs, c.TimeToFirstTokenMs, c.TokensIn, c.TokensOut)).ToList()));
    }

    private static UsageRange ReadRange(HttpContext context, UsageGrouping[] allowed, QueryReader? reader = null)
    {
        var q = reader ?? new QueryReader(context.Request.Query);
        var from = Timestamp(q, context, "from");
        var to = Timestamp(q, context, "to");
        var granularity = q.Enum<UsageGranularity>("granularity") ?? UsageGranularity.Hour;
        var by = q.Enum<UsageGrouping>("by") ?? UsageGrouping.None;
        if (!allowed.Contains(by))
        {
            q.Errors.Add("by", "Must be one of: " + string.Join(", ", allowed.Where(a => a != UsageGrouping.None).Select(a => ModelsHub.Contracts.EnumNames<UsageGrouping>.NameOf(a))) + ".");
        }
        q.Errors.ThrowIfAny();
        return new UsageRange(from, to, granularity, by);
    }

    private static DateTimeOffset? Timestamp(QueryReader q, HttpContext context, string key)
    {
        var text = q.String(key, 40);
        if (text is null) return null;
        if (DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var at))
        {
            return at.ToUniversalTime();
        }
        q.Errors.Add(key, "Must be an ISO 8601 date or date-time such as 2027-01-31T00:00:00Z.");
        return null;
    }
}
