using ModelsHub.IntegrationTests.Api;
using ModelsHub.IntegrationTests.Infrastructure;
using ModelsHub.IntegrationTests.Reviews;

namespace ModelsHub.IntegrationTests.AzureProfile;

// The embedded profile's API suites, unchanged, on Storage:Profile=Azure: the switch end to end.

[Collection(AzureEmulatorsCollection.Name)]
public sealed class AzureModelCatalogApiTests(AzureEmulators emulators) : ModelCatalogApiTests(emulators.NewHub());

[Collection(AzureEmulatorsCollection.Name)]
public sealed class AzureAuthorizationMatrixTests(AzureEmulators emulators) : AuthorizationMatrixTests(emulators.NewHub());

[Collection(AzureEmulatorsCollection.Name)]
public sealed class AzureIdentityApiTests(AzureEmulators emulators) : IdentityApiTests(emulators.NewHub());

/// <summary>Hugging Face imports end to end: imports in Cosmos, the files staged as Put Block into Azurite, verified, published with Copy Blob.</summary>
[Collection(AzureEmulatorsCollection.Name)]
public sealed class AzureHuggingFaceImportTests(AzureEmulators emulators) : Imports.HuggingFaceImportTests
{
    protected override HubApplication NewApplication() => emulators.NewHub();
}

/// <summary>Review, approval and the pull request, end to end: submissions and workflows in Cosmos, the work queue in Azurite.</summary>
[Collection(AzureEmulatorsCollection.Name)]
public sealed class AzureReviewWorkflowTests(AzureEmulators emulators) : ReviewWorkflowTests
{
    protected override HubApplication NewApplication() => emulators.NewHub();
}
