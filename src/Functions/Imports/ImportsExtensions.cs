using ModelsHub.Core.Imports;
using ModelsHub.Core.Workflows;

namespace ModelsHub.Functions.Imports;

public static class ImportsExtensions
{
    /// <summary>Imports from Hugging Face: the users' Hub tokens, the service that previews, starts, follows and cancels imports, and their workflow.</summary>
    public static IServiceCollection AddHubImports(this IServiceCollection services)
    {
        services.AddSingleton<HuggingFaceTokens>();
        services.AddSingleton<HuggingFaceImports>();
        services.AddSingleton<IWorkflowDefinition, HuggingFaceImportWorkflow>();
        return services;
    }
}
