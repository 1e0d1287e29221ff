using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using ModelsHub.Contracts.Uploads;
using ModelsHub.Contracts.Versions;
using ModelsHub.Core.Common;
using ModelsHub.Core.Storage;
using ModelsHub.Core.Uploads;
using ModelsHub.Core.Versions;
using ModelsHub.Functions.Auth;
using ModelsHub.Functions.Json;
using ModelsHub.Functions.Problems;
using ModelsHub.Functions.Uploads;

namespace ModelsHub.Functions.Versions;

/// <summary>A model's versions: list, suggest a label, add (optionally opening the first upload), read, change, delete, download, choose the default.</summary>
public static class VersionsApi
{
    public static RouteGroupBuilder MapVersionsApi(this RouteGroupBuilder api)
    {
        var versions = api.MapGroup("/models/{name}/versions").WithTags("Versions");

        versions.MapGet("/", ListVersions).WithName("ListVersions")
            .WithSummary("A model's versions (oldest first), its default version and the suggested next label.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        versions.MapGet("/suggestion", SuggestVersionLabel).WithName("SuggestVersionLabel")
            .WithSummary("The label the next version would get (v1 → v2, v2.1 → v2.2, v3_medical → v4; v1 for the first).")
            .ProducesProblem(StatusCodes.Status404NotFound);
        versions.MapPost("/", CreateVersion).WithName("CreateVersion")
            .WithSummary("Add a version (label optional: the suggestion is used); with file, also open its first upload.")
            .Accepts<VersionRequest>("application/json")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        versions.MapGet("/{version}", GetVersion).WithName("GetVersion")
            .WithSummary("One version: status, files with their SHA-256, metrics, notes.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        versions.MapPatch("/{version}", UpdateVersion).WithName("UpdateVersion")
            .WithSummary("Change a version's notes or metrics (a null metric removes it); send If-Match with its ETag.")
            .Accepts<VersionRequest>("application/json", "application/merge-patch+json")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed).ProducesProblem(StatusCodes.Status428PreconditionRequired);
        versions.MapDelete("/{version}", DeleteVersion).WithName("DeleteVersion")
            .WithSummary("Delete a version and its files; send If-Match with its ETag. A model's last version cannot be deleted (409).")
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed).ProducesProblem(StatusCodes.Status428PreconditionRequired);
        versions.MapMethods("/{version}/files/{fileName}", [HttpMethods.Get, HttpMethods.Head], DownloadVersionFile).WithName("DownloadVersionFile")
            .WithSummary("Download a version's file: streamed with Range support and its SHA-256 in Repr-Digest, or a redirect to a short-lived read link.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        api.MapPut("/models/{name}/default-version", SetDefaultVersion).WithTags("Versions").WithName("SetDefaultVersion")
            .WithSummary("Choose the model's default version (it must be ready), or send a null label to follow the newest ready version.")
            .Accepts<DefaultVersionRequest>("application/json")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        return api;
    }

    public static async Task<Ok<VersionListResponse>> ListVersions(string name, HttpContext context, VersionCatalog catalog, CancellationToken cancellationToken)
    {
        var listing = await catalog.ListAsync(context.GetCaller(), name, cancellationToken);
        var model = listing.Model;
        return TypedResults.Ok(new VersionListResponse(listing.Versions.Select(v => v.ToDto(model)).ToList(),
            model.DefaultVersion, model.DefaultVersionPinned, listing.SuggestedLabel));
    }

    public static async Task<Ok<VersionSuggestionResponse>> SuggestVersionLabel(string name, HttpContext context, VersionCatalog catalog, CancellationToken cancellationToken) =>
        TypedResults.Ok(new VersionSuggestionResponse((await catalog.ListAsync(context.GetCaller(), name, cancellationToken)).SuggestedLabel));

    public static async Task<Created<VersionDto>> CreateVersion(string name, HttpContext context, VersionCatalog catalog, UploadService uploads, CancellationToken cancellationToken)
    {
        var caller = context.GetCaller();
        // Access before the body: a hidden model is a 404 and an anonymous caller a 401, whatever was sent.
        await catalog.GetForChangeAsync(caller, name, "add a version to this model", cancellationToken);
        var input = VersionInputReader.Read(await JsonBody.ReadObjectAsync(context, cancellationToken), create: true);
        if (input.File.HasValue)
        {
            // Refuse a bad file declaration before a version exists for it.
            uploads.Validate(input.File.Value, "file.");
        }
        var created = await catalog.CreateAsync(caller, name, input, cancellationToken);
        UploadDto? upload = null;
        if (input.File.HasValue)
        {
            try
            {
                upload = (await uploads.StartAsync(caller, created.Model, created.Label, input.File.Value, cancellationToken)).ToDto(context.Request);
            }
            catch
            {
                // No version stuck "uploading" with no upload: the request failed as a whole.
                await catalog.DiscardAsync(created, CancellationToken.None);
                throw;
            }
        }
        var (model, version) = await catalog.GetAsync(caller, created.Model, created.Label, cancellationToken);
        Preconditions.SetETag(context.Response, version.ETag);
        return TypedResults.Created(VersionMappings.PathOf(version.Model, version.Label), version.ToDto(model, upload));
    }

    public static async Task<Results<Ok<VersionDto>, StatusCodeHttpResult>> GetVersion(string name, string version, HttpContext context, VersionCatalog catalog, CancellationToken cancellationToken)
    {
        var (model, found) = await catalog.GetAsync(context.GetCaller(), name, version, cancellationToken);
        Preconditions.SetETag(context.Response, found.ETag);
        if (Preconditions.MatchesIfNoneMatch(context.Request, found.ETag))
        {
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }
        return TypedResults.Ok(found.ToDto(model));
    }

    public static async Task<Ok<VersionDto>> UpdateVersion(string name, string version, HttpContext context, VersionCatalog catalog, CancellationToken cancellationToken)
    {
        var caller = context.GetCaller();
        var input = VersionInputReader.Read(await JsonBody.ReadObjectAsync(context, cancellationToken), create: false);
        var saved = await catalog.UpdateAsync(caller, name, version, input, Preconditions.IfMatch(context.Request), cancellationToken);
        var (model, _) = await catalog.GetAsync(caller, saved.Model, saved.Label, cancellationToken);
        Preconditions.SetETag(context.Response, saved.ETag);
        return TypedResults.Ok(saved.ToDto(model));
    }

    public static async Task<NoContent> DeleteVersion(string name, string version, HttpContext context, VersionCatalog catalog, CancellationToken cancellationToken)
    {
        await catalog.DeleteAsync(context.GetCaller(), name, version, Preconditions.IfMatch(context.Request), cancellationToken);
        return TypedResults.NoContent();
    }

    public static async Task<Results<FileStreamHttpResult, RedirectHttpResult>> DownloadVersionFile(string name, string version, string fileName, HttpContext context,
        VersionCatalog catalog, IBlobStore blobs, IOptions<UploadOptions> options, CancellationToken cancellationToken)
    {
        var (found, file) = await catalog.GetFileAsync(context.GetCaller(), name, version, fileName, cancellationToken);
        var key = BlobKeys.ForFile(found.Model, found.Label, file.Name);
        if (await blobs.GetDownloadUrlAsync(key, file.Name, options.Value.DownloadLinkLifetime, cancellationToken) is { } link)
        {
            return TypedResults.Redirect(link.ToString());
        }
        var content = await blobs.OpenReadAsync(key, cancellationToken);
        // RFC 9530: the digest of the whole file, also on a 206, so a client can check what it assembled.
        context.Response.Headers["Repr-Digest"] = $"sha-256=:{Convert.ToBase64String(Convert.FromHexString(file.Sha256))}:";
        context.Response.Headers["X-Content-SHA256"] = file.Sha256;
        return TypedResults.Stream(content.Content, file.ContentType, file.Name, content.LastModified,
            new EntityTagHeaderValue($"\"{file.Sha256}\""), enableRangeProcessing: true);
    }

    public static async Task<Ok<DefaultVersionResponse>> SetDefaultVersion(string name, HttpContext context, VersionCatalog catalog, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadObjectAsync(context, cancellationToken);
        var errors = new ValidationErrors();
        var label = new JsonFields(body, ["label"], errors).String("label", VersionRules.MaxLabelLength * 2, nullable: true);
        if (!label.HasValue && errors.IsEmpty)
        {
            errors.Add("label", "Is required: a ready version's label, or null to follow the newest ready version.");
        }
        errors.ThrowIfAny();
        var model = await catalog.SetDefaultAsync(context.GetCaller(), name, label.Value, cancellationToken);
        Preconditions.SetETag(context.Response, model.ETag);
        return TypedResults.Ok(new DefaultVersionResponse(model.Name, model.DefaultVersion, model.DefaultVersionPinned, model.ETag));
    }
}
