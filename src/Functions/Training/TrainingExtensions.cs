using Microsoft.Extensions.Options;
using ModelsHub.Core.Training;
using ModelsHub.Functions.Uploads;
using ModelsHub.Infrastructure;

namespace ModelsHub.Functions.Training;

public static class TrainingExtensions
{
    /// <summary>
    /// Training jobs: options (the reference trainer registered unless configured otherwise), the trainer
    /// catalog, the compute adapters, the job service, event ingestion, outputs, and the job's workflow.
    /// </summary>
    public static IServiceCollection AddHubTraining(this IServiceCollection services, IConfiguration configuration)
    {
        var computes = TrainingComputeServiceExtensions.EnabledComputes(configuration);
        services.AddOptions<TrainingOptions>().Bind(configuration.GetSection(TrainingOptions.Section))
            .PostConfigure(o =>
            {
                if (!o.Trainers.ContainsKey(TrainingOptions.ReferenceTrainer))
                {
                    o.Trainers[TrainingOptions.ReferenceTrainer] = ReferenceTrainer.Create(ReferenceTrainerCommand());
                }
            })
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<TrainingOptions>>(new TrainingOptionsValidator(computes));
        services.AddHubTrainingCompute(configuration);
        services.AddSingleton(sp => new HubAddresses(TrainerHub(sp.GetRequiredService<IOptions<TrainingOptions>>().Value, configuration)));
        services.AddSingleton<TrainerCatalog>();
        services.AddSingleton<TrainingLiveFeed>();
        services.AddSingleton<TrainingJobUpdates>();
        services.AddSingleton<JobTokens>();
        services.AddSingleton<TrainingJobs>();
        services.AddSingleton<TrainingEventIngestion>();
        services.AddSingleton<TrainingOutputs>();
        services.AddSingleton<Core.Workflows.IWorkflowDefinition, TrainingJobWorkflow>();
        return services;
    }

    /// <summary>The reference trainer as built beside the hub (the Functions project references it), run with <c>dotnet</c>.</summary>
    private static LocalTrainerOptions? ReferenceTrainerCommand()
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "ModelsHub.Trainer.dll");
        return File.Exists(dll) ? new LocalTrainerOptions { Command = DotnetHost(), Arguments = [dll, "train"] } : null;
    }

    /// <summary>The dotnet host that runs this process (so a trainer gets the same runtime), else <c>dotnet</c> from PATH.</summary>
    private static string DotnetHost() =>
        Environment.ProcessPath is { } host && Path.GetFileNameWithoutExtension(host) == "dotnet" ? host : "dotnet";

    private static Uri TrainerHub(TrainingOptions options, IConfiguration configuration)
    {
        var configured = options.HubUrl is { Length: > 0 } hub ? hub : configuration[HubAddress.PublicBaseUrlKey];
        return new Uri(string.IsNullOrWhiteSpace(configured) ? Hosting.HostingExtensions.DefaultUrl : configured);
    }
}
