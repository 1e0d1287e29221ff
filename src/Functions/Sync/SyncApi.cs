using Microsoft.AspNetCore.Http.HttpResults;
using ModelsHub.Contracts.Sync;
using ModelsHub.Contracts.Workflows;
using ModelsHub.Core.Common;
using ModelsHub.Core.Identity;
using ModelsHub.Core.Upstream;
using ModelsHub.Core.Workflows;
using ModelsHub.Functions.Auth;
using ModelsHub.Functions.Json;

namespace ModelsHub.Functions.Sync;

/// <summary>The upstream sync on demand and its runs (administrators).</summary>
public static class SyncApi
{
    public static RouteGroupBuilder MapSyncApi(this RouteGroupBuilder api)
    {
        var sync = api.MapGroup("/sync").WithTags("Upstream sync").RequireAuthorization();
        sync.MapPost("/", StartSync).WithName("StartSync")
            .WithSummary("Sync with the model repository now (admin): 202 with the run id; a sync already under way is joined, not doubled.")
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden);
        sync.MapGet("/", ListSyncRuns).WithName("ListSyncRuns")
            .WithSummary("The latest sync runs, newest first (admin; pageSize 1-100, default 20).")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status403Forbidden);
        sync.MapGet("/{runId}", GetSyncRun).WithName("GetSyncRun")
            .WithSummary("A sync run: status, commit, counts (added, updated, unchanged, removed, under review, errors), duration, errors (admin).")
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
        return api;
    }

    public static async Task<Accepted<SyncStartResponse>> StartSync(HttpContext context, UpstreamSync sync, CancellationToken cancellationToken)
    {
        var caller = DemandAdmin(context, "start an upstream sync");
        var start = await sync.StartAsync(SyncTrigger.Manual, caller.UserId, cancellationToken);
        var view = await sync.GetAsync(start.Run.Id, cancellationToken);
        return TypedResults.Accepted($"/api/sync/{Uri.EscapeDataString(start.Run.Id)}", new SyncStartResponse(start.Run.Id, start.Joined, view.ToDto()));
    }

    public static async Task<Ok<SyncRunListResponse>> ListSyncRuns(HttpContext context, UpstreamSync sync, CancellationToken cancellationToken)
    {
        DemandAdmin(context, "see sync runs");
        var q = new QueryReader(context.Request.Query);
        var pageSize = q.PageSize();
        q.Errors.ThrowIfAny();
        var runs = await sync.ListAsync(pageSize, cancellationToken);
        return TypedResults.Ok(new SyncRunListResponse(runs.Select(r => new SyncRunView(r, null).ToDto()).ToList()));
    }

    public static async Task<Ok<SyncRunDto>> GetSyncRun(string runId, HttpContext context, UpstreamSync sync, CancellationToken cancellationToken)
    {
        DemandAdmin(context, "see sync runs");
        return TypedResults.Ok((await sync.GetAsync(runId, cancellationToken)).ToDto());
    }

    private static Caller DemandAdmin(HttpContext context, string what)
    {
        var caller = context.GetCaller();
        if (!caller.IsAdmin)
        {
            throw new ForbiddenException($"To {what} you need the '{Permissions.AdministerUsers}' permission (administrators).");
        }
        return caller;
    }

    public static SyncRunDto ToDto(this SyncRunView view)
    {
        var (r, w) = (view.Run, view.Workflow);
        return new SyncRunDto(r.Id, r.Sequence, r.Status, r.Trigger, r.RequestedBy, r.Repository, r.Ref, r.Commit, r.StartedAt, r.FinishedAt, r.DurationMs,
            r.Entries,
            new SyncCountsDto(r.Counts.Added, r.Counts.Updated, r.Counts.Unchanged, r.Counts.Removed, r.Counts.UnderReview, r.Counts.Errors),
            new PullRequestCountsDto(r.PullRequests.Checked, r.PullRequests.Merged, r.PullRequests.Closed, r.PullRequests.Errors),
            r.Errors.Select(e => new SyncErrorDto(e.Type, e.Model, e.Reason)).ToList(), r.LastError,
            w is null ? null : new SyncWorkflowDto(w.Id, w.Status, w.Step, w.Attempt, w.NextAttemptAt, w.LastError));
    }
}
