using ModelsHub.Contracts.Models;
using ModelsHub.Core.Common;
using ModelsHub.Core.Identity;

namespace ModelsHub.Core.Catalog;

/// <summary>The things one can do to an existing model, each guarded by a tier's permission.</summary>
public enum ModelAction { Update, Delete, Expire }

/// <summary>Who may see and change which model (DESIGN.md "Permissions").</summary>
public static class ModelAccess
{
    private static readonly IReadOnlySet<ModelTier> StandardOnly = new HashSet<ModelTier> { ModelTier.Standard };
    private static readonly IReadOnlySet<ModelTier> RestrictedTiers = new HashSet<ModelTier> { ModelTier.Advanced, ModelTier.Enterprise };
    private static readonly IReadOnlySet<ModelTier> AllTiers = new HashSet<ModelTier>(Enum.GetValues<ModelTier>());
    private static readonly IReadOnlySet<ModelTier> NoTiers = new HashSet<ModelTier>();

    public static ModelVisibilityScope ScopeFor(Caller caller, DateTimeOffset now)
    {
        if (caller.IsAdmin)
        {
            return new ModelVisibilityScope(true, caller.UserId, AllTiers, AllTiers, now);
        }
        var managesStandard = ManagesTier(caller, ModelTier.Standard);
        var managesRestricted = ManagesTier(caller, ModelTier.Advanced);
        var seesRestricted = managesRestricted || caller.Has(Permissions.ViewAdvancedModels);
        var unlisted = (managesStandard, managesRestricted) switch
        {
            (true, true) => AllTiers,
            (true, false) => StandardOnly,
            (false, true) => RestrictedTiers,
            _ => NoTiers,
        };
        return new ModelVisibilityScope(false, caller.UserId, seesRestricted ? AllTiers : StandardOnly, unlisted, now);
    }

    public static bool CanSee(Caller caller, HubModel model, DateTimeOffset now) => ScopeFor(caller, now).Allows(model);

    /// <summary>Holds any of the update / delete / expire permissions for public models of that tier.</summary>
    public static bool ManagesTier(Caller caller, ModelTier tier) =>
        caller.Has(PermissionFor(ModelAction.Update, tier))
        || caller.Has(PermissionFor(ModelAction.Delete, tier))
        || caller.Has(PermissionFor(ModelAction.Expire, tier));

    public static string PermissionFor(ModelAction action, ModelTier tier) => (action, tier == ModelTier.Standard) switch
    {
        (ModelAction.Update, true) => Permissions.UpdatePublicModels,
        (ModelAction.Delete, true) => Permissions.DeletePublicModels,
        (ModelAction.Expire, true) => Permissions.ExpirePublicModels,
        (ModelAction.Update, false) => Permissions.UpdateAdvancedModels,
        (ModelAction.Delete, false) => Permissions.DeleteAdvancedModels,
        _ => Permissions.ExpireAdvancedModels,
    };

    /// <summary>The permission missing for <paramref name="action"/> on an existing model, or null when allowed.</summary>
    public static string? Missing(Caller caller, HubModel model, ModelAction action)
    {
        if (caller.IsAdmin)
        {
            return null;
        }
        if (model.Visibility == ModelVisibility.Private)
        {
            return caller.IsUser(model.Owner) ? null : "ownership of the model";
        }
        var permission = PermissionFor(action, model.Tier);
        return caller.Has(permission) ? null : permission;
    }

    /// <summary>The permissions needed to hold a model with this visibility and tier as its registrant.</summary>
    public static IEnumerable<string> RequiredToPublish(ModelVisibility visibility, ModelTier tier)
    {
        if (visibility == ModelVisibility.Private)
        {
            yield return Permissions.RegisterPrivateModels;
            yield break;
        }
        yield return Permissions.RegisterPublicModels;
        if (tier == ModelTier.Advanced) yield return Permissions.UpdateAdvancedModels;
        if (tier == ModelTier.Enterprise) yield return Permissions.RegisterEnterpriseModels;
    }

    public static void Demand(Caller caller, string? missing, string what)
    {
        if (missing is not null && !caller.IsAuthenticated)
        {
            throw new AuthenticationRequiredException($"Sign in to {what}.");
        }
        if (missing is not null)
        {
            throw new ForbiddenException($"To {what} you need {(missing.Contains(' ') ? missing : $"the '{missing}' permission")}.");
        }
    }
}
