using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using ModelsHub.Contracts;
using ModelsHub.Contracts.AccessTokens;
using ModelsHub.Core.AccessTokens;
using ModelsHub.Core.Common;
using ModelsHub.Functions.Auth;
using ModelsHub.Functions.Json;

namespace ModelsHub.Functions.AccessTokens;

/// <summary>The user center's personal access tokens: for apps, scripts, the CLI (<c>MODELSHUB_TOKEN</c>) and OpenAI clients of the gateway.</summary>
public static class AccessTokensApi
{
    public static RouteGroupBuilder MapAccessTokensApi(this RouteGroupBuilder api)
    {
        var tokens = api.MapGroup("/me/tokens").WithTags("User center").RequireAuthorization().RefuseAccessTokens();
        tokens.MapGet("/", ListTokens).WithName("ListAccessTokens").WithSummary("Your personal access tokens (never their secrets), newest first.");
        tokens.MapPost("/", CreateToken).WithName("CreateAccessToken")
            .WithSummary("Create a personal access token {name, scopes: [read, write, gateway], expiresAt?}; the answer's token is shown this once.")
            .Accepts<AccessTokenRequest>("application/json").ProducesValidationProblem().ProducesProblem(StatusCodes.Status409Conflict);
        tokens.MapDelete("/{id}", RevokeToken).WithName("RevokeAccessToken")
            .WithSummary("Revoke one of your tokens; calls with it fail from now on.").ProducesProblem(StatusCodes.Status404NotFound);
        return api;
    }

    public static async Task<Ok<AccessTokenListResponse>> ListTokens(HttpContext context, AccessTokenService tokens, CancellationToken cancellationToken)
    {
        var list = await tokens.ListAsync(context.GetCaller(), cancellationToken);
        return TypedResults.Ok(new AccessTokenListResponse(list.Select(t => new AccessTokenDto(t.TokenId, t.Name, t.Scopes, t.Preview, t.CreatedAt, t.ExpiresAt)).ToList()));
    }

    public static async Task<Created<CreatedAccessTokenDto>> CreateToken(HttpContext context, AccessTokenService tokens, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadObjectAsync(context, cancellationToken);
        var errors = new ValidationErrors();
        var f = new JsonFields(body, ["name", "scopes", "expiresAt"], errors);
        var name = f.String("name", AccessTokenService.MaxNameLength * 2);
        var expiresAt = f.Timestamp("expiresAt");
        var scopes = new List<TokenScope>();
        if (body.TryGetProperty("scopes", out var list) && list.ValueKind == JsonValueKind.Array)
        {
            var i = 0;
            foreach (var item in list.EnumerateArray())
            {
                if (item.ValueKind == JsonValueKind.String && EnumNames<TokenScope>.TryParse(item.GetString(), out var scope)) scopes.Add(scope);
                else errors.Add($"scopes[{i}]", "Must be " + EnumNames<TokenScope>.Expected + ".");
                i++;
            }
        }
        else if (body.TryGetProperty("scopes", out _))
        {
            errors.Add("scopes", "Must be a list: " + EnumNames<TokenScope>.Expected + ".");
        }
        errors.ThrowIfAny();
        var created = await tokens.CreateAsync(context.GetCaller(), name.HasValue ? name.Value : null, scopes, expiresAt.GetValueOrDefault(null), cancellationToken);
        var t = created.Token;
        context.Response.Headers.CacheControl = "no-store";
        return TypedResults.Created($"/api/me/tokens/{t.TokenId}", new CreatedAccessTokenDto(t.TokenId, t.Name, t.Scopes, t.CreatedAt, t.ExpiresAt, created.Secret));
    }

    public static async Task<NoContent> RevokeToken(string id, HttpContext context, AccessTokenService tokens, AccessTokenValidator validator, CancellationToken cancellationToken)
    {
        var revoked = await tokens.RevokeAsync(context.GetCaller(), id, cancellationToken);
        validator.Forget(revoked.Hash);
        return TypedResults.NoContent();
    }
}
