using ModelsHub.Core.Assets;
using ModelsHub.Core.Datasets;
using ModelsHub.Core.Workflows;

namespace ModelsHub.Functions.Datasets;

public static class DatasetsExtensions
{
    /// <summary>Datasets: their catalog, their side of the version machinery, and the validation that runs on the workflow runner.</summary>
    public static IServiceCollection AddHubDatasets(this IServiceCollection services)
    {
        services.AddSingleton<DatasetCatalog>();
        services.AddSingleton<IVersionedAssets, DatasetAssets>();
        services.AddSingleton<DatasetValidator>();
        services.AddSingleton<IWorkflowDefinition, DatasetValidationWorkflow>();
        return services;
    }
}
