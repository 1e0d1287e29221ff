using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using ModelsHub.Contracts.Admin;
using ModelsHub.Contracts.Models;
using ModelsHub.Contracts;
using ModelsHub.Core.Catalog;
using ModelsHub.Core.Common;
using ModelsHub.Core.Identity;
using ModelsHub.Core.Upstream;
using ModelsHub.Functions.Auth;
using ModelsHub.Functions.Hosting;
using ModelsHub.Functions.Json;

namespace ModelsHub.Functions.Admin;

/// <summary>Administrative operations on the catalog.</summary>
public static class AdminApi
{
    public static RouteGroupBuilder MapAdminApi(this RouteGroupBuilder api)
    {
        var admin = api.MapGroup("/admin").WithTags("Administration").RequireAuthorization();
        admin.MapPost("/upstream-import", ImportUpstream).WithName("ImportUpstream")
            .WithSummary("Load upstream Xinference files ({\"llm\": [...], \"audio\": [...], ...}) as public upstream models; idempotent.")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status403Forbidden);
        return api;
    }

    public static async Task<Ok<UpstreamImportResponse>> ImportUpstream(HttpContext context, UpstreamImporter importer, IOptions<ApiOptions> options, CancellationToken cancellationToken)
    {
        var caller = context.GetCaller();
        if (!caller.IsAdmin)
        {
            throw new ForbiddenException($"Importing upstream models needs the '{Permissions.AdministerUsers}' permission.");
        }
        var body = await JsonBody.ReadAsync(context, options.Value.MaxImportBodyBytes, JsonValueKind.Object, cancellationToken);
        var files = ReadFiles(body);
        return TypedResults.Ok((await importer.ImportAsync(files, cancellationToken)).ToResponse());
    }

    /// <summary>The body's keys are Xinference types; each value is that type's file (a JSON array).</summary>
    public static IReadOnlyDictionary<ModelType, JsonElement> ReadFiles(JsonElement body)
    {
        var errors = new ValidationErrors();
        var files = new Dictionary<ModelType, JsonElement>();
        foreach (var property in body.EnumerateObject())
        {
            if (!EnumNames<ModelType>.TryParse(property.Name, out var type) || !type.IsXinference())
            {
                errors.Add(property.Name, "Unknown file; expected one of: " + string.Join(", ", ModelTypes.Xinference.Select(EnumNames<ModelType>.NameOf)) + ".");
            }
            else if (property.Value.ValueKind != JsonValueKind.Array)
            {
                errors.Add(property.Name, "Must be the file's JSON array of entries.");
            }
            else
            {
                files[type] = property.Value;
            }
        }
        if (files.Count == 0 && errors.IsEmpty)
        {
            errors.Add("body", "Name at least one file, such as {\"llm\": [...]}.");
        }
        errors.ThrowIfAny();
        return files;
    }

    public static UpstreamImportResponse ToResponse(this UpstreamImportResult r) => new(
        r.Added, r.Updated, r.Unchanged, r.Errors.Select(e => new UpstreamImportErrorDto(e.Type, e.ModelName, e.Reason)).ToList())
    {
        Entries = r.Entries,
        Removed = r.Removed,
        UnderReview = r.UnderReview,
    };
}
