using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Microsoft.AspNetCore.Http.HttpResults;
using ModelsHub.Contracts.Models;
using ModelsHub.Contracts.Reviews;
using ModelsHub.Contracts;
using ModelsHub.Core.Catalog;
using ModelsHub.Core.Common;
using ModelsHub.Functions.Auth;
using ModelsHub.Functions.Json;
using ModelsHub.Functions.Problems;
using ModelsHub.Functions.Reviews;

namespace ModelsHub.Functions.Models;

/// <summary>The model catalog: browse and search, register, read, maintain, delete, stats, README templates.</summary>
public static class ModelsApi
{
    public const int MaxSearchWords = 8;
    public const int MaxSearchLength = 200;

    public static RouteGroupBuilder MapModelsApi(this RouteGroupBuilder api)
    {
        var models = api.MapGroup("/models").WithTags("Models");

        models.MapGet("/", ListModels).WithName("ListModels")
            .WithSummary("List and search the models you may see (filters, free text, sort, continuation paging).")
            .ProducesValidationProblem();
        models.MapGet("/stats", GetModelStats).WithName("GetModelStats")
            .WithSummary("Counts of the models you may see, in total and per type.");
        models.MapPost("/readme-template", RenderReadmeTemplate).WithName("RenderReadmeTemplate")
            .WithSummary("Generate a README from a draft's name, type, description and spec (the form's Get README).")
            .Accepts<ModelRequest>("application/json").ProducesValidationProblem();
        models.MapGet("/{name}", GetModel).WithName("GetModel")
            .WithSummary("A model's metadata, spec and README.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        models.MapGet("/{name}/readme-template", GetReadmeTemplate).WithName("GetReadmeTemplate")
            .WithSummary("Generate a README from a model's current spec.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        models.MapPost("/", CreateModel).WithName("CreateModel")
            .WithSummary("Register a model (private by default); a public registration without the permission waits for review (202 with the submission).")
            .Accepts<ModelRequest>("application/json")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status409Conflict);
        models.MapPatch("/{name}", UpdateModel).WithName("UpdateModel")
            .WithSummary("Change some of a model's fields; send If-Match with its ETag. An owner's change to a public model waits for review (202).")
            .Accepts<ModelRequest>("application/json", "application/merge-patch+json")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status412PreconditionFailed)
            .ProducesProblem(StatusCodes.Status428PreconditionRequired);
        models.MapDelete("/{name}", DeleteModel).WithName("DeleteModel")
            .WithSummary("Delete a model; send If-Match with its ETag. An owner's delete of a public model waits for review (202).")
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed).ProducesProblem(StatusCodes.Status428PreconditionRequired);
        return api;
    }

    // Pages the read cache hands out again answer with the bytes written the first time (SerializedOk).
    private static readonly ConditionalWeakTable<Page<ModelSummary>, SerializedOk<ModelListResponse>> ListResponses = new();

    public static async Task<SerializedOk<ModelListResponse>> ListModels(HttpContext context, ModelCatalog catalog,
        IOptions<JsonOptions> json, CancellationToken cancellationToken)
    {
        var caller = context.GetCaller();
        var query = ParseQuery(context.Request.Query, caller.UserId);
        var page = await catalog.ListAsync(caller, query, cancellationToken);
        return SerializedOk<ModelListResponse>.For(ListResponses, page,
            p => new ModelListResponse(p.Items.Select(m => m.ToDto()).ToList(), p.ContinuationToken), json.Value.SerializerOptions);
    }

    public static async Task<Ok<ModelStatsResponse>> GetModelStats(HttpContext context, ModelCatalog catalog, CancellationToken cancellationToken)
    {
        var counts = await catalog.CountAsync(context.GetCaller(), cancellationToken);
        return TypedResults.Ok(new ModelStatsResponse(counts.Total, counts.ByType.ToDictionary(p => EnumNames<ModelType>.NameOf(p.Key), p => p.Value)));
    }

    public static async Task<Results<Ok<ModelDto>, StatusCodeHttpResult>> GetModel(string name, HttpContext context, ModelCatalog catalog, CancellationToken cancellationToken)
    {
        var model = await catalog.GetAsync(context.GetCaller(), name, cancellationToken);
        if (Preconditions.MatchesIfNoneMatch(context.Request, model.ETag))
        {
            Preconditions.SetETag(context.Response, model.ETag);
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }
        Preconditions.SetETag(context.Response, model.ETag);
        return TypedResults.Ok(model.ToDto());
    }

    public static async Task<Ok<ReadmeResponse>> GetReadmeTemplate(string name, HttpContext context, ModelCatalog catalog, CancellationToken cancellationToken)
    {
        var model = await catalog.GetAsync(context.GetCaller(), name, cancellationToken);
        return TypedResults.Ok(new ReadmeResponse(ModelCatalog.RenderReadme(model.Name, model.Type, model.Description, model.Spec)));
    }

    public static async Task<Ok<ReadmeResponse>> RenderReadmeTemplate(HttpContext context, CancellationToken cancellationToken)
    {
        var input = ModelInputReader.Read(await JsonBody.ReadObjectAsync(context, cancellationToken));
        if (!input.Type.HasValue)
        {
            throw new ValidationException("type", "Is required; " + EnumNames<ModelType>.Expected + ".");
        }
        var readme = ModelCatalog.RenderReadme(input.Name.GetValueOrDefault(null!), input.Type.Value,
            input.Description.GetValueOrDefault(null!), input.Spec.GetValueOrDefault(null));
        return TypedResults.Ok(new ReadmeResponse(readme));
    }

    public static async Task<Results<Created<ModelDto>, Accepted<SubmissionDto>>> CreateModel(HttpContext context, ModelCatalog catalog, CancellationToken cancellationToken)
    {
        var caller = context.GetCaller();
        if (!caller.IsAuthenticated)
        {
            throw new AuthenticationRequiredException("Sign in to register a model.");
        }
        var input = ModelInputReader.Read(await JsonBody.ReadObjectAsync(context, cancellationToken));
        var write = await catalog.CreateAsync(caller, input, cancellationToken);
        if (write.IsPending)
        {
            return Pending(write);
        }
        var model = write.Model!;
        Preconditions.SetETag(context.Response, model.ETag);
        return TypedResults.Created($"/api/models/{Uri.EscapeDataString(model.Name)}", model.ToDto());
    }

    public static async Task<Results<Ok<ModelDto>, Accepted<SubmissionDto>>> UpdateModel(string name, HttpContext context, ModelCatalog catalog, CancellationToken cancellationToken)
    {
        var caller = context.GetCaller();
        // 404 for a hidden model and 403 for one the caller may not change come before the body is judged.
        await catalog.GetForChangeAsync(caller, name, cancellationToken);
        var input = ModelInputReader.Read(await JsonBody.ReadObjectAsync(context, cancellationToken));
        var write = await catalog.UpdateAsync(caller, name, input, Preconditions.IfMatch(context.Request), cancellationToken);
        if (write.IsPending)
        {
            return Pending(write);
        }
        var model = write.Model!;
        Preconditions.SetETag(context.Response, model.ETag);
        return TypedResults.Ok(model.ToDto());
    }

    public static async Task<Results<NoContent, Accepted<SubmissionDto>>> DeleteModel(string name, HttpContext context, ModelCatalog catalog, CancellationToken cancellationToken)
    {
        var write = await catalog.DeleteAsync(context.GetCaller(), name, Preconditions.IfMatch(context.Request), cancellationToken);
        return write.IsPending ? Pending(write) : TypedResults.NoContent();
    }

    /// <summary>The change waits for review: 202 with the submission, which the submitter can follow.</summary>
    private static Accepted<SubmissionDto> Pending(ModelWrite write) =>
        TypedResults.Accepted($"/api/reviews/{write.Submission!.Id}", write.Submission.ToDto());

    private static string? Tag(QueryReader q)
    {
        var tag = q.String("tag", ModelRules.MaxTagLength);
        if (tag is not null && tag.Contains(ModelRules.TagSeparator))
        {
            q.Errors.Add("tag", $"A tag never contains '{ModelRules.TagSeparator}'; filter by one tag.");
        }
        return tag;
    }

    internal static ModelQuery ParseQuery(IQueryCollection query, string? userId)
    {
        var q = new QueryReader(query);
        var sort = q.Enum<ModelSort>("sort") ?? ModelSort.Name;
        var order = q.String("order", 4);
        if (order is not (null or "asc" or "desc"))
        {
            q.Errors.Add("order", "Must be asc or desc.");
        }
        var text = q.String("q", MaxSearchLength) ?? "";
        var words = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (words.Length > MaxSearchWords)
        {
            q.Errors.Add("q", $"At most {MaxSearchWords} words.");
        }
        var owner = q.String("owner", 256);
        if (q.Boolean("mine") == true)
        {
            owner = userId ?? throw new AuthenticationRequiredException("Sign in to list your own models (mine=true).");
        }
        var result = new ModelQuery
        {
            Type = q.Enum<ModelType>("type"),
            Framework = q.Enum<ModelFramework>("framework"),
            Visibility = q.Enum<ModelVisibility>("visibility"),
            Tier = q.Enum<ModelTier>("tier"),
            Source = q.Enum<ModelSource>("source"),
            Status = q.Enum<ModelStatus>("status"),
            Featured = q.Boolean("featured"),
            Tag = Tag(q),
            Owner = owner,
            Words = words,
            Sort = sort,
            Descending = order == "desc",
            PageSize = q.PageSize(),
            ContinuationToken = q.ContinuationToken(),
        };
        q.Errors.ThrowIfAny();
        return result;
    }
}
