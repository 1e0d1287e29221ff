using Microsoft.AspNetCore.Http.HttpResults;
using ModelsHub.Contracts.Users;
using ModelsHub.Core.Common;
using ModelsHub.Core.GitHub;
using ModelsHub.Functions.Auth;
using ModelsHub.Functions.Json;

namespace ModelsHub.Functions.Users;

/// <summary>The user center's GitHub token: saved encrypted, shown only as its last four characters, login and scopes.</summary>
public static class GitHubTokenApi
{
    public static RouteGroupBuilder MapGitHubTokenApi(this RouteGroupBuilder api)
    {
        var token = api.MapGroup("/me/github-token").WithTags("User center").RequireAuthorization();
        token.MapGet("/", GetGitHubToken).WithName("GetGitHubToken")
            .WithSummary("The saved GitHub token's last four characters, login, scopes and validation time.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        token.MapPut("/", SetGitHubToken).WithName("SetGitHubToken")
            .WithSummary("Save a GitHub token for your pull requests; GitHub validates it first (400 when it rejects it).")
            .Accepts<GitHubTokenRequest>("application/json").ProducesValidationProblem();
        token.MapDelete("/", DeleteGitHubToken).WithName("DeleteGitHubToken")
            .WithSummary("Forget your GitHub token (the hub's default token is used again).");
        return api;
    }

    public static async Task<Ok<GitHubTokenDto>> GetGitHubToken(HttpContext context, GitHubTokens tokens, CancellationToken cancellationToken) =>
        TypedResults.Ok((await tokens.GetAsync(context.GetCaller(), cancellationToken) ?? throw new NotFoundException("GitHub token", "me")).ToDto());

    public static async Task<Ok<GitHubTokenDto>> SetGitHubToken(HttpContext context, GitHubTokens tokens, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadObjectAsync(context, cancellationToken);
        var errors = new ValidationErrors();
        var token = new JsonFields(body, ["token"], errors).String("token", GitHubTokens.MaxTokenLength);
        if (!token.HasValue && errors.IsEmpty)
        {
            errors.Add("token", "Is required.");
        }
        errors.ThrowIfAny();
        return TypedResults.Ok((await tokens.SetAsync(context.GetCaller(), CallerResolver.Profile(context.User), token.Value, cancellationToken)).ToDto());
    }

    public static async Task<NoContent> DeleteGitHubToken(HttpContext context, GitHubTokens tokens, CancellationToken cancellationToken)
    {
        await tokens.ForgetAsync(context.GetCaller(), cancellationToken);
        return TypedResults.NoContent();
    }
}
