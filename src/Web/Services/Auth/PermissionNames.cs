namespace ModelsHub.Web.Services.Auth;

/// <summary>The permissions the app's menus and buttons depend on (the hub decides; <c>GET /api/permissions</c> lists them all).</summary>
public static class Permissions
{
    public const string RegisterPrivateModels = "models.register.private";
    public const string RegisterPublicModels = "models.register.public";
    public const string UpdatePublicModels = "models.public.update";
    public const string DeletePublicModels = "models.public.delete";
    public const string ExpirePublicModels = "models.public.expire";
    public const string UpdateAdvancedModels = "models.advanced.update";
    public const string DeleteAdvancedModels = "models.advanced.delete";
    public const string ExpireAdvancedModels = "models.advanced.expire";
    public const string ListReviews = "reviews.list";
    public const string DecideReviews = "reviews.decide";
    public const string AdministerUsers = "users.administer";
    public const string RunTraining = "training.run";
    public const string ManageDatasets = "datasets.manage";
    public const string ManageExternalSources = "sources.manage";
    public const string ViewUsage = "usage.view";
    public const string ManageServers = "servers.manage";
    public const string ManageDeployments = "deployments.manage";
}
