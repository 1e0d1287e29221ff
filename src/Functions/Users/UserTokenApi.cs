using Microsoft.AspNetCore.Http.HttpResults;
using ModelsHub.Contracts.Users;
using ModelsHub.Core.Common;
using ModelsHub.Core.GitHub;
using ModelsHub.Core.Identity;
using ModelsHub.Core.Imports;
using ModelsHub.Functions.Auth;
using ModelsHub.Functions.Json;

namespace ModelsHub.Functions.Users;

/// <summary>
/// The user center's tokens for outside services, one route set per kind (<see cref="IUserTokenKind"/>):
/// saved encrypted after the service validated them, shown only as their last four characters,
/// account and scopes, forgotten on request.
/// </summary>
public static class UserTokenApi
{
    public static RouteGroupBuilder MapUserTokenApi(this RouteGroupBuilder api)
    {
        api.MapUserToken<GitHubTokens>("/me/github-token", "GitHubToken",
            get: "The saved GitHub token's last four characters, login, scopes and validation time.",
            set: "Save a GitHub token for your pull requests; GitHub validates it first (400 when it rejects it).",
            delete: "Forget your GitHub token (the hub's default token is used again).");
        api.MapUserToken<HuggingFaceTokens>("/me/huggingface-token", "HuggingFaceToken",
            get: "The saved Hugging Face token's last four characters, account, role and validation time.",
            set: "Save a Hugging Face token for gated and private repositories; the Hub validates it first (400 when it rejects it).",
            delete: "Forget your Hugging Face token (imports read the Hub anonymously again).");
        return api;
    }

    private static void MapUserToken<TKind>(this RouteGroupBuilder api, string path, string name, string get, string set, string delete) where TKind : IUserTokenKind
    {
        var token = api.MapGroup(path).WithTags("User center").RequireAuthorization();
        // The kind is a service of its own (it validates with its service); each route resolves it per request.
        token.MapGet("/", (HttpContext context, UserTokens tokens, CancellationToken cancellationToken) =>
                GetUserToken(context, context.RequestServices.GetRequiredService<TKind>(), tokens, cancellationToken))
            .WithName("Get" + name).WithSummary(get).ProducesProblem(StatusCodes.Status404NotFound);
        token.MapPut("/", (HttpContext context, UserTokens tokens, CancellationToken cancellationToken) =>
                SetUserToken(context, context.RequestServices.GetRequiredService<TKind>(), tokens, cancellationToken))
            .WithName("Set" + name).WithSummary(set)
            .Accepts<UserTokenRequest>("application/json").ProducesValidationProblem().ProducesProblem(StatusCodes.Status502BadGateway);
        token.MapDelete("/", (HttpContext context, UserTokens tokens, CancellationToken cancellationToken) =>
                DeleteUserToken(context, context.RequestServices.GetRequiredService<TKind>(), tokens, cancellationToken))
            .WithName("Delete" + name).WithSummary(delete);
    }

    public static async Task<Ok<UserTokenDto>> GetUserToken(HttpContext context, IUserTokenKind kind, UserTokens tokens, CancellationToken cancellationToken) =>
        TypedResults.Ok((await tokens.GetAsync(context.GetCaller(), kind, cancellationToken) ?? throw new NotFoundException($"{kind.Service} token", "me")).ToDto());

    public static async Task<Ok<UserTokenDto>> SetUserToken(HttpContext context, IUserTokenKind kind, UserTokens tokens, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadObjectAsync(context, cancellationToken);
        var errors = new ValidationErrors();
        var token = new JsonFields(body, ["token"], errors).String("token", UserTokens.MaxTokenLength);
        if (!token.HasValue && errors.IsEmpty)
        {
            errors.Add("token", "Is required.");
        }
        errors.ThrowIfAny();
        return TypedResults.Ok((await tokens.SetAsync(context.GetCaller(), CallerResolver.Profile(context.User), kind, token.Value, cancellationToken)).ToDto());
    }

    public static async Task<NoContent> DeleteUserToken(HttpContext context, IUserTokenKind kind, UserTokens tokens, CancellationToken cancellationToken)
    {
        await tokens.ForgetAsync(context.GetCaller(), kind, cancellationToken);
        return TypedResults.NoContent();
    }
}
