namespace ModelsHub.Core.Identity;

/// <summary>The permission names the seeds imply; roles bundle them and admins grant them.</summary>
public static class Permissions
{
    public const string RegisterPrivateModels = "models.register.private";
    public const string RegisterPublicModels = "models.register.public";
    public const string RegisterEnterpriseModels = "models.register.enterprise";
    public const string UpdatePublicModels = "models.public.update";
    public const string DeletePublicModels = "models.public.delete";
    public const string ExpirePublicModels = "models.public.expire";
    public const string UpdateAdvancedModels = "models.advanced.update";
    public const string DeleteAdvancedModels = "models.advanced.delete";
    public const string ExpireAdvancedModels = "models.advanced.expire";
    public const string ViewAdvancedModels = "models.advanced.view";
    public const string ListReviews = "reviews.list";
    public const string DecideReviews = "reviews.decide";
    public const string RunTraining = "training.run";
    public const string ManageDatasets = "datasets.manage";
    public const string ManageExternalSources = "sources.manage";
    public const string AdministerUsers = "users.administer";
    public const string ViewUsage = "usage.view";
    public const string ManageTokens = "tokens";

    public static IReadOnlyList<string> All { get; } =
    [
        RegisterPrivateModels, RegisterPublicModels, RegisterEnterpriseModels,
        UpdatePublicModels, DeletePublicModels, ExpirePublicModels,
        UpdateAdvancedModels, DeleteAdvancedModels, ExpireAdvancedModels, ViewAdvancedModels,
        ListReviews, DecideReviews, RunTraining, ManageDatasets, ManageExternalSources, AdministerUsers,
        ViewUsage, ManageTokens,
    ];

    /// <summary>What each permission allows, as the permission catalog shows it.</summary>
    public static IReadOnlyDictionary<string, string> Descriptions { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [RegisterPrivateModels] = "Register private models (owners always manage their own).",
        [RegisterPublicModels] = "Register public models without review.",
        [RegisterEnterpriseModels] = "Register enterprise models (they must be public).",
        [UpdatePublicModels] = "Update public standard models.",
        [DeletePublicModels] = "Delete public standard models.",
        [ExpirePublicModels] = "Set the expiry of public standard models.",
        [UpdateAdvancedModels] = "Update public advanced and enterprise models.",
        [DeleteAdvancedModels] = "Delete public advanced and enterprise models.",
        [ExpireAdvancedModels] = "Set the expiry of public advanced and enterprise models.",
        [ViewAdvancedModels] = "See advanced and enterprise models.",
        [ListReviews] = "List the review queue.",
        [DecideReviews] = "Approve or reject submissions.",
        [RunTraining] = "Start training jobs from model and dataset versions one may see, into models one may change; see, follow and cancel one's own jobs (a model's managers see its jobs too).",
        [ManageDatasets] = "Create datasets; their owners (and administrators) change and delete them, add versions and upload their files.",
        [ManageExternalSources] = "Import models from Hugging Face (preview, import, cancel) and set API models' providers and keys.",
        [AdministerUsers] = "Administer users: grant and revoke permissions; everything else too.",
        [ViewUsage] = "See everyone's usage (each user sees their own).",
        [ManageTokens] = "Manage one's own personal access tokens.",
    };

    public static bool IsKnown(string permission) => All.Contains(permission, StringComparer.Ordinal);
}

/// <summary>
/// App roles carried in tokens (Entra app roles, or the development token's roles) and the
/// permissions each bundles. Every signed-in caller holds <see cref="User"/> implicitly.
/// </summary>
public static class Roles
{
    public const string User = "user";
    public const string Maintainer = "maintainer";
    public const string AdvancedMaintainer = "advanced-maintainer";
    public const string AdvancedViewer = "advanced-viewer";
    public const string Reviewer = "reviewer";
    public const string Trainer = "trainer";
    public const string Admin = "admin";

    public static IReadOnlyDictionary<string, IReadOnlyList<string>> Bundles { get; } = new Dictionary<string, IReadOnlyList<string>>(StringComparer.OrdinalIgnoreCase)
    {
        [User] = [Permissions.RegisterPrivateModels, Permissions.ManageTokens],
        [Maintainer] =
        [
            Permissions.RegisterPrivateModels, Permissions.ManageTokens, Permissions.RegisterPublicModels,
            Permissions.UpdatePublicModels, Permissions.DeletePublicModels, Permissions.ExpirePublicModels,
        ],
        [AdvancedMaintainer] =
        [
            Permissions.RegisterPrivateModels, Permissions.ManageTokens, Permissions.RegisterPublicModels, Permissions.RegisterEnterpriseModels,
            Permissions.UpdateAdvancedModels, Permissions.DeleteAdvancedModels, Permissions.ExpireAdvancedModels,
            Permissions.ViewAdvancedModels,
        ],
        [AdvancedViewer] = [Permissions.ViewAdvancedModels],
        [Reviewer] = [Permissions.RegisterPrivateModels, Permissions.ManageTokens, Permissions.ListReviews, Permissions.DecideReviews, Permissions.ViewAdvancedModels],
        [Trainer] = [Permissions.RegisterPrivateModels, Permissions.ManageTokens, Permissions.RunTraining, Permissions.ManageDatasets],
        [Admin] = Permissions.All,
    };

    public static IReadOnlyList<string> All { get; } = Bundles.Keys.ToArray();
}
