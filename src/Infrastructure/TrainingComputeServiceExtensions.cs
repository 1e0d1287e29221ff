using k8s;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ModelsHub.Core.Training;
using ModelsHub.Infrastructure.Kubernetes;
using ModelsHub.Infrastructure.LocalCompute;

namespace ModelsHub.Infrastructure;

/// <summary>The compute adapters training jobs run on: <c>local</c> always, <c>kubernetes</c> when <c>Training:Kubernetes</c> says where the cluster is.</summary>
public static class TrainingComputeServiceExtensions
{
    /// <summary>The names of the computes configuration enables (what <c>Training:DefaultCompute</c> and a job's <c>compute</c> may name).</summary>
    public static IReadOnlyList<string> EnabledComputes(IConfiguration configuration) =>
        (configuration.GetSection(KubernetesComputeOptions.Section).Get<KubernetesComputeOptions>() ?? new()).IsConfigured
            ? [LocalTrainingCompute.ComputeName, KubernetesTrainingCompute.ComputeName]
            : [LocalTrainingCompute.ComputeName];

    /// <summary>
    /// The compute adapters. Local trainers run under <c>Training:Local:WorkDirectory</c>, by default
    /// <c>&lt;data&gt;/training</c> in the embedded profile and a folder under the temp folder otherwise.
    /// </summary>
    public static IServiceCollection AddHubTrainingCompute(this IServiceCollection services, IConfiguration configuration)
    {
        string DefaultWorkDirectory(IServiceProvider sp) => InfrastructureServiceExtensions.ReadProfile(configuration) == StorageProfile.Embedded
            ? Path.Combine(sp.GetRequiredService<IOptions<Sqlite.EmbeddedStorageOptions>>().Value.ResolvedDataDirectory, "training")
            : Path.Combine(Path.GetTempPath(), "modelshub-training");
        services.AddOptions<LocalComputeOptions>().Bind(configuration.GetSection(LocalComputeOptions.Section))
            .Validate(o => o.MaxConcurrent is >= 1 and <= 64, $"{LocalComputeOptions.Section}:MaxConcurrent must be between 1 and 64.")
            .ValidateOnStart();
        services.AddSingleton<IPostConfigureOptions<LocalComputeOptions>>(sp => new PostConfigureOptions<LocalComputeOptions>(null,
            o => o.ResolvedWorkDirectory = Path.GetFullPath(string.IsNullOrWhiteSpace(o.WorkDirectory) ? DefaultWorkDirectory(sp) : o.WorkDirectory)));
        services.AddSingleton<ITrainingCompute, LocalTrainingCompute>();

        services.AddOptions<KubernetesComputeOptions>().Bind(configuration.GetSection(KubernetesComputeOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<KubernetesComputeOptions>, KubernetesComputeOptionsValidator>();
        if (EnabledComputes(configuration).Contains(KubernetesTrainingCompute.ComputeName))
        {
            services.AddSingleton<IKubernetes>(sp => new k8s.Kubernetes(ClientConfiguration(sp.GetRequiredService<IOptions<KubernetesComputeOptions>>().Value)));
            services.AddSingleton<ITrainingCompute, KubernetesTrainingCompute>();
            services.AddHostedService<KubernetesJobWatcher>();
        }
        return services;
    }

    private static KubernetesClientConfiguration ClientConfiguration(KubernetesComputeOptions options)
    {
        if (options.InCluster)
        {
            return KubernetesClientConfiguration.InClusterConfig();
        }
        if (!string.IsNullOrWhiteSpace(options.KubeconfigPath))
        {
            return KubernetesClientConfiguration.BuildConfigFromConfigFile(options.KubeconfigPath, string.IsNullOrEmpty(options.Context) ? null : options.Context);
        }
        var configuration = new KubernetesClientConfiguration { Host = options.Host };
        if (!string.IsNullOrWhiteSpace(options.AccessTokenFile))
        {
            configuration.AccessToken = File.ReadAllText(options.AccessTokenFile).Trim();
        }
        if (!string.IsNullOrWhiteSpace(options.CertificateAuthorityFile))
        {
            var authorities = new System.Security.Cryptography.X509Certificates.X509Certificate2Collection();
            authorities.ImportFromPemFile(options.CertificateAuthorityFile);
            configuration.SslCaCerts = authorities;
        }
        return configuration;
    }
}
