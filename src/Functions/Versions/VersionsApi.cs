using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using ModelsHub.Contracts.Uploads;
using ModelsHub.Contracts.Versions;
using ModelsHub.Core.Assets;
using ModelsHub.Core.Common;
using ModelsHub.Core.Storage;
using ModelsHub.Core.Uploads;
using ModelsHub.Core.Versions;
using ModelsHub.Functions.Auth;
using ModelsHub.Functions.Json;
using ModelsHub.Functions.Problems;
using ModelsHub.Functions.Uploads;

namespace ModelsHub.Functions.Versions;

/// <summary>
/// The versions of models and of datasets, mapped once per kind: list, suggest a label, add
/// (optionally opening the first upload), read, change, delete, download, choose the default.
/// </summary>
public static class VersionsApi
{
    public static RouteGroupBuilder MapVersionsApi(this RouteGroupBuilder api, AssetKind kind)
    {
        var route = new AssetRoute(kind);
        var noun = kind.Noun();
        var tag = kind == AssetKind.Model ? "Versions" : "Dataset versions";
        var versions = api.MapGroup($"/{kind.Collection()}/{{name}}/versions").WithTags(tag).WithMetadata(route);

        versions.MapGet("/", ListVersions).WithName(route.Name("ListVersions", "ListDatasetVersions"))
            .WithSummary($"A {noun}'s versions (oldest first), its default version and the suggested next label.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        versions.MapGet("/suggestion", SuggestVersionLabel).WithName(route.Name("SuggestVersionLabel", "SuggestDatasetVersionLabel"))
            .WithSummary("The label the next version would get (v1 → v2, v2.1 → v2.2, v3_medical → v4; v1 for the first).")
            .ProducesProblem(StatusCodes.Status404NotFound);
        versions.MapPost("/", CreateVersion).WithName(route.Name("CreateVersion", "CreateDatasetVersion"))
            .WithSummary("Add a version (label optional: the suggestion is used); with file, also open its first upload.")
            .Accepts<VersionRequest>("application/json")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        if (kind == AssetKind.Model)
        {
            versions.MapGet("/compare", CompareVersions).WithName("CompareVersions")
                .WithSummary("Two versions side by side (?a=v1&b=v2): both versions with their lineage, every metric of either (with b − a), every file of either (size, SHA-256, same or not).")
                .ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);
        }
        versions.MapGet("/{version}", GetVersion).WithName(route.Name("GetVersion", "GetDatasetVersion"))
            .WithSummary(kind == AssetKind.Model
                ? "One version: status, files with their SHA-256, metrics, notes."
                : "One version: status (uploading, validating, ready, invalid, failed), its file with its SHA-256, and what validation found: records, size, columns or roles, token estimate, the first errors with their lines.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        versions.MapPatch("/{version}", UpdateVersion).WithName(route.Name("UpdateVersion", "UpdateDatasetVersion"))
            .WithSummary("Change a version's notes or metrics (a null metric removes it); send If-Match with its ETag.")
            .Accepts<VersionRequest>("application/json", "application/merge-patch+json")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed).ProducesProblem(StatusCodes.Status428PreconditionRequired);
        versions.MapDelete("/{version}", DeleteVersion).WithName(route.Name("DeleteVersion", "DeleteDatasetVersion"))
            .WithSummary($"Delete a version and its files; send If-Match with its ETag. A {noun}'s last version cannot be deleted (409).")
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed).ProducesProblem(StatusCodes.Status428PreconditionRequired);
        versions.MapMethods("/{version}/files/{**fileName}", [HttpMethods.Get, HttpMethods.Head], DownloadVersionFile)
            .WithName(route.Name("DownloadVersionFile", "DownloadDatasetVersionFile"))
            .WithSummary("Download a version's file (an imported file by its path, such as onnx/model.onnx): streamed with Range support and its SHA-256 in Repr-Digest, or a redirect to a short-lived read link.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        api.MapPut($"/{kind.Collection()}/{{name}}/default-version", SetDefaultVersion).WithTags(tag).WithMetadata(route)
            .WithName(route.Name("SetDefaultVersion", "SetDatasetDefaultVersion"))
            .WithSummary($"Choose the {noun}'s default version (it must be ready), or send a null label to follow the newest ready version.")
            .Accepts<DefaultVersionRequest>("application/json")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        return api;
    }

    public static async Task<Ok<VersionListResponse>> ListVersions(AssetRoute route, string name, HttpContext context, VersionCatalog catalog, CancellationToken cancellationToken)
    {
        var listing = await catalog.ListAsync(context.GetCaller(), route.For(name), cancellationToken);
        var asset = listing.Asset;
        return TypedResults.Ok(new VersionListResponse(listing.Versions.Select(v => v.ToDto(asset)).ToList(),
            asset.Default.Label, asset.Default.Pinned, listing.SuggestedLabel));
    }

    public static async Task<Ok<VersionSuggestionResponse>> SuggestVersionLabel(AssetRoute route, string name, HttpContext context, VersionCatalog catalog, CancellationToken cancellationToken) =>
        TypedResults.Ok(new VersionSuggestionResponse((await catalog.ListAsync(context.GetCaller(), route.For(name), cancellationToken)).SuggestedLabel));

    public static async Task<Created<VersionDto>> CreateVersion(AssetRoute route, string name, HttpContext context, VersionCatalog catalog, UploadService uploads, CancellationToken cancellationToken)
    {
        var caller = context.GetCaller();
        // Access before the body: a hidden asset is a 404 and an anonymous caller a 401, whatever was sent.
        var asset = await catalog.GetForChangeAsync(caller, route.For(name), $"add a version to this {route.Kind.Noun()}", cancellationToken);
        var input = VersionInputReader.Read(await JsonBody.ReadObjectAsync(context, cancellationToken), create: true);
        if (input.File.HasValue)
        {
            // Refuse a bad file declaration before a version exists for it.
            uploads.Validate(input.File.Value, asset, "file.");
        }
        var created = await catalog.CreateAsync(caller, asset.Ref, input, cancellationToken);
        UploadDto? upload = null;
        if (input.File.HasValue)
        {
            try
            {
                upload = (await uploads.StartAsync(caller, created.AssetRef, created.Label, input.File.Value, cancellationToken)).ToDto(context.Request);
            }
            catch
            {
                // No version stuck "uploading" with no upload: the request failed as a whole.
                await catalog.DiscardAsync(created, CancellationToken.None);
                throw;
            }
        }
        var (owner, version) = await catalog.GetAsync(caller, created.AssetRef, created.Label, cancellationToken);
        Preconditions.SetETag(context.Response, version.ETag);
        return TypedResults.Created(VersionMappings.PathOf(version.Ref), version.ToDto(owner, upload));
    }

    public static async Task<Results<Ok<VersionDto>, StatusCodeHttpResult>> GetVersion(AssetRoute route, string name, string version, HttpContext context, VersionCatalog catalog, CancellationToken cancellationToken)
    {
        var (asset, found) = await catalog.GetAsync(context.GetCaller(), route.For(name), version, cancellationToken);
        Preconditions.SetETag(context.Response, found.ETag);
        if (Preconditions.MatchesIfNoneMatch(context.Request, found.ETag))
        {
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }
        return TypedResults.Ok(found.ToDto(asset));
    }

    public static async Task<Ok<VersionCompareResponse>> CompareVersions(AssetRoute route, string name, HttpContext context, VersionCatalog catalog, CancellationToken cancellationToken)
    {
        var q = new QueryReader(context.Request.Query);
        var labels = new[] { "a", "b" }.Select(key =>
        {
            var label = q.String(key, VersionRules.MaxLabelLength);
            if (label is null && !q.Errors.ToDictionary().ContainsKey(key))
            {
                q.Errors.Add(key, "Is required: the label of a version to compare.");
            }
            return label;
        }).ToArray();
        q.Errors.ThrowIfAny();
        var caller = context.GetCaller();
        var (asset, a) = await catalog.GetAsync(caller, route.For(name), labels[0]!, cancellationToken);
        var (_, b) = await catalog.GetAsync(caller, route.For(name), labels[1]!, cancellationToken);
        var metrics = a.Metrics.Keys.Concat(b.Metrics.Keys).Distinct(StringComparer.Ordinal)
            .Select(m =>
            {
                double? x = a.Metrics.TryGetValue(m, out var av) ? av : null;
                double? y = b.Metrics.TryGetValue(m, out var bv) ? bv : null;
                return new MetricComparisonDto(m, x, y, x is { } p && y is { } r ? r - p : null);
            }).ToList();
        var files = a.Files.Select(f => f.Name).Concat(b.Files.Select(f => f.Name)).Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.OrdinalIgnoreCase)
            .Select(f =>
            {
                var (x, y) = (a.FindFile(f), b.FindFile(f));
                return new FileComparisonDto(f, x?.Size, y?.Size, x?.Sha256, y?.Sha256, x is not null && y is not null && x.Sha256 == y.Sha256);
            }).ToList();
        return TypedResults.Ok(new VersionCompareResponse(asset.Ref.Name, a.ToDto(asset), b.ToDto(asset), metrics, files));
    }

    public static async Task<Ok<VersionDto>> UpdateVersion(AssetRoute route, string name, string version, HttpContext context, VersionCatalog catalog, CancellationToken cancellationToken)
    {
        var caller = context.GetCaller();
        var input = VersionInputReader.Read(await JsonBody.ReadObjectAsync(context, cancellationToken), create: false);
        var saved = await catalog.UpdateAsync(caller, route.For(name), version, input, Preconditions.IfMatch(context.Request), cancellationToken);
        var (asset, _) = await catalog.GetAsync(caller, saved.AssetRef, saved.Label, cancellationToken);
        Preconditions.SetETag(context.Response, saved.ETag);
        return TypedResults.Ok(saved.ToDto(asset));
    }

    public static async Task<NoContent> DeleteVersion(AssetRoute route, string name, string version, HttpContext context, VersionCatalog catalog, CancellationToken cancellationToken)
    {
        await catalog.DeleteAsync(context.GetCaller(), route.For(name), version, Preconditions.IfMatch(context.Request), cancellationToken);
        return TypedResults.NoContent();
    }

    public static async Task<Results<FileStreamHttpResult, RedirectHttpResult>> DownloadVersionFile(AssetRoute route, string name, string version, string fileName, HttpContext context,
        VersionCatalog catalog, IBlobStore blobs, IOptions<UploadOptions> options, CancellationToken cancellationToken)
    {
        var (found, file) = await catalog.GetFileAsync(context.GetCaller(), route.For(name), version, fileName, cancellationToken);
        var key = BlobKeys.ForFile(found.Ref, file.Name);
        var downloadName = file.Name[(file.Name.LastIndexOf('/') + 1)..];
        if (await blobs.GetDownloadUrlAsync(key, downloadName, options.Value.DownloadLinkLifetime, cancellationToken) is { } link)
        {
            return TypedResults.Redirect(link.ToString());
        }
        if (context.Request.Headers.Range.ToString() is { Length: > 0 } range && !range.TrimStart().StartsWith("bytes=", StringComparison.OrdinalIgnoreCase))
        {
            // RFC 9110 §14.2: a range unit the server does not understand is ignored (the whole file), not read as bytes.
            context.Request.Headers.Remove(HeaderNames.Range);
        }
        var content = await blobs.OpenReadAsync(key, cancellationToken);
        // RFC 9530: the digest of the whole file, also on a 206, so a client can check what it assembled.
        context.Response.Headers["Repr-Digest"] = $"sha-256=:{Convert.ToBase64String(Convert.FromHexString(file.Sha256))}:";
        context.Response.Headers["X-Content-SHA256"] = file.Sha256;
        return TypedResults.Stream(content.Content, UploadRules.ServedContentType(file.ContentType), downloadName, content.LastModified,
            new EntityTagHeaderValue($"\"{file.Sha256}\""), enableRangeProcessing: true);
    }

    public static async Task<Ok<DefaultVersionResponse>> SetDefaultVersion(AssetRoute route, string name, HttpContext context, VersionCatalog catalog, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadObjectAsync(context, cancellationToken);
        var errors = new ValidationErrors();
        var label = new JsonFields(body, ["label"], errors).String("label", VersionRules.MaxLabelLength * 2, nullable: true);
        if (!label.HasValue && errors.IsEmpty)
        {
            errors.Add("label", "Is required: a ready version's label, or null to follow the newest ready version.");
        }
        errors.ThrowIfAny();
        var asset = await catalog.SetDefaultAsync(context.GetCaller(), route.For(name), label.Value, cancellationToken);
        Preconditions.SetETag(context.Response, asset.ETag);
        var (model, dataset) = VersionMappings.Names(asset.Ref);
        return TypedResults.Ok(new DefaultVersionResponse(model, dataset, asset.Default.Label, asset.Default.Pinned, asset.ETag));
    }
}
