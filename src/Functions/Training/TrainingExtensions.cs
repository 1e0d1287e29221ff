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
                // The reference trainer is always there; configuration may add to it (its container image for Kubernetes) or override parts.
                var builtIn = ReferenceTrainer.Create(ReferenceTrainerCommand());
                if (!o.Trainers.TryGetValue(TrainingOptions.ReferenceTrainer, out var configured))
                {
                    o.Trainers[TrainingOptions.ReferenceTrainer] = builtIn;
                    return;
                }
                configured.Description ??= builtIn.Description;
                configured.Local ??= builtIn.Local;
                if (configured.DatasetFormats.Count == 0) configured.DatasetFormats = builtIn.DatasetFormats;
                if (configured.Methods.Count == 0) configured.Methods = builtIn.Methods;
                foreach (var (name, spec) in builtIn.Hyperparameters)
                {
                    configured.Hyperparameters.TryAdd(name, spec);
                }
            })
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<TrainingOptions>>(new TrainingOptionsValidator(computes));
        services.AddHubTrainingCompute(configuration);
        services.AddSingleton(sp => new HubAddresses(() => TrainerHub(sp, configuration)));
        services.AddSingleton<ITrainingAssets, TrainingAssets>();
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

    private static Uri TrainerHub(IServiceProvider services, IConfiguration configuration)
    {
        var options = services.GetRequiredService<IOptions<TrainingOptions>>().Value;
        var configured = options.HubUrl is { Length: > 0 } hub ? hub : configuration[Hosting.HostingExtensions.PublicBaseUrlKey];
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return new Uri(configured);
        }
        // Where this server listens, with a wildcard host made a loopback one (the local compute's trainers run beside it).
        var listening = services.GetService<Microsoft.AspNetCore.Hosting.Server.IServer>()?.Features
            .Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()?.Addresses.FirstOrDefault(a => a.StartsWith("http", StringComparison.Ordinal));
        if (listening is null || !Uri.TryCreate(listening.Replace("://+", "://localhost").Replace("://*", "://localhost").Replace("://0.0.0.0", "://127.0.0.1")
                .Replace("://[::]", "://localhost"), UriKind.Absolute, out var address))
        {
            return new Uri(Hosting.HostingExtensions.DefaultUrl);
        }
        return address;
    }
}
