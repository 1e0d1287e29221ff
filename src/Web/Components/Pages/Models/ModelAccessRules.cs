using ModelsHub.Contracts;
using ModelsHub.Web.Services.Auth;

namespace ModelsHub.Web.Components.Pages.Models;

/// <summary>Whether to offer a model's Settings: the hub decides, this only keeps controls away from people it would refuse (seeds: "Model Maintenance").</summary>
public static class ModelAccessRules
{
    public static bool MayMaintain(CurrentUser me, ModelDto model)
    {
        if (me.Me is not { } user)
        {
            return false;
        }
        if (me.IsAdmin || string.Equals(model.Owner, user.Id, StringComparison.Ordinal))
        {
            return true;
        }
        if (model.Visibility == ModelVisibility.Private)
        {
            return false;
        }
        return model.Tier == ModelTier.Standard
            ? me.Has(Permissions.UpdatePublicModels) || me.Has(Permissions.DeletePublicModels) || me.Has(Permissions.ExpirePublicModels)
            : me.Has(Permissions.UpdateAdvancedModels) || me.Has(Permissions.DeleteAdvancedModels) || me.Has(Permissions.ExpireAdvancedModels);
    }

    /// <summary>Whether to offer Deploy: a type Xinference serves, and the deployments permission or the model's ownership.</summary>
    public static bool MayDeploy(CurrentUser me, ModelDto model) =>
        me.Me is { } user && model.Type <= ModelType.Video
        && (me.Has(Permissions.ManageDeployments) || me.IsAdmin || string.Equals(model.Owner, user.Id, StringComparison.Ordinal));

    /// <summary>The deploy form for a model (and version).</summary>
    public static string DeployLink(string model, string? version = null) =>
        $"deployments/new?model={Uri.EscapeDataString(model)}" + (version is null ? "" : $"&version={Uri.EscapeDataString(version)}");
}
