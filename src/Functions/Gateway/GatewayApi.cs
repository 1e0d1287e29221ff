using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using ModelsHub.Core.AccessTokens;
using ModelsHub.Core.ApiModels;
using ModelsHub.Core.Inference;
using ModelsHub.Core.Usage;
using ModelsHub.Functions.AccessTokens;
using ModelsHub.Functions.Auth;
using ModelsHub.Functions.Json;
using ModelsHub.Contracts.Usage;
using ModelsHub.Contracts.Gateway;
using ModelsHub.Contracts.AccessTokens;
using ModelsHub.Contracts;

namespace ModelsHub.Functions.Gateway;

/// <summary>
/// The OpenAI-compatible gateway: <c>/api/v1/chat/completions</c> (streamed as server-sent events,
/// each update passed on as it arrives) and <c>/api/v1/embeddings</c>, for hub models the caller may
/// see and that are active. An OpenAI client pointed at <c>&lt;hub&gt;/api/v1</c> with a personal
/// access token (scope <c>gateway</c>) or a sign-in token works unchanged; provider keys stay here.
/// </summary>
public static class GatewayApi
{
    public static RouteGroupBuilder MapGatewayApi(this RouteGroupBuilder api)
    {
        var v1 = api.MapGroup("/v1").WithTags("Gateway").RequireAuthorization().RequireTokenScope(TokenScope.Gateway)
            .RequireRateLimiting(Hosting.RateLimitPolicies.Gateway);
        v1.MapPost("/chat/completions", ChatCompletions).WithName("CreateChatCompletion")
            .WithSummary("OpenAI chat completions for a hub model (model = its name); stream: true answers server-sent chat.completion.chunk events ending with [DONE].")
            .Accepts<JsonElement>("application/json").ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status429TooManyRequests).ProducesProblem(StatusCodes.Status502BadGateway)
            .ProducesProblem(StatusCodes.Status504GatewayTimeout);
        v1.MapPost("/embeddings", Embeddings).WithName("CreateEmbeddings")
            .WithSummary("OpenAI embeddings for a hub embedding model (float or base64 vectors).")
            .Accepts<JsonElement>("application/json").ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status429TooManyRequests).ProducesProblem(StatusCodes.Status502BadGateway);
        v1.MapGet("/models", ListModels).WithName("ListGatewayModels")
            .WithSummary("OpenAI's model list: the hub models you may call through the gateway (visible to you, active, with a provider), by name.");
        v1.MapGet("/models/{model}", GetModel).WithName("GetGatewayModel")
            .WithSummary("OpenAI's model object for one hub model you may call through the gateway.")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        return api;
    }

    public static async Task<Results<Ok<ChatCompletionResponse>, ChatCompletionEvents>> ChatCompletions(HttpContext context, ModelInvoker invoker,
        TimeProvider clock, CancellationToken cancellationToken)
    {
        var input = OpenAiRequests.ReadChat(await JsonBody.ReadObjectAsync(context, cancellationToken));
        var caller = context.GetCaller();
        var id = "chatcmpl-" + Guid.NewGuid().ToString("N");
        var created = clock.GetUtcNow().ToUnixTimeSeconds();
        if (!input.Stream)
        {
            var call = await invoker.ChatAsync(caller, input.Model, input.Messages, input.Options, UsageOperation.Chat, cancellationToken);
            return TypedResults.Ok(new ChatCompletionResponse(id, "chat.completion", created, call.Usage.Model,
                [new OpenAiChoice(0, new OpenAiMessage("assistant", call.Response.Text, null), null, OpenAiResponses.FinishReason(call.Response.FinishReason))],
                OpenAiResponses.Usage(call.Usage.TokensIn, call.Usage.TokensOut), null));
        }
        // A failure before the first update is an ordinary error response; after it, an error event ends the stream.
        var stream = await invoker.StreamAsync(caller, input.Model, input.Messages, input.Options, UsageOperation.Chat, cancellationToken);
        context.Response.Headers["X-Accel-Buffering"] = "no";
        return new ChatCompletionEvents(Events(stream, id, created, input.IncludeUsage, context.RequestAborted));
    }

    private static async IAsyncEnumerable<ChatCompletionEvent> Events(ChatStream stream, string id, long created, bool includeUsage,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var _ = stream;
        var model = stream.Model;
        string? finish = null;
        var first = true;
        await using var updates = stream.ReadAllAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            OpenAiErrorEvent? failure = null;
            bool more;
            try
            {
                more = await updates.MoveNextAsync();
            }
            catch (ModelCallException ex)
            {
                more = false;
                failure = new OpenAiErrorEvent(new OpenAiError(ex.Message, ErrorType(ex.ErrorClass), null, EnumNames(ex.ErrorClass)));
            }
            if (failure is not null)
            {
                yield return new ChatCompletionEvent(null, failure);
                yield break;
            }
            if (!more)
            {
                break;
            }
            var update = updates.Current;
            if (update.FinishReason is { } reason)
            {
                finish = OpenAiResponses.FinishReason(reason);
            }
            var text = update.Text;
            if (first || text.Length > 0)
            {
                yield return Chunk(id, created, model, new OpenAiDelta(first ? "assistant" : null, text), null, null);
                first = false;
            }
        }
        yield return Chunk(id, created, model, new OpenAiDelta(null, null), finish ?? "stop", null);
        if (includeUsage && stream.Usage is { } usage)
        {
            yield return new ChatCompletionEvent(
                new ChatCompletionChunk(id, "chat.completion.chunk", created, model, [], OpenAiResponses.Usage(usage.TokensIn, usage.TokensOut)), null);
        }
        yield return ChatCompletionEvent.Done;
    }

    private static ChatCompletionEvent Chunk(string id, long created, string model, OpenAiDelta delta, string? finish, OpenAiUsage? usage) =>
        new(new ChatCompletionChunk(id, "chat.completion.chunk", created, model, [new OpenAiChunkChoice(0, delta, null, finish)], usage), null);

    public static async Task<Ok<EmbeddingsResponse>> Embeddings(HttpContext context, ModelInvoker invoker, CancellationToken cancellationToken)
    {
        var input = OpenAiRequests.ReadEmbeddings(await JsonBody.ReadObjectAsync(context, cancellationToken));
        var call = await invoker.EmbedAsync(context.GetCaller(), input.Model, input.Inputs, input.Options, UsageOperation.Embeddings, cancellationToken);
        var data = call.Embeddings.Select((e, i) => new OpenAiEmbedding("embedding", i, OpenAiResponses.Vector(e.Vector, input.Base64))).ToList();
        return TypedResults.Ok(new EmbeddingsResponse("list", data, call.Usage.Model, new OpenAiEmbeddingUsage(call.Usage.TokensIn, call.Usage.TokensIn)));
    }

    public static async Task<Ok<OpenAiModelList>> ListModels(HttpContext context, ModelInvoker invoker, CancellationToken cancellationToken)
    {
        var models = await invoker.ListCallableAsync(context.GetCaller(), cancellationToken);
        return TypedResults.Ok(new OpenAiModelList("list", models.Select(ToOpenAi).ToList()));
    }

    public static async Task<Ok<OpenAiModel>> GetModel(string model, HttpContext context, ModelInvoker invoker, CancellationToken cancellationToken) =>
        TypedResults.Ok(ToOpenAi(await invoker.GetCallableAsync(context.GetCaller(), model, cancellationToken)));

    private static OpenAiModel ToOpenAi(Core.Catalog.ModelSummary model) => new(model.Name, "model", model.CreatedAt.ToUnixTimeSeconds(), model.Owner);

    /// <summary>
    /// The gateway's paths, whose errors also carry OpenAI's <c>{"error": {...}}</c> so OpenAI clients read
    /// them (by path: the exception handler runs without the endpoint).
    /// </summary>
    public static bool IsGatewayPath(PathString path) =>
        path.StartsWithSegments("/api/v1/chat/completions") || path.StartsWithSegments("/api/v1/embeddings") || path.StartsWithSegments("/api/v1/models");

    /// <summary>OpenAI's error <c>type</c> for an error class (what OpenAI clients switch on).</summary>
    public static string ErrorType(UsageErrorClass errorClass) => errorClass switch
    {
        UsageErrorClass.RateLimited => "rate_limit_error",
        UsageErrorClass.BadRequest or UsageErrorClass.Inactive => "invalid_request_error",
        UsageErrorClass.Auth => "provider_authentication_error",
        UsageErrorClass.Timeout => "timeout",
        _ => "server_error",
    };

    public static string EnumNames(UsageErrorClass errorClass) => ModelsHub.Contracts.EnumNames<UsageErrorClass>.NameOf(errorClass);
}
