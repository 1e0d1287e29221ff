using Microsoft.AspNetCore.Http.HttpResults;
using ModelsHub.Contracts.Users;
using ModelsHub.Core.Common;
using ModelsHub.Core.Identity;
using ModelsHub.Functions.Auth;
using ModelsHub.Functions.Json;

namespace ModelsHub.Functions.Users;

/// <summary>The user center: the signed-in person's profile, created on first call.</summary>
public static class MeApi
{
    public static RouteGroupBuilder MapMeApi(this RouteGroupBuilder api)
    {
        var me = api.MapGroup("/me").WithTags("User center").RequireAuthorization();
        me.MapGet("/", GetMe).WithName("GetMe").WithSummary("Your profile, roles and effective permissions.");
        me.MapPatch("/", UpdateMe).WithName("UpdateMe").WithSummary("Change your display name, email or avatar URL.")
            .Accepts<ProfileRequest>("application/json", "application/merge-patch+json").ProducesValidationProblem();
        return api;
    }

    public static async Task<Ok<MeDto>> GetMe(HttpContext context, UserDirectory directory, CallerResolver callers, CancellationToken cancellationToken)
    {
        var caller = context.GetCaller();
        var user = await directory.GetOrCreateAsync(caller, CallerResolver.Profile(context.User), cancellationToken);
        return TypedResults.Ok(user.ToMeDto(caller));
    }

    public static async Task<Ok<MeDto>> UpdateMe(HttpContext context, UserDirectory directory, CallerResolver callers, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadObjectAsync(context, cancellationToken);
        var errors = new ValidationErrors();
        var f = new JsonFields(body, ["displayName", "email", "avatarUrl"], errors);
        var changes = new ProfileChanges(
            f.String("displayName", UserDirectory.MaxDisplayNameLength),
            f.String("email", UserDirectory.MaxEmailLength, nullable: true)!,
            f.String("avatarUrl", UserDirectory.MaxUrlLength, nullable: true)!);
        errors.ThrowIfAny();
        var caller = context.GetCaller();
        var user = await directory.UpdateProfileAsync(caller, CallerResolver.Profile(context.User), changes, cancellationToken);
        callers.Forget(user.Id);
        return TypedResults.Ok(user.ToMeDto(caller));
    }
}
