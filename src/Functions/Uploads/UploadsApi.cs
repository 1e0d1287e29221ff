using Microsoft.AspNetCore.Http.HttpResults;
using ModelsHub.Contracts.Uploads;
using ModelsHub.Core.Uploads;
using ModelsHub.Core.Versions;
using ModelsHub.Functions.Auth;
using ModelsHub.Functions.Json;
using ModelsHub.Functions.Versions;

namespace ModelsHub.Functions.Uploads;

/// <summary>The upload protocol a browser, a CLI and a script all use: open, read (resume), complete, abort.</summary>
public static class UploadsApi
{
    public static RouteGroupBuilder MapUploadsApi(this RouteGroupBuilder api)
    {
        var uploads = api.MapGroup("/models/{name}/versions/{version}/uploads").WithTags("Uploads");

        uploads.MapPost("/", StartUpload).WithName("StartUpload")
            .WithSummary("Open an upload of one file {fileName, size, sha256?, contentType?}: the chunk layout, block ids, expiry and where to send chunks. Declaring the same open file again returns its upload.")
            .Accepts<UploadRequestBody>("application/json")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        uploads.MapGet("/{uploadId}", GetUpload).WithName("GetUpload")
            .WithSummary("An upload's state: which chunks arrived, bytes received, a fresh target while it is open.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        uploads.MapPost("/{uploadId}/complete", CompleteUpload).WithName("CompleteUpload")
            .WithSummary("Commit the chunks in order, verify the whole file's SHA-256 and publish it (200), or go on in the background (202).")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        uploads.MapDelete("/{uploadId}", AbortUpload).WithName("AbortUpload")
            .WithSummary("Abort an unfinished upload and drop its chunks.")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);

        api.MapGet("/models/{name}/uploads", ListUploads).WithTags("Uploads").WithName("ListUploads")
            .WithSummary("A model's unfinished uploads, so a client that lost an upload id finds it again.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return api;
    }

    public static async Task<Results<Created<UploadDto>, Ok<UploadDto>>> StartUpload(string name, string version, HttpContext context, VersionCatalog catalog,
        UploadService uploads, CancellationToken cancellationToken)
    {
        var caller = context.GetCaller();
        await catalog.GetForChangeAsync(caller, name, "upload files to this model", cancellationToken);
        var request = VersionInputReader.ReadUpload(await JsonBody.ReadObjectAsync(context, cancellationToken));
        var state = await uploads.StartAsync(caller, name, version, request, cancellationToken);
        var dto = state.ToDto(context.Request);
        return state.Created ? TypedResults.Created(dto.Url, dto) : TypedResults.Ok(dto);
    }

    public static async Task<Ok<UploadDto>> GetUpload(string name, string version, string uploadId, HttpContext context, UploadService uploads, CancellationToken cancellationToken) =>
        TypedResults.Ok((await uploads.GetAsync(context.GetCaller(), name, version, uploadId, cancellationToken)).ToDto(context.Request));

    public static async Task<Ok<UploadListResponse>> ListUploads(string name, HttpContext context, UploadService uploads, CancellationToken cancellationToken)
    {
        var states = await uploads.ListActiveAsync(context.GetCaller(), name, cancellationToken);
        return TypedResults.Ok(new UploadListResponse(states.Select(s => s.ToDto(context.Request)).ToList()));
    }

    public static async Task<Results<Ok<UploadCompletionResponse>, Accepted<UploadCompletionResponse>>> CompleteUpload(string name, string version, string uploadId,
        HttpContext context, UploadService uploads, VersionCatalog catalog, CancellationToken cancellationToken)
    {
        var caller = context.GetCaller();
        var completion = await uploads.CompleteAsync(caller, name, version, uploadId, cancellationToken);
        var upload = completion.Session.ToDto(context.Request);
        if (!completion.Finished)
        {
            return TypedResults.Accepted(upload.Url, new UploadCompletionResponse(upload, null));
        }
        var (model, current) = await catalog.GetAsync(caller, name, version, cancellationToken);
        return TypedResults.Ok(new UploadCompletionResponse(upload, current.ToDto(model)));
    }

    public static async Task<NoContent> AbortUpload(string name, string version, string uploadId, HttpContext context, UploadService uploads, CancellationToken cancellationToken)
    {
        await uploads.AbortAsync(context.GetCaller(), name, version, uploadId, cancellationToken);
        return TypedResults.NoContent();
    }
}
