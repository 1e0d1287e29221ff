using Microsoft.AspNetCore.Http.HttpResults;
using ModelsHub.Contracts.Imports;
using ModelsHub.Contracts.Models;
using ModelsHub.Core.Catalog;
using ModelsHub.Core.Common;
using ModelsHub.Core.Imports;
using ModelsHub.Core.Versions;
using ModelsHub.Functions.Auth;
using ModelsHub.Functions.Json;

namespace ModelsHub.Functions.Imports;

/// <summary>Imports from Hugging Face: preview the files and sizes, start an import, follow it, cancel it (<c>sources.manage</c>).</summary>
public static class ImportsApi
{
    private static readonly string[] RequestFields = ["repoId", "revision", "include", "exclude", "model", "version"];
    private static readonly string[] ModelFields = ["name", "type", "framework", "visibility", "description", "tags"];
    private static readonly string[] VersionFields = ["label", "notes"];

    public static RouteGroupBuilder MapImportsApi(this RouteGroupBuilder api)
    {
        var imports = api.MapGroup("/imports").WithTags("Imports").RequireAuthorization();
        imports.MapGet("/huggingface/preview", PreviewHuggingFaceImport).WithName("PreviewHuggingFaceImport")
            .WithSummary("What importing a Hugging Face repository would copy, before anything is copied: each selected file with its size, the total, the type and framework it maps to (sources.manage).")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status502BadGateway);
        imports.MapPost("/huggingface", StartHuggingFaceImport).WithName("StartHuggingFaceImport")
            .WithSummary("Import a Hugging Face repository's files (by include/exclude globs) as a version of a new or existing model: 202 with the import; checked against the Hub first (sources.manage).")
            .Accepts<HuggingFaceImportRequestBody>("application/json")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status502BadGateway);
        imports.MapGet("/", ListImports).WithName("ListImports")
            .WithSummary("Your imports, newest first (all=true: everyone's, for administrators).")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status403Forbidden);
        imports.MapGet("/{id}", GetImport).WithName("GetImport")
            .WithSummary("An import: its state, the model and version it writes, each file's bytes done and total, the error (its starter and administrators).")
            .ProducesProblem(StatusCodes.Status404NotFound);
        imports.MapPost("/{id}/cancel", CancelImport).WithName("CancelImport")
            .WithSummary("Stop an import: 202; its worker stops at the next chunk and takes back the version (and the model it registered). 409 once it has ended.")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        return api;
    }

    public static async Task<Ok<ImportPreviewDto>> PreviewHuggingFaceImport(HttpContext context, HuggingFaceImports imports, CancellationToken cancellationToken)
    {
        var q = new QueryReader(context.Request.Query);
        var repoId = q.String("repoId", HuggingFaceImports.MaxRepoIdLength + 1);
        var revision = q.String("revision", HuggingFaceImports.MaxRevisionLength + 1);
        var include = q.StringList("include", RepoFileGlobs.MaxPatterns, RepoFileGlobs.MaxPatternLength + 1);
        var exclude = q.StringList("exclude", RepoFileGlobs.MaxPatterns, RepoFileGlobs.MaxPatternLength + 1);
        q.Errors.ThrowIfAny();
        var preview = await imports.PreviewAsync(context.GetCaller(), repoId, revision, include, exclude, cancellationToken);
        return TypedResults.Ok(preview.ToDto());
    }

    public static async Task<Accepted<ImportDto>> StartHuggingFaceImport(HttpContext context, HuggingFaceImports imports, CancellationToken cancellationToken)
    {
        var caller = context.GetCaller();
        // Permission before the body: a caller who may not import hears 403 whatever it sent.
        HuggingFaceImports.Demand(caller, "import models from Hugging Face");
        var request = Read(await JsonBody.ReadObjectAsync(context, cancellationToken));
        var import = await imports.StartAsync(caller, request, cancellationToken);
        var view = new ImportView(import, null);
        return TypedResults.Accepted(ImportMappings.PathOf(import.Id), view.ToDto());
    }

    public static async Task<Ok<ImportListResponse>> ListImports(HttpContext context, HuggingFaceImports imports, CancellationToken cancellationToken)
    {
        var q = new QueryReader(context.Request.Query);
        var all = q.Boolean("all") ?? false;
        q.Errors.ThrowIfAny();
        var items = await imports.ListAsync(context.GetCaller(), all, cancellationToken);
        return TypedResults.Ok(new ImportListResponse(items.Select(i => new ImportView(i, null).ToDto()).ToList()));
    }

    public static async Task<Ok<ImportDto>> GetImport(string id, HttpContext context, HuggingFaceImports imports, CancellationToken cancellationToken) =>
        TypedResults.Ok((await imports.GetAsync(context.GetCaller(), id, cancellationToken)).ToDto());

    public static async Task<Accepted<ImportDto>> CancelImport(string id, HttpContext context, HuggingFaceImports imports, CancellationToken cancellationToken)
    {
        var view = await imports.CancelAsync(context.GetCaller(), id, cancellationToken);
        return TypedResults.Accepted(ImportMappings.PathOf(id), view.ToDto());
    }

    private static HuggingFaceImportRequest Read(System.Text.Json.JsonElement body)
    {
        var errors = new ValidationErrors();
        var fields = new JsonFields(body, RequestFields, errors);
        var repoId = fields.String("repoId", HuggingFaceImports.MaxRepoIdLength + 1);
        var revision = fields.String("revision", HuggingFaceImports.MaxRevisionLength + 1, nullable: true);
        var include = fields.StringList("include", RepoFileGlobs.MaxPatterns, RepoFileGlobs.MaxPatternLength + 1, nullable: true);
        var exclude = fields.StringList("exclude", RepoFileGlobs.MaxPatterns, RepoFileGlobs.MaxPatternLength + 1, nullable: true);
        var request = new HuggingFaceImportRequest
        {
            RepoId = repoId.GetValueOrDefault(null!),
            Revision = revision.GetValueOrDefault(null!),
            Include = include.GetValueOrDefault([]),
            Exclude = exclude.GetValueOrDefault([]),
        };
        if (fields.Raw("model") is { HasValue: true, Value: { } model })
        {
            if (model.ValueKind != System.Text.Json.JsonValueKind.Object)
            {
                errors.Add("model", "Must be an object: {name, type, framework, visibility, description, tags}.");
            }
            else
            {
                var m = new JsonFields(model, ModelFields, errors, "model");
                request = request with
                {
                    ModelName = m.String("name", ModelRules.MaxNameLength + 1).GetValueOrDefault(null!),
                    Type = m.Enum<ModelType>("type") is { HasValue: true } type ? type.Value : null,
                    Framework = m.Enum<ModelFramework>("framework") is { HasValue: true } framework ? framework.Value : null,
                    Visibility = m.Enum<ModelVisibility>("visibility") is { HasValue: true } visibility ? visibility.Value : null,
                    Description = m.String("description", ModelRules.MaxDescriptionLength).GetValueOrDefault(null!),
                    Tags = m.StringList("tags", ModelRules.MaxTags, ModelRules.MaxTagLength) is { HasValue: true } tags ? tags.Value : null,
                };
            }
        }
        if (fields.Raw("version") is { HasValue: true, Value: { } version })
        {
            if (version.ValueKind != System.Text.Json.JsonValueKind.Object)
            {
                errors.Add("version", "Must be an object: {label, notes}.");
            }
            else
            {
                var v = new JsonFields(version, VersionFields, errors, "version");
                request = request with
                {
                    VersionLabel = v.String("label", VersionRules.MaxLabelLength + 1).GetValueOrDefault(null!),
                    VersionNotes = v.String("notes", VersionRules.MaxNotesLength).GetValueOrDefault(null!),
                };
            }
        }
        var read = errors.ToDictionary();
        var checks = new ValidationErrors();
        HuggingFaceImports.Validate(request, checks);
        foreach (var (field, messages) in checks.ToDictionary().Where(e => !read.ContainsKey(e.Key)))
        {
            foreach (var message in messages) errors.Add(field, message);
        }
        errors.ThrowIfAny();
        return request;
    }
}
