using Microsoft.AspNetCore.Http.HttpResults;
using ModelsHub.Contracts.Workflows;
using ModelsHub.Core.Common;
using ModelsHub.Core.Identity;
using ModelsHub.Core.Workflows;
using ModelsHub.Functions.Auth;
using ModelsHub.Functions.Json;

namespace ModelsHub.Functions.Workflows;

/// <summary>Following a workflow: its state and history; an administrator's retry of a failed one.</summary>
public static class WorkflowsApi
{
    public static RouteGroupBuilder MapWorkflowsApi(this RouteGroupBuilder api)
    {
        var workflows = api.MapGroup("/workflows").WithTags("Workflows").RequireAuthorization();
        workflows.MapGet("/", ListWorkflows).WithName("ListWorkflows")
            .WithSummary("Workflows with one status (admin): status (default failed), pageSize 1-100, continuationToken.")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status403Forbidden);
        workflows.MapGet("/{id}", GetWorkflow).WithName("GetWorkflow")
            .WithSummary("A workflow's state, data, last error and history (its starter, reviewers and admins).")
            .ProducesProblem(StatusCodes.Status404NotFound);
        workflows.MapPost("/{id}/retry", RetryWorkflow).WithName("RetryWorkflow")
            .WithSummary("Put a failed workflow back to work at the step that failed (admin).")
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        return api;
    }

    public static async Task<Ok<WorkflowListResponse>> ListWorkflows(HttpContext context, IWorkflowStore store, CancellationToken cancellationToken)
    {
        if (!context.GetCaller().IsAdmin)
        {
            throw new ForbiddenException($"Listing workflows needs the '{Permissions.AdministerUsers}' permission.");
        }
        var q = new QueryReader(context.Request.Query);
        var status = q.Enum<WorkflowStatus>("status") ?? WorkflowStatus.Failed;
        var pageSize = q.PageSize();
        var token = q.ContinuationToken();
        q.Errors.ThrowIfAny();
        var page = await store.ListAsync(status, pageSize, token, cancellationToken);
        return TypedResults.Ok(new WorkflowListResponse(page.Items.Select(w => w.ToDto()).ToList(), page.ContinuationToken));
    }

    public static async Task<Ok<WorkflowDto>> GetWorkflow(string id, HttpContext context, WorkflowRunner runner, CancellationToken cancellationToken)
    {
        var caller = context.GetCaller();
        var instance = await runner.GetAsync(id, cancellationToken);
        var mayFollow = caller.IsAdmin || caller.Has(Permissions.ListReviews)
            || caller.IsUser(instance.StartedBy) || caller.IsUser(instance.Get("submitter"));
        if (!mayFollow)
        {
            throw new NotFoundException("Workflow", id);
        }
        return TypedResults.Ok(instance.ToDto());
    }

    public static async Task<Ok<WorkflowDto>> RetryWorkflow(string id, HttpContext context, WorkflowRunner runner, CancellationToken cancellationToken)
    {
        var caller = context.GetCaller();
        if (!caller.IsAdmin)
        {
            throw new ForbiddenException($"Retrying a workflow needs the '{Permissions.AdministerUsers}' permission.");
        }
        return TypedResults.Ok((await runner.RetryAsync(id, caller.UserId, cancellationToken)).ToDto());
    }

    public static WorkflowDto ToDto(this WorkflowInstance w) => new(
        w.Id, w.Kind, w.Status, w.Step, w.Data, w.Attempt, w.NextAttemptAt, w.LastError, w.StartedBy,
        w.History.Select(e => new WorkflowEventDto(e.At, e.Step, e.Outcome, e.Detail)).ToList(), w.CreatedAt, w.UpdatedAt);
}
