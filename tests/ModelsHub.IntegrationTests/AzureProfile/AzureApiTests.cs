using ModelsHub.IntegrationTests.Api;

namespace ModelsHub.IntegrationTests.AzureProfile;

// The embedded profile's API suites, unchanged, on Storage:Profile=Azure: the switch end to end.

[Collection(AzureEmulatorsCollection.Name)]
public sealed class AzureModelCatalogApiTests(AzureEmulators emulators) : ModelCatalogApiTests(emulators.NewHub());

[Collection(AzureEmulatorsCollection.Name)]
public sealed class AzureAuthorizationMatrixTests(AzureEmulators emulators) : AuthorizationMatrixTests(emulators.NewHub());

[Collection(AzureEmulatorsCollection.Name)]
public sealed class AzureIdentityApiTests(AzureEmulators emulators) : IdentityApiTests(emulators.NewHub());
