using Microsoft.AspNetCore.Http.HttpResults;
using ModelsHub.Contracts.Uploads;
using ModelsHub.Core.Assets;
using ModelsHub.Core.Uploads;
using ModelsHub.Core.Versions;
using ModelsHub.Functions.Auth;
using ModelsHub.Functions.Json;
using ModelsHub.Functions.Versions;

namespace ModelsHub.Functions.Uploads;

/// <summary>
/// The upload protocol a browser, a CLI and a script all use, for the versions of models and of
/// datasets alike (mapped once per kind): open, read (resume), complete, abort.
/// </summary>
public static class UploadsApi
{
    public static RouteGroupBuilder MapUploadsApi(this RouteGroupBuilder api, AssetKind kind)
    {
        var route = new AssetRoute(kind);
        var tag = kind == AssetKind.Model ? "Uploads" : "Dataset uploads";
        var uploads = api.MapGroup($"/{kind.Collection()}/{{name}}/versions/{{version}}/uploads").WithTags(tag).WithMetadata(route);

        uploads.MapPost("/", StartUpload).WithName(route.Name("StartUpload", "StartDatasetUpload"))
            .WithSummary("Open an upload of one file {fileName, size, sha256?, contentType?}: the chunk layout, block ids, expiry and where to send chunks. Declaring the same open file again returns its upload.")
            .Accepts<UploadRequestBody>("application/json")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        uploads.MapGet("/{uploadId}", GetUpload).WithName(route.Name("GetUpload", "GetDatasetUpload"))
            .WithSummary("An upload's state: which chunks arrived, bytes received, a fresh target while it is open.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        uploads.MapPost("/{uploadId}/complete", CompleteUpload).WithName(route.Name("CompleteUpload", "CompleteDatasetUpload"))
            .WithSummary("Commit the chunks in order, verify the whole file's SHA-256 and publish it (200), or go on in the background (202).")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        uploads.MapDelete("/{uploadId}", AbortUpload).WithName(route.Name("AbortUpload", "AbortDatasetUpload"))
            .WithSummary("Abort an unfinished upload and drop its chunks.")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);

        api.MapGet($"/{kind.Collection()}/{{name}}/uploads", ListUploads).WithTags(tag).WithMetadata(route).WithName(route.Name("ListUploads", "ListDatasetUploads"))
            .WithSummary($"A {kind.Noun()}'s unfinished uploads, so a client that lost an upload id finds it again.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return api;
    }

    /// <summary>The caller's quotas of the upload machinery (one route for every asset kind).</summary>
    public static RouteGroupBuilder MapQuotasApi(this RouteGroupBuilder api)
    {
        api.MapGet("/me/quotas", GetMyQuotas).WithTags("User center").WithName("GetMyQuotas").RequireAuthorization()
            .WithSummary("Your storage quotas across every model and dataset: bytes in unfinished uploads and stored, each with its limit and what is left.")
            .ProducesProblem(StatusCodes.Status401Unauthorized);
        return api;
    }

    public static async Task<Ok<QuotasDto>> GetMyQuotas(HttpContext context, UploadQuotas quotas, CancellationToken cancellationToken) =>
        TypedResults.Ok((await quotas.GetAsync(context.GetCaller(), cancellationToken)).ToDto());

    public static async Task<Results<Created<UploadDto>, Ok<UploadDto>>> StartUpload(AssetRoute route, string name, string version, HttpContext context, VersionCatalog catalog,
        UploadService uploads, CancellationToken cancellationToken)
    {
        var caller = context.GetCaller();
        await catalog.GetForChangeAsync(caller, route.For(name), $"upload files to this {route.Kind.Noun()}", cancellationToken);
        var request = VersionInputReader.ReadUpload(await JsonBody.ReadObjectAsync(context, cancellationToken));
        var state = await uploads.StartAsync(caller, route.For(name), version, request, cancellationToken);
        var dto = state.ToDto(context.Request);
        return state.Created ? TypedResults.Created(dto.Url, dto) : TypedResults.Ok(dto);
    }

    public static async Task<Ok<UploadDto>> GetUpload(AssetRoute route, string name, string version, string uploadId, HttpContext context, UploadService uploads, CancellationToken cancellationToken) =>
        TypedResults.Ok((await uploads.GetAsync(context.GetCaller(), route.For(name), version, uploadId, cancellationToken)).ToDto(context.Request));

    public static async Task<Ok<UploadListResponse>> ListUploads(AssetRoute route, string name, HttpContext context, UploadService uploads, CancellationToken cancellationToken)
    {
        var states = await uploads.ListActiveAsync(context.GetCaller(), route.For(name), cancellationToken);
        return TypedResults.Ok(new UploadListResponse(states.Select(s => s.ToDto(context.Request)).ToList()));
    }

    public static async Task<Results<Ok<UploadCompletionResponse>, Accepted<UploadCompletionResponse>>> CompleteUpload(AssetRoute route, string name, string version, string uploadId,
        HttpContext context, UploadService uploads, VersionCatalog catalog, CancellationToken cancellationToken)
    {
        var caller = context.GetCaller();
        var completion = await uploads.CompleteAsync(caller, route.For(name), version, uploadId, cancellationToken);
        var upload = completion.Session.ToDto(context.Request);
        if (!completion.Finished)
        {
            return TypedResults.Accepted(upload.Url, new UploadCompletionResponse(upload, null));
        }
        var (asset, current) = await catalog.GetAsync(caller, route.For(name), version, cancellationToken);
        return TypedResults.Ok(new UploadCompletionResponse(upload, current.ToDto(asset)));
    }

    public static async Task<NoContent> AbortUpload(AssetRoute route, string name, string version, string uploadId, HttpContext context, UploadService uploads, CancellationToken cancellationToken)
    {
        await uploads.AbortAsync(context.GetCaller(), route.For(name), version, uploadId, cancellationToken);
        return TypedResults.NoContent();
    }
}
