using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using ModelsHub.Core.ApiModels;
using ModelsHub.Core.Assets;
using ModelsHub.Core.Catalog;
using ModelsHub.Core.Common;
using ModelsHub.Core.Inference;
using ModelsHub.Core.Versions;
using ModelsHub.Functions.Auth;
using ModelsHub.Functions.Json;
using ModelsHub.Contracts.Models;
using ModelsHub.Contracts.ApiModels;
using ModelsHub.Contracts;

namespace ModelsHub.Functions.ApiModels;

/// <summary>
/// Seed 004's REST surface over the same catalog: <c>/api/v1/ai-models/</c> (list, create),
/// <c>/{model_id}</c> (read), <c>/{model_id}/test</c> and <c>/{model_id}/toggle-status</c>, in the
/// seed's field names. <c>model_id</c> is the hub model's name; a model created here is the same
/// model under <c>/api/models</c>. The seed's type <c>vision</c> is the hub's <c>image</c>, and its
/// framework <c>openai</c>/<c>anthropic</c> names the source of an API model.
/// </summary>
public static class AiModelsApi
{
    private static readonly string[] CreateFields = ["name", "version", "type", "framework", "source", "description", "endpoint", "api_key", "model_id", "tags", "visibility"];

    public static RouteGroupBuilder MapAiModelsApi(this RouteGroupBuilder api)
    {
        var models = api.MapGroup("/v1/ai-models").WithTags("AI models (seed 004)");
        models.MapGet("/", ListAiModels).WithName("ListAiModels")
            .WithSummary("Models you may see, in seed 004's fields (type, status and source filters; page_size, continuation_token).")
            .ProducesValidationProblem();
        models.MapPost("/", CreateAiModel).WithName("CreateAiModel").RequireAuthorization()
            .WithSummary("Register a model {name, version, type, framework, source, description, endpoint, api_key?, model_id?}; an openai/anthropic/openai-compatible source is verified with a free call first.")
            .Accepts<AiModelRequest>("application/json").ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status502BadGateway);
        models.MapGet("/{model_id}", GetAiModel).WithName("GetAiModel")
            .WithSummary("One model in seed 004's fields.").ProducesProblem(StatusCodes.Status404NotFound);
        models.MapPost("/{model_id}/test", TestAiModel).WithName("TestAiModel").RequireAuthorization()
            .WithSummary("Test a model with {\"input_data\": {prompt, max_tokens, ...}}.")
            .Accepts<TestRequest>("application/json").ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status502BadGateway);
        models.MapPost("/{model_id}/toggle-status", ToggleAiModel).WithName("ToggleAiModelStatus").RequireAuthorization()
            .WithSummary("Start or stop a model (active ⇄ inactive).").ProducesProblem(StatusCodes.Status403Forbidden);
        return api;
    }

    public static async Task<Ok<AiModelListResponse>> ListAiModels(HttpContext context, ModelCatalog catalog, CancellationToken cancellationToken)
    {
        var q = new QueryReader(context.Request.Query);
        var typeText = q.String("type", 32);
        ModelType? type = null;
        if (typeText is not null)
        {
            type = ParseType(typeText) ?? AddError<ModelType?>(q.Errors, "type", "Must be " + TypeNames + ".");
        }
        var query = new ModelQuery
        {
            Type = type,
            Status = q.Enum<ModelStatus>("status"),
            Source = q.Enum<ModelSource>("source"),
            PageSize = q.Integer("page_size", 1, Paging.MaxPageSize) ?? Paging.DefaultPageSize,
            ContinuationToken = q.String("continuation_token", 4096),
        };
        q.Errors.ThrowIfAny();
        var page = await catalog.ListAsync(context.GetCaller(), query, cancellationToken);
        return TypedResults.Ok(new AiModelListResponse(page.Items.Select(ToDto).ToList(), page.ContinuationToken));
    }

    public static async Task<Ok<AiModelDto>> GetAiModel(string model_id, HttpContext context, ModelCatalog catalog, CancellationToken cancellationToken) =>
        TypedResults.Ok(ToDto(await catalog.GetAsync(context.GetCaller(), model_id, cancellationToken)));

    public static async Task<Results<Created<AiModelDto>, Accepted<AiModelDto>>> CreateAiModel(HttpContext context, ModelCatalog catalog, ApiModelService apiModels,
        VersionCatalog versions, CancellationToken cancellationToken)
    {
        var caller = context.GetCaller();
        if (!caller.IsAuthenticated)
        {
            throw new AuthenticationRequiredException("Sign in to register a model.");
        }
        var body = await JsonBody.ReadObjectAsync(context, cancellationToken);
        var errors = new ValidationErrors();
        var f = new JsonFields(body, CreateFields, errors);
        var name = f.String("name", ModelRules.MaxNameLength * 2);
        var version = f.String("version", ApiModelService.MaxVersionLength, nullable: true);
        var typeText = f.String("type", 32);
        var frameworkText = f.String("framework", 32, nullable: true);
        var source = f.Enum<ModelSource>("source");
        var description = f.String("description", ModelRules.MaxDescriptionLength, nullable: true);
        var endpoint = f.String("endpoint", ApiModelService.MaxEndpointLength, nullable: true);
        var apiKey = f.String("api_key", ApiModelService.MaxKeyLength, nullable: true);
        var modelId = f.String("model_id", ApiModelService.MaxModelIdLength, nullable: true);
        var tags = f.StringList("tags", ModelRules.MaxTags, ModelRules.MaxTagLength, nullable: true);
        var visibility = f.Enum<ModelVisibility>("visibility");
        ModelType? type = null;
        if (!typeText.HasValue)
        {
            if (!errors.ToDictionary().ContainsKey("type")) errors.Add("type", "Is required: " + TypeNames + ".");
        }
        else
        {
            type = ParseType(typeText.Value) ?? AddError<ModelType?>(errors, "type", "Must be " + TypeNames + ".");
        }
        ModelFramework? framework = null;
        if (frameworkText is { HasValue: true, Value: { } fw })
        {
            // Seed 004's example names the provider as the framework of an API model.
            framework = EnumNames<ModelSource>.TryParse(fw, out var asSource) && asSource.IsApiSource() ? ModelFramework.Custom
                : EnumNames<ModelFramework>.TryParse(fw, out var parsed) ? parsed
                : AddError<ModelFramework?>(errors, "framework", "Must be " + EnumNames<ModelFramework>.Expected + " (or the API provider: openai, anthropic, openai-compatible).");
        }
        if (!source.HasValue && frameworkText is { HasValue: true, Value: { } named } && EnumNames<ModelSource>.TryParse(named, out var implied) && implied.IsApiSource())
        {
            source = implied;
        }
        errors.ThrowIfAny();

        var input = new ModelInput
        {
            Name = name,
            Type = type!.Value,
            Description = description.HasValue ? description.Value : default(Optional<string>),
            Tags = tags,
            Framework = framework is { } fr ? fr : default(Optional<ModelFramework>),
            Source = source,
            Visibility = visibility,
        };
        ModelWrite write;
        if (source is { HasValue: true } s && s.Value.IsApiSource())
        {
            var provider = new ProviderInput
            {
                Endpoint = endpoint.HasValue ? endpoint.Value : default(Optional<string?>),
                ModelId = modelId is { HasValue: true, Value: { Length: > 0 } id } ? id : name.GetValueOrDefault(""),
                ApiKey = apiKey.HasValue ? apiKey.Value : default(Optional<string?>),
                Version = version.HasValue ? version.Value : default(Optional<string?>),
            };
            try
            {
                write = await apiModels.CreateAsync(caller, input, provider, cancellationToken);
            }
            catch (ValidationException ex)
            {
                throw Renamed(ex);
            }
        }
        else
        {
            write = await catalog.CreateAsync(caller, input, cancellationToken);
            if (write.Model is { } created && version is { HasValue: true, Value: { Length: > 0 } label })
            {
                // A file-backed model's version waits for its file (uploaded through /api/models/{name}/versions/{label}/uploads).
                await versions.CreateAsync(caller, AssetRef.Model(created.Name), new VersionInput { Label = label }, cancellationToken);
            }
        }
        if (write.IsPending)
        {
            return TypedResults.Accepted($"/api/reviews/{write.Submission!.Id}", ToDto(write.Submission.Proposed!));
        }
        var model = write.Model!;
        return TypedResults.Created($"/api/v1/ai-models/{Uri.EscapeDataString(model.Name)}", ToDto(await catalog.GetAsync(caller, model.Name, cancellationToken)));
    }

    public static async Task<Ok<AiModelTestResponse>> TestAiModel(string model_id, HttpContext context, ModelCatalog catalog, ModelInvoker invoker,
        CancellationToken cancellationToken)
    {
        var result = await ApiModelsApi.RunTestAsync(model_id, context, catalog, invoker, cancellationToken);
        return TypedResults.Ok(new AiModelTestResponse(result.Model, result.Version, result.Output, result.FinishReason,
            new AiModelTestUsage(result.TokensIn, result.TokensOut), result.LatencyMs, result.Embedding));
    }

    public static async Task<Results<Ok<AiModelStatusResponse>, Accepted<AiModelStatusResponse>>> ToggleAiModel(string model_id, HttpContext context,
        ApiModelService service, CancellationToken cancellationToken)
    {
        var write = await service.ToggleStatusAsync(context.GetCaller(), model_id, cancellationToken);
        if (write.IsPending)
        {
            var proposed = write.Submission!.Proposed!;
            return TypedResults.Accepted($"/api/reviews/{write.Submission.Id}",
                new AiModelStatusResponse(proposed.Name, EnumNames<ModelStatus>.NameOf(proposed.Status), true));
        }
        return TypedResults.Ok(new AiModelStatusResponse(write.Model!.Name, EnumNames<ModelStatus>.NameOf(write.Model.Status), false));
    }

    private static string TypeNames => EnumNames<ModelType>.Expected + " (or vision)";

    private static ModelType? ParseType(string text) =>
        string.Equals(text, "vision", StringComparison.OrdinalIgnoreCase) ? ModelType.Image
        : EnumNames<ModelType>.TryParse(text, out var type) ? type : null;

    private static T AddError<T>(ValidationErrors errors, string field, string message)
    {
        errors.Add(field, message);
        return default!;
    }

    /// <summary>The provider's field names (apiKey, modelId) in the seed's (api_key, model_id).</summary>
    private static ValidationException Renamed(ValidationException ex) =>
        new(ex.Errors.ToDictionary(e => e.Key switch { "apiKey" => "api_key", "modelId" => "model_id", var k => k }, e => e.Value));

    private static string FrameworkOf(ModelFramework framework, ModelSource source) =>
        framework == ModelFramework.Custom && source.IsApiSource() ? EnumNames<ModelSource>.NameOf(source) : EnumNames<ModelFramework>.NameOf(framework);

    public static AiModelDto ToDto(HubModel m) => new(
        m.Name, m.Name, m.Provider?.Version ?? m.DefaultVersion, EnumNames<ModelType>.NameOf(m.Type), FrameworkOf(m.Framework, m.Source),
        EnumNames<ModelSource>.NameOf(m.Source), m.Description, m.Provider?.Endpoint, m.Provider?.ModelId, EnumNames<ModelStatus>.NameOf(m.Status),
        m.Tags, EnumNames<ModelVisibility>.NameOf(m.Visibility), m.Owner, m.Provider?.KeyLastFour, m.Provider?.Verification?.At, m.CreatedAt, m.UpdatedAt);

    public static AiModelDto ToDto(ModelSummary m) => new(
        m.Name, m.Name, m.ProviderVersion, EnumNames<ModelType>.NameOf(m.Type), FrameworkOf(m.Framework, m.Source),
        EnumNames<ModelSource>.NameOf(m.Source), m.Description, m.ProviderEndpoint, m.ProviderModelId, EnumNames<ModelStatus>.NameOf(m.Status),
        m.Tags, EnumNames<ModelVisibility>.NameOf(m.Visibility), m.Owner, null, null, m.CreatedAt, m.UpdatedAt);
}
