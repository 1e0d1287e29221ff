using Microsoft.AspNetCore.Http.HttpResults;
using ModelsHub.Contracts.Models;
using ModelsHub.Contracts.PullRequests;
using ModelsHub.Contracts.Reviews;
using ModelsHub.Core.Catalog;
using ModelsHub.Core.Common;
using ModelsHub.Core.PullRequests;
using ModelsHub.Core.Reviews;
using ModelsHub.Functions.Auth;
using ModelsHub.Functions.Json;
using ModelsHub.Functions.Models;

namespace ModelsHub.Functions.Reviews;

/// <summary>The review queue and decisions; a model's review status, audit history and pull request.</summary>
public static class ReviewsApi
{
    public const int MaxAgeHours = 24 * 365 * 10;

    public static RouteGroupBuilder MapReviewsApi(this RouteGroupBuilder api)
    {
        var reviews = api.MapGroup("/reviews").WithTags("Reviews").RequireAuthorization();
        reviews.MapGet("/", ListSubmissions).WithName("ListSubmissions")
            .WithSummary("The review queue, oldest first: filter by type, state, submitter, model and age (minAgeHours, maxAgeHours).")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status403Forbidden);
        reviews.MapGet("/{id}", GetSubmission).WithName("GetSubmission")
            .WithSummary("A submission: what is proposed, its diff against the live model, and the decision.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        reviews.MapPost("/{id}/decision", DecideSubmission).WithName("DecideSubmission")
            .WithSummary("Approve or reject a pending submission with feedback (required when rejecting).")
            .Accepts<DecisionRequest>("application/json")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);

        var model = api.MapGroup("/models/{name}").WithTags("Reviews");
        model.MapGet("/reviews", GetReviewStatus).WithName("GetReviewStatus")
            .WithSummary("The model's review status: its latest submission, the feedback, and its pull request.")
            .RequireAuthorization().ProducesProblem(StatusCodes.Status404NotFound);
        model.MapGet("/history", GetModelHistory).WithName("GetModelHistory")
            .WithSummary("The model's audit history: every submission and decision (who, when, what, why).")
            .RequireAuthorization().ProducesProblem(StatusCodes.Status404NotFound);
        model.MapPost("/pull-request/refresh", RefreshPullRequest).WithName("RefreshPullRequest")
            .WithSummary("Read the model's pull request state (open, merged, closed) from GitHub now.")
            .RequireAuthorization().ProducesProblem(StatusCodes.Status404NotFound);
        return api;
    }

    public static async Task<Ok<SubmissionListResponse>> ListSubmissions(HttpContext context, ReviewBoard board, TimeProvider clock, CancellationToken cancellationToken)
    {
        var q = new QueryReader(context.Request.Query);
        var minAge = q.Integer("minAgeHours", 0, MaxAgeHours);
        var maxAge = q.Integer("maxAgeHours", 0, MaxAgeHours);
        var model = q.String("model", ModelRules.MaxNameLength);
        var query = new SubmissionQuery
        {
            Type = q.Enum<ModelType>("type"),
            State = q.Enum<SubmissionState>("state"),
            Submitter = q.String("submitter", 256),
            ModelName = model,
            SubmittedBefore = minAge is { } min ? clock.GetUtcNow().AddHours(-min) : null,
            SubmittedAfter = maxAge is { } max ? clock.GetUtcNow().AddHours(-max) : null,
            PageSize = q.PageSize(),
            ContinuationToken = q.ContinuationToken(),
        };
        if (minAge > maxAge)
        {
            q.Errors.Add("minAgeHours", "Must not be more than maxAgeHours.");
        }
        q.Errors.ThrowIfAny();
        var page = await board.QueueAsync(context.GetCaller(), query, cancellationToken);
        return TypedResults.Ok(new SubmissionListResponse(page.Items.Select(s => s.ToDto()).ToList(), page.ContinuationToken));
    }

    public static async Task<Ok<SubmissionDto>> GetSubmission(string id, HttpContext context, ReviewBoard board, CancellationToken cancellationToken) =>
        TypedResults.Ok((await board.GetAsync(context.GetCaller(), id, cancellationToken)).ToDto());

    public static async Task<Ok<SubmissionDto>> DecideSubmission(string id, HttpContext context, ReviewBoard board, CancellationToken cancellationToken)
    {
        var caller = context.GetCaller();
        if (!caller.IsAuthenticated)
        {
            throw new AuthenticationRequiredException("Sign in to decide reviews.");
        }
        var body = await JsonBody.ReadObjectAsync(context, cancellationToken);
        var errors = new ValidationErrors();
        var fields = new JsonFields(body, ["decision", "feedback"], errors);
        var decision = fields.String("decision", 16);
        var feedback = fields.String("feedback", ReviewBoard.MaxFeedbackLength, nullable: true);
        if (!decision.HasValue && !errors.ToDictionary().ContainsKey("decision"))
        {
            errors.Add("decision", "Is required: approve or reject.");
        }
        else if (decision.HasValue && decision.Value is not ("approve" or "reject"))
        {
            errors.Add("decision", "Must be approve or reject.");
        }
        errors.ThrowIfAny();
        var submission = await board.DecideAsync(caller, id, decision.Value == "approve", feedback.GetValueOrDefault(null!), cancellationToken);
        return TypedResults.Ok(submission.ToDto());
    }

    public static async Task<Ok<ReviewStatusResponse>> GetReviewStatus(string name, HttpContext context, ReviewBoard board, IModelStore models, CancellationToken cancellationToken)
    {
        var (submissions, model) = await VisibleAsync(name, context, board, models, cancellationToken);
        var latest = submissions.LastOrDefault();
        return TypedResults.Ok(new ReviewStatusResponse(model?.Name ?? latest!.ModelName, latest?.ToDto(),
            (model?.PullRequest ?? submissions.LastOrDefault(s => s.PullRequest is not null)?.PullRequest)?.ToDto(),
            submissions.Select(s => s.ToDto()).ToList()));
    }

    public static async Task<Ok<ModelHistoryResponse>> GetModelHistory(string name, HttpContext context, ReviewBoard board, IModelStore models, CancellationToken cancellationToken)
    {
        var (submissions, model) = await VisibleAsync(name, context, board, models, cancellationToken);
        var entries = submissions.SelectMany(s => s.ToHistory()).OrderBy(e => e.At).ToList();
        return TypedResults.Ok(new ModelHistoryResponse(model?.Name ?? submissions[0].ModelName, entries));
    }

    public static async Task<Ok<ModelPullRequestDto>> RefreshPullRequest(string name, HttpContext context, ModelCatalog catalog, PullRequestTracker tracker, CancellationToken cancellationToken)
    {
        var model = await catalog.GetAsync(context.GetCaller(), name, cancellationToken);
        var pullRequest = await tracker.RefreshAsync(model.Name, cancellationToken) ?? throw new NotFoundException("Pull request of model", model.Name);
        return TypedResults.Ok(pullRequest.ToDto());
    }

    /// <summary>The model's submissions the caller may see; a 404 when they may see neither the model nor any submission of it.</summary>
    private static async Task<(IReadOnlyList<Submission> Submissions, HubModel? Model)> VisibleAsync(string name, HttpContext context, ReviewBoard board,
        IModelStore models, CancellationToken cancellationToken)
    {
        var caller = context.GetCaller();
        var model = await models.FindAsync(name, cancellationToken);
        var visibleModel = model is not null && ModelAccess.CanSee(caller, model, DateTimeOffset.UtcNow) ? model : null;
        var submissions = await board.ForModelAsync(caller, name, cancellationToken);
        if (visibleModel is null && submissions.Count == 0)
        {
            throw new NotFoundException("Model", name);
        }
        return (submissions, visibleModel);
    }
}
