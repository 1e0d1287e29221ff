using Microsoft.AspNetCore.Http.HttpResults;
using ModelsHub.Contracts.Datasets;
using ModelsHub.Core.Common;
using ModelsHub.Core.Datasets;
using ModelsHub.Functions.Auth;
using ModelsHub.Functions.Json;
using ModelsHub.Functions.Models;
using ModelsHub.Functions.Problems;

namespace ModelsHub.Functions.Datasets;

/// <summary>Datasets: list and search, create, read, change, delete. Their versions and uploads are the models' own endpoints, mapped under /api/datasets.</summary>
public static class DatasetsApi
{
    public static RouteGroupBuilder MapDatasetsApi(this RouteGroupBuilder api)
    {
        var datasets = api.MapGroup("/datasets").WithTags("Datasets");

        datasets.MapGet("/", ListDatasets).WithName("ListDatasets")
            .WithSummary("List and search the datasets you may see: status (ready: what training offers), format, owner, mine=true, visibility, tag, q; sort, order, continuation paging.")
            .ProducesValidationProblem();
        datasets.MapPost("/", CreateDataset).WithName("CreateDataset")
            .WithSummary("Create a dataset {name, format, description?, visibility?, tags?} (datasets.manage; private by default).")
            .Accepts<DatasetRequest>("application/json")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status409Conflict);
        datasets.MapGet("/{name}", GetDataset).WithName("GetDataset")
            .WithSummary("A dataset: metadata, status, default version with its records and size; ETag, If-None-Match → 304.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        datasets.MapPatch("/{name}", UpdateDataset).WithName("UpdateDataset")
            .WithSummary("Change a dataset's description, visibility or tags (its owner or an administrator); send If-Match with its ETag.")
            .Accepts<DatasetRequest>("application/json", "application/merge-patch+json")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status412PreconditionFailed)
            .ProducesProblem(StatusCodes.Status428PreconditionRequired);
        datasets.MapDelete("/{name}", DeleteDataset).WithName("DeleteDataset")
            .WithSummary("Delete a dataset with its versions and files (its owner or an administrator); send If-Match with its ETag.")
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed).ProducesProblem(StatusCodes.Status428PreconditionRequired);
        return api;
    }

    public static async Task<Ok<DatasetListResponse>> ListDatasets(HttpContext context, DatasetCatalog catalog, CancellationToken cancellationToken)
    {
        var caller = context.GetCaller();
        var page = await catalog.ListAsync(caller, ParseQuery(context.Request.Query, caller.UserId), cancellationToken);
        return TypedResults.Ok(new DatasetListResponse(page.Items.Select(d => d.ToDto()).ToList(), page.ContinuationToken));
    }

    public static async Task<Created<DatasetDto>> CreateDataset(HttpContext context, DatasetCatalog catalog, CancellationToken cancellationToken)
    {
        var caller = context.GetCaller();
        if (!caller.IsAuthenticated)
        {
            throw new AuthenticationRequiredException("Sign in to create a dataset.");
        }
        var input = DatasetInputReader.Read(await JsonBody.ReadObjectAsync(context, cancellationToken));
        var dataset = await catalog.CreateAsync(caller, input, cancellationToken);
        Preconditions.SetETag(context.Response, dataset.ETag);
        return TypedResults.Created(DatasetMappings.PathOf(dataset), dataset.ToDto());
    }

    public static async Task<Results<Ok<DatasetDto>, StatusCodeHttpResult>> GetDataset(string name, HttpContext context, DatasetCatalog catalog, CancellationToken cancellationToken)
    {
        var dataset = await catalog.GetAsync(context.GetCaller(), name, cancellationToken);
        Preconditions.SetETag(context.Response, dataset.ETag);
        if (Preconditions.MatchesIfNoneMatch(context.Request, dataset.ETag))
        {
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }
        return TypedResults.Ok(dataset.ToDto());
    }

    public static async Task<Ok<DatasetDto>> UpdateDataset(string name, HttpContext context, DatasetCatalog catalog, CancellationToken cancellationToken)
    {
        var caller = context.GetCaller();
        // 404 for a hidden dataset and 401/403 for one the caller may not change come before the body is judged.
        await catalog.GetForChangeAsync(caller, name, "change this dataset", cancellationToken);
        var input = DatasetInputReader.Read(await JsonBody.ReadObjectAsync(context, cancellationToken));
        var saved = await catalog.UpdateAsync(caller, name, input, Preconditions.IfMatch(context.Request), cancellationToken);
        Preconditions.SetETag(context.Response, saved.ETag);
        return TypedResults.Ok(saved.ToDto());
    }

    public static async Task<NoContent> DeleteDataset(string name, HttpContext context, DatasetCatalog catalog, CancellationToken cancellationToken)
    {
        await catalog.DeleteAsync(context.GetCaller(), name, Preconditions.IfMatch(context.Request), cancellationToken);
        return TypedResults.NoContent();
    }

    internal static DatasetQuery ParseQuery(IQueryCollection query, string? userId)
    {
        var q = new QueryReader(query);
        var order = q.String("order", 4);
        if (order is not (null or "asc" or "desc"))
        {
            q.Errors.Add("order", "Must be asc or desc.");
        }
        var text = q.String("q", ModelsApi.MaxSearchLength) ?? "";
        var words = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (words.Length > ModelsApi.MaxSearchWords)
        {
            q.Errors.Add("q", $"At most {ModelsApi.MaxSearchWords} words.");
        }
        var owner = q.String("owner", 256);
        if (q.Boolean("mine") == true)
        {
            owner = userId ?? throw new AuthenticationRequiredException("Sign in to list your own datasets (mine=true).");
        }
        var tag = q.String("tag", DatasetRules.MaxTagLength);
        if (tag is not null && tag.Contains(Core.Catalog.ModelRules.TagSeparator))
        {
            q.Errors.Add("tag", $"A tag never contains '{Core.Catalog.ModelRules.TagSeparator}'; filter by one tag.");
        }
        var result = new DatasetQuery
        {
            Status = q.Enum<DatasetStatus>("status"),
            Format = q.Enum<DatasetFormat>("format"),
            Visibility = q.Enum<DatasetVisibility>("visibility"),
            Owner = owner,
            Tag = tag,
            Words = words,
            Sort = q.Enum<DatasetSort>("sort") ?? DatasetSort.Name,
            Descending = order == "desc",
            PageSize = q.PageSize(),
            ContinuationToken = q.ContinuationToken(),
        };
        q.Errors.ThrowIfAny();
        return result;
    }
}
