using Microsoft.AspNetCore.Http.HttpResults;
using ModelsHub.Core.ApiModels;
using ModelsHub.Core.Catalog;
using ModelsHub.Core.Common;
using ModelsHub.Core.Inference;
using ModelsHub.Core.Usage;
using ModelsHub.Functions.Auth;
using ModelsHub.Functions.Json;
using ModelsHub.Functions.Problems;
using ModelsHub.Contracts.Usage;
using ModelsHub.Contracts.Models;
using ModelsHub.Contracts.ApiModels;

namespace ModelsHub.Functions.ApiModels;

/// <summary>API models (seed 004): the provider block with its write-only key, its verification, test calls, start/stop.</summary>
public static class ApiModelsApi
{
    public static RouteGroupBuilder MapApiModelsApi(this RouteGroupBuilder api)
    {
        var models = api.MapGroup("/models/{name}").WithTags("API models").RequireAuthorization();
        models.MapGet("/provider", GetProvider).WithName("GetModelProvider")
            .WithSummary("An API model's provider: endpoint, model id, the key's last four characters, the latest verification.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        models.MapPut("/provider", SetProvider).WithName("SetModelProvider")
            .WithSummary("Set an API model's provider {endpoint?, modelId, apiKey, version?} (sources.manage); verified with a free model look-up before anything is stored.")
            .Accepts<ProviderRequest>("application/json").ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status502BadGateway);
        models.MapPost("/provider/verify", VerifyProvider).WithName("VerifyModelProvider")
            .WithSummary("Check the stored key and model id again with the provider (free); the outcome is recorded.")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status502BadGateway);
        models.MapPost("/test", TestModel).WithName("TestModel")
            .WithSummary("Call the model once with {\"input_data\": {prompt | messages, max_tokens?, temperature?}}: output, finish reason, tokens, latency (embedding models: the vector's size and first values).")
            .Accepts<TestRequest>("application/json").ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status502BadGateway).ProducesProblem(StatusCodes.Status504GatewayTimeout);
        models.MapPost("/toggle-status", ToggleStatus).WithName("ToggleModelStatus")
            .WithSummary("Start or stop a model (active ⇄ inactive); an inactive model refuses test and gateway calls.")
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
        return api;
    }

    public static async Task<Ok<ProviderDto>> GetProvider(string name, HttpContext context, ModelCatalog catalog, CancellationToken cancellationToken)
    {
        var model = await catalog.GetAsync(context.GetCaller(), name, cancellationToken);
        return TypedResults.Ok(model.Provider.ToDto(model.Source) ?? throw new NotFoundException("Provider of model", model.Name));
    }

    public static async Task<Ok<ProviderDto>> SetProvider(string name, HttpContext context, ApiModelService service, CancellationToken cancellationToken)
    {
        var caller = context.GetCaller();
        // 404 and 403 come before the body is judged.
        await service.GetForProviderChangeAsync(caller, name, cancellationToken);
        var input = ReadProvider(await JsonBody.ReadObjectAsync(context, cancellationToken), requireModelId: false);
        var model = await service.SetProviderAsync(caller, name, input, cancellationToken);
        Preconditions.SetETag(context.Response, model.ETag);
        return TypedResults.Ok(model.Provider.ToDto(model.Source)!);
    }

    public static async Task<Ok<ProviderDto>> VerifyProvider(string name, HttpContext context, ApiModelService service, CancellationToken cancellationToken)
    {
        var model = await service.VerifyAsync(context.GetCaller(), name, cancellationToken);
        return TypedResults.Ok(model.Provider.ToDto(model.Source)!);
    }

    public static async Task<Ok<TestResultDto>> TestModel(string name, HttpContext context, ModelCatalog catalog, ModelInvoker invoker, CancellationToken cancellationToken) =>
        TypedResults.Ok(await RunTestAsync(name, context, catalog, invoker, cancellationToken));

    /// <summary>One test call (chat, or embeddings for an embedding model), recorded as usage.</summary>
    public static async Task<TestResultDto> RunTestAsync(string name, HttpContext context, ModelCatalog catalog, ModelInvoker invoker, CancellationToken cancellationToken)
    {
        var caller = context.GetCaller();
        var model = await catalog.GetForCallAsync(caller, name, cancellationToken);
        var input = TestInputReader.Read(await JsonBody.ReadObjectAsync(context, cancellationToken));
        if (model.Type == ModelType.Embedding)
        {
            return (await invoker.EmbedAsync(caller, model.Name, [input.EmbeddingText], new(), UsageOperation.Test, cancellationToken)).ToDto();
        }
        return (await invoker.ChatAsync(caller, model.Name, input.Messages, input.Options, UsageOperation.Test, cancellationToken)).ToDto();
    }

    public static async Task<Results<Ok<ToggleStatusResponse>, Accepted<ToggleStatusResponse>>> ToggleStatus(string name, HttpContext context, ApiModelService service,
        CancellationToken cancellationToken)
    {
        var write = await service.ToggleStatusAsync(context.GetCaller(), name, cancellationToken);
        if (write.IsPending)
        {
            var proposed = write.Submission!.Proposed!;
            return TypedResults.Accepted($"/api/reviews/{write.Submission.Id}", new ToggleStatusResponse(proposed.Name, proposed.Status, true, write.Submission.Id));
        }
        Preconditions.SetETag(context.Response, write.Model!.ETag);
        return TypedResults.Ok(new ToggleStatusResponse(write.Model.Name, write.Model.Status, false, null));
    }

    /// <summary>The provider fields of a body (<c>endpoint</c>, <c>modelId</c>, <c>apiKey</c>, <c>version</c>), naming each bad one.</summary>
    public static ProviderInput ReadProvider(System.Text.Json.JsonElement body, bool requireModelId)
    {
        var errors = new ValidationErrors();
        var f = new JsonFields(body, ["endpoint", "modelId", "apiKey", "version"], errors);
        var input = new ProviderInput
        {
            Endpoint = f.String("endpoint", ApiModelService.MaxEndpointLength, nullable: true)!,
            ModelId = f.String("modelId", ApiModelService.MaxModelIdLength),
            ApiKey = f.String("apiKey", ApiModelService.MaxKeyLength, nullable: true)!,
            Version = f.String("version", ApiModelService.MaxVersionLength, nullable: true)!,
        };
        if (requireModelId && !input.ModelId.HasValue && errors.IsEmpty)
        {
            errors.Add("modelId", "Is required.");
        }
        errors.ThrowIfAny();
        return input;
    }
}
