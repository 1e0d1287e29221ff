using Microsoft.AspNetCore.Http.HttpResults;
using ModelsHub.Contracts.Users;
using ModelsHub.Core.Common;
using ModelsHub.Core.Identity;
using ModelsHub.Functions.Auth;
using ModelsHub.Functions.Json;

namespace ModelsHub.Functions.Users;

/// <summary>Administration of users: list them, grant and revoke permissions.</summary>
public static class UsersApi
{
    public static RouteGroupBuilder MapUsersApi(this RouteGroupBuilder api)
    {
        api.MapGet("/permissions", GetPermissionCatalog).WithTags("Users").WithName("GetPermissionCatalog")
            .WithSummary("Every permission, and the permissions each role bundles.").AllowAnonymous();

        var users = api.MapGroup("/users").WithTags("Users").RequireAuthorization();
        users.MapGet("/", ListUsers).WithName("ListUsers").WithSummary("Users who have signed in (admin).");
        users.MapGet("/{id}", GetUser).WithName("GetUser").WithSummary("One user with their permissions (admin).");
        users.MapGet("/{id}/permissions", GetUser).WithName("GetUserPermissions").WithSummary("A user's roles, grants, revocations and effective permissions (admin).");
        users.MapPut("/{id}/permissions/{permission}", GrantPermission).WithName("GrantPermission").WithSummary("Grant a permission to a user (admin).");
        users.MapDelete("/{id}/permissions/{permission}", RevokePermission).WithName("RevokePermission").WithSummary("Revoke a permission from a user, even one a role gives (admin).");
        users.MapDelete("/{id}/overrides/{permission}", ClearPermissionOverride).WithName("ClearPermissionOverride")
            .WithSummary("Drop a grant or revocation of a permission: the user's roles decide again (admin).");
        return api;
    }

    public static Ok<PermissionCatalog> GetPermissionCatalog() => TypedResults.Ok(new PermissionCatalog(Permissions.All, Roles.Bundles, Permissions.Descriptions));

    public static async Task<Ok<UserListResponse>> ListUsers(HttpContext context, UserDirectory directory, CancellationToken cancellationToken)
    {
        var q = new QueryReader(context.Request.Query);
        var pageSize = q.PageSize();
        var token = q.ContinuationToken();
        q.Errors.ThrowIfAny();
        var page = await directory.ListAsync(context.GetCaller(), pageSize, token, cancellationToken);
        return TypedResults.Ok(new UserListResponse(page.Items.Select(u => u.ToDto()).ToList(), page.ContinuationToken));
    }

    public static async Task<Ok<UserDto>> GetUser(string id, HttpContext context, UserDirectory directory, CancellationToken cancellationToken) =>
        TypedResults.Ok((await directory.GetAsync(context.GetCaller(), id, cancellationToken)).ToDto());

    public static async Task<Ok<UserDto>> GrantPermission(string id, string permission, HttpContext context, UserDirectory directory, CallerResolver callers, CancellationToken cancellationToken)
    {
        var user = await directory.GrantAsync(context.GetCaller(), id, permission, cancellationToken);
        callers.Forget(id);
        return TypedResults.Ok(user.ToDto());
    }

    public static async Task<Ok<UserDto>> ClearPermissionOverride(string id, string permission, HttpContext context, UserDirectory directory, CallerResolver callers, CancellationToken cancellationToken)
    {
        var user = await directory.ClearOverrideAsync(context.GetCaller(), id, permission, cancellationToken);
        callers.Forget(id);
        return TypedResults.Ok(user.ToDto());
    }

    public static async Task<Ok<UserDto>> RevokePermission(string id, string permission, HttpContext context, UserDirectory directory, CallerResolver callers, CancellationToken cancellationToken)
    {
        var user = await directory.RevokeAsync(context.GetCaller(), id, permission, cancellationToken);
        callers.Forget(id);
        return TypedResults.Ok(user.ToDto());
    }
}
