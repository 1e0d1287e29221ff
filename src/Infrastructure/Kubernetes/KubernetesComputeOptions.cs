using System.Text.RegularExpressions;
using k8s.Models;
using Microsoft.Extensions.Options;

namespace ModelsHub.Infrastructure.Kubernetes;

/// <summary>
/// The <c>kubernetes</c> compute (section <c>Training:Kubernetes</c>): where the cluster is, and what
/// every trainer pod gets. The compute exists when <see cref="Host"/>, <see cref="KubeconfigPath"/> or
/// <see cref="InCluster"/> says where the API server is.
/// </summary>
public sealed class KubernetesComputeOptions
{
    public const string Section = "Training:Kubernetes";

    /// <summary>The API server's URL (with <see cref="AccessTokenFile"/> and <see cref="CertificateAuthorityFile"/>, or none for a local proxy).</summary>
    public string? Host { get; set; }

    public string? AccessTokenFile { get; set; }

    public string? CertificateAuthorityFile { get; set; }

    /// <summary>A kubeconfig file (and optionally its <see cref="Context"/>) instead of <see cref="Host"/>.</summary>
    public string? KubeconfigPath { get; set; }

    public string? Context { get; set; }

    /// <summary>The hub runs in the cluster: its pod's service account talks to the API server.</summary>
    public bool InCluster { get; set; }

    public string Namespace { get; set; } = "default";

    /// <summary><c>nvidia.com/gpu</c> each trainer pod asks for (a trainer may set its own).</summary>
    public int Gpus { get; set; }

    public Dictionary<string, string> NodeSelector { get; set; } = new(StringComparer.Ordinal);

    public List<TolerationOptions> Tolerations { get; set; } = [];

    public string? ServiceAccount { get; set; }

    /// <summary>How long a finished Job (and its pod and log) stays in the cluster.</summary>
    public int TtlSecondsAfterFinished { get; set; } = 3600;

    /// <summary>Jobs are named <c>{prefix}{training job id}</c>.</summary>
    public string JobNamePrefix { get; set; } = "modelshub-";

    public string? CpuRequest { get; set; }

    public string? MemoryRequest { get; set; }

    public string? MemoryLimit { get; set; }

    public List<string> ImagePullSecrets { get; set; } = [];

    public bool IsConfigured => !string.IsNullOrWhiteSpace(Host) || !string.IsNullOrWhiteSpace(KubeconfigPath) || InCluster;
}

public sealed class TolerationOptions
{
    public string? Key { get; set; }

    /// <summary><c>Equal</c> (default) or <c>Exists</c>.</summary>
    public string Operator { get; set; } = "Equal";

    public string? Value { get; set; }

    /// <summary>Empty (every effect), <c>NoSchedule</c>, <c>PreferNoSchedule</c> or <c>NoExecute</c>.</summary>
    public string? Effect { get; set; }

    public long? TolerationSeconds { get; set; }
}

/// <summary>Checks <c>Training:Kubernetes</c> at start: one way to reach the cluster, names Kubernetes accepts, quantities it parses.</summary>
public sealed partial class KubernetesComputeOptionsValidator : IValidateOptions<KubernetesComputeOptions>
{
    public ValidateOptionsResult Validate(string? name, KubernetesComputeOptions o)
    {
        if (!o.IsConfigured)
        {
            return ValidateOptionsResult.Success;
        }
        var s = KubernetesComputeOptions.Section;
        var errors = new List<string>();
        var ways = new[] { !string.IsNullOrWhiteSpace(o.Host), !string.IsNullOrWhiteSpace(o.KubeconfigPath), o.InCluster }.Count(w => w);
        if (ways > 1)
        {
            errors.Add($"{s}: set one of Host, KubeconfigPath or InCluster.");
        }
        if (o.Host is { Length: > 0 } host && (!Uri.TryCreate(host, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
        {
            errors.Add($"{s}:Host must be the API server's http(s) URL (it is '{host}').");
        }
        foreach (var (key, file) in new[] { ("KubeconfigPath", o.KubeconfigPath), ("AccessTokenFile", o.AccessTokenFile), ("CertificateAuthorityFile", o.CertificateAuthorityFile) })
        {
            if (file is { Length: > 0 } && !File.Exists(file))
            {
                errors.Add($"{s}:{key} names '{file}', which does not exist.");
            }
        }
        if (!DnsLabel().IsMatch(o.Namespace))
        {
            errors.Add($"{s}:Namespace '{o.Namespace}' is not a Kubernetes namespace name (lowercase letters, digits, '-', at most 63).");
        }
        if (!DnsLabel().IsMatch(o.JobNamePrefix + "x") || o.JobNamePrefix.Length > 30)
        {
            errors.Add($"{s}:JobNamePrefix '{o.JobNamePrefix}' must be lowercase letters, digits and '-', at most 30, so Job names stay valid.");
        }
        if (o.ServiceAccount is { Length: > 0 } account && !DnsSubdomain().IsMatch(account))
        {
            errors.Add($"{s}:ServiceAccount '{account}' is not a valid name.");
        }
        if (o.Gpus < 0)
        {
            errors.Add($"{s}:Gpus must not be negative.");
        }
        if (o.TtlSecondsAfterFinished < 0)
        {
            errors.Add($"{s}:TtlSecondsAfterFinished must not be negative.");
        }
        for (var i = 0; i < o.Tolerations.Count; i++)
        {
            var t = o.Tolerations[i];
            if (t.Operator is not ("Equal" or "Exists"))
            {
                errors.Add($"{s}:Tolerations:{i}:Operator must be Equal or Exists (it is '{t.Operator}').");
            }
            if (t.Operator == "Exists" && !string.IsNullOrEmpty(t.Value))
            {
                errors.Add($"{s}:Tolerations:{i}:Value must be empty when Operator is Exists.");
            }
            if (t.Effect is not (null or "" or "NoSchedule" or "PreferNoSchedule" or "NoExecute"))
            {
                errors.Add($"{s}:Tolerations:{i}:Effect must be NoSchedule, PreferNoSchedule or NoExecute (it is '{t.Effect}').");
            }
            if (string.IsNullOrEmpty(t.Key) && t.Operator != "Exists")
            {
                errors.Add($"{s}:Tolerations:{i}: a toleration without a Key must use Operator Exists.");
            }
        }
        foreach (var (key, quantity) in new[] { ("CpuRequest", o.CpuRequest), ("MemoryRequest", o.MemoryRequest), ("MemoryLimit", o.MemoryLimit) })
        {
            if (quantity is { Length: > 0 } && !IsQuantity(quantity))
            {
                errors.Add($"{s}:{key} '{quantity}' is not a Kubernetes quantity (such as 500m, 2, 8Gi).");
            }
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static bool IsQuantity(string text)
    {
        try
        {
            _ = new ResourceQuantity(text).ToDecimal();
            return true;
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or OverflowException)
        {
            return false;
        }
    }

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")]
    private static partial Regex DnsLabel();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$")]
    private static partial Regex DnsSubdomain();
}
