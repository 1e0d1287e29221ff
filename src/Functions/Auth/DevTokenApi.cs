using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using ModelsHub.Contracts.Auth;
using ModelsHub.Core.Common;
using ModelsHub.Core.Identity;
using ModelsHub.Functions.Json;

namespace ModelsHub.Functions.Auth;

/// <summary><c>POST /api/dev/token</c>: mints a token for a named user and roles. Development sign-in only.</summary>
public static partial class DevTokenApi
{
    [GeneratedRegex("^[A-Za-z0-9._@-]{1,64}$")]
    private static partial Regex UserPattern();

    public static RouteGroupBuilder MapDevTokenApi(this RouteGroupBuilder api, ILogger logger)
    {
        if (!api.ServiceProvider().IsDevelopmentAuth())
        {
            return api;
        }
        LogDevelopmentSignIn(logger);
        api.MapPost("/dev/token", MintToken)
            .WithName("MintDevelopmentToken")
            .WithSummary("Mint a bearer token for a named user and roles (development sign-in only).")
            .WithTags("Development")
            .Accepts<DevTokenRequest>("application/json")
            .ProducesValidationProblem()
            .AllowAnonymous();
        return api;
    }

    public static async Task<Ok<DevTokenResponse>> MintToken(HttpContext context, DevelopmentTokens tokens, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadObjectAsync(context, cancellationToken);
        var errors = new ValidationErrors();
        var fields = new JsonFields(body, ["user", "roles", "name", "email"], errors);
        var user = fields.String("user", 64);
        var roles = fields.StringList("roles", 16, 64);
        var name = fields.String("name", UserDirectory.MaxDisplayNameLength, nullable: true);
        var email = fields.String("email", UserDirectory.MaxEmailLength, nullable: true);
        if (!user.HasValue && !errors.ToDictionary().ContainsKey("user"))
        {
            errors.Add("user", "Is required.");
        }
        else if (user.HasValue && !UserPattern().IsMatch(user.Value))
        {
            errors.Add("user", "May contain 1 to 64 letters, digits, '.', '_', '@' and '-'.");
        }
        var roleList = roles.GetValueOrDefault([]);
        for (var i = 0; i < roleList.Count; i++)
        {
            if (!Roles.Bundles.ContainsKey(roleList[i]))
            {
                errors.Add($"roles[{i}]", $"'{roleList[i]}' is not a role; expected one of: {string.Join(", ", Roles.All)}.");
            }
        }
        if (email is { HasValue: true, Value: { } e } && !UserDirectory.IsEmail(e))
        {
            errors.Add("email", "Must be an email address.");
        }
        errors.ThrowIfAny();
        var token = tokens.Mint(user.Value, roleList, name.Value, email.Value);
        return TypedResults.Ok(new DevTokenResponse(token, "Bearer", (int)tokens.Lifetime.TotalSeconds, user.Value, roleList));
    }

    private static IServiceProvider ServiceProvider(this IEndpointRouteBuilder builder) => builder.ServiceProvider;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Development sign-in is ON: anyone who can reach POST /api/dev/token can mint tokens for any user and role. Set Auth:Mode=Entra outside development.")]
    private static partial void LogDevelopmentSignIn(ILogger logger);
}
