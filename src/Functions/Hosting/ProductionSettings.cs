namespace ModelsHub.Functions.Hosting;

/// <summary>
/// The settings the hub requires in production (Azure profile, Entra sign-in, under the Functions host), as
/// configuration keys. <c>infra/bicep/main.bicep</c> must set every one of them: the infrastructure tests
/// (<c>tests/ModelsHub.InfraTests</c>) compile the template and fail when one is missing. Add a key here
/// when production starts to require it; the template then has to follow. The list is checked against the app
/// itself too: the tests start it with the template's settings (its ValidateOnStart validators must accept them)
/// and derive from those validators which settings production demands; each must be listed here.
/// </summary>
/// <remarks>
/// On Linux an app setting cannot contain ':', so <c>Storage:Profile</c> is written <c>Storage__Profile</c>
/// (<see cref="ToAppSettingName"/>). A list is set through indexed keys: <c>Cors:AllowedOrigins</c> is
/// satisfied by <c>Cors__AllowedOrigins__0</c>, <c>Cors__AllowedOrigins__1</c>, …
/// </remarks>
public static class ProductionSettings
{
    /// <summary>Settings the hub server reads (docs/ARCHITECTURE.md, "Azure settings").</summary>
    public static IReadOnlyList<string> Hub { get; } =
    [
        "Storage:Profile",
        "Storage:Azure:ManagedIdentityClientId",
        "Storage:Azure:Cosmos:AccountEndpoint",
        "Storage:Azure:Cosmos:DatabaseName",
        "Storage:Azure:Blobs:ServiceUri",
        "Storage:Azure:Blobs:ContainerName",
        "Storage:Azure:Queues:ServiceUri",
        "Storage:Azure:Queues:QueueName",
        "Storage:Azure:Queues:PoisonQueueName",
        "Auth:Mode",
        "AzureAd:Instance",
        "AzureAd:TenantId",
        "AzureAd:ClientId",
        "AzureAd:Audience",
        "GitHub:ApiUrl",
        "GitHub:Repository",
        "GitHub:BaseBranch",
        "GitHub:DefaultToken",
        "GitHub:WebhookSecret",
        "DataProtection:KeyRingBlobUri",
        "DataProtection:KeyVaultKeyId",
        "Sync:Schedule",
        "Sync:Ref",
        "Workflows:SweeperSchedule",
        "Uploads:ExpirySchedule",
        "Hub:PublicBaseUrl",
        "Cors:AllowedOrigins",
    ];

    /// <summary>
    /// Settings the Functions host reads: its own storage and the <c>WorkflowQueue</c> trigger's
    /// <c>WorkQueue</c> connection (both identity-based), and telemetry.
    /// </summary>
    public static IReadOnlyList<string> FunctionsHost { get; } =
    [
        "AzureWebJobsStorage:accountName",
        "AzureWebJobsStorage:credential",
        "AzureWebJobsStorage:clientId",
        "WorkQueue:queueServiceUri",
        "WorkQueue:credential",
        "WorkQueue:clientId",
        "APPLICATIONINSIGHTS_CONNECTION_STRING",
    ];

    /// <summary>Every required setting: <see cref="Hub"/> and <see cref="FunctionsHost"/>.</summary>
    public static IEnumerable<string> Required => Hub.Concat(FunctionsHost);

    /// <summary>Settings only emulators use (keys and connection strings); production must never set them.</summary>
    public static IReadOnlyList<string> EmulatorOnly { get; } =
    [
        "Storage:Azure:Cosmos:ConnectionString",
        "Storage:Azure:Blobs:ConnectionString",
        "Storage:Azure:Queues:ConnectionString",
        "Storage:Azure:CreateIfMissing",
        "AzureWebJobsStorage",
    ];

    /// <summary>The app-setting name of a configuration key on Linux: <c>Storage:Profile</c> → <c>Storage__Profile</c>.</summary>
    public static string ToAppSettingName(string key) => key.Replace(":", "__", StringComparison.Ordinal);
}
