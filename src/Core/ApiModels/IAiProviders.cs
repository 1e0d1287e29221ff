using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.AI;
using ModelsHub.Core.Common;
using ModelsHub.Core.Usage;
using ModelsHub.Contracts.Usage;
using ModelsHub.Contracts.ApiModels;

namespace ModelsHub.Core.ApiModels;

/// <summary>
/// Something the hub can call: an API model's provider today, a running deployment's
/// OpenAI-compatible endpoint tomorrow. <see cref="ApiKey"/> is the secret in clear, held only
/// for the call.
/// </summary>
public sealed record InferenceTarget(ProviderKind Kind, Uri Endpoint, string ModelId, string? ApiKey)
{
    /// <summary>Identifies the client that calls this target (clients are reused); changes when any part, the key included, changes.</summary>
    public string ClientKey { get; } = $"{Kind}|{Endpoint}|{ModelId}|{Fingerprint(ApiKey)}";

    private static string Fingerprint(string? key) =>
        key is null ? "-" : Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key)), 0, 12);

    public override string ToString() => $"{Kind} {Endpoint} {ModelId}";
}

/// <summary>What a provider says about the model id it was asked about (its free model lookup).</summary>
public sealed record ProviderModelInfo(string Id, string? DisplayName);

/// <summary>
/// The providers' official SDKs behind Microsoft.Extensions.AI: a free check of a key and model id,
/// and the chat and embedding clients for a target. Every failure of a call made through these
/// clients surfaces as <see cref="ModelCallException"/>.
/// </summary>
public interface IAiProviders
{
    /// <summary>Looks the model id up with the key (<c>GET /v1/models/{id}</c>: costs nothing).</summary>
    /// <exception cref="ModelCallException">The provider refused the key, does not know the model, or could not be reached.</exception>
    Task<ProviderModelInfo> VerifyAsync(InferenceTarget target, CancellationToken cancellationToken);

    IChatClient ChatClient(InferenceTarget target);

    /// <exception cref="ModelCallException">The provider has no embeddings API (<see cref="UsageErrorClass.BadRequest"/>).</exception>
    IEmbeddingGenerator<string, Embedding<float>> EmbeddingGenerator(InferenceTarget target);
}

/// <summary>
/// A call to a model failed, at the provider or before it (an inactive model). <see cref="ErrorClass"/> is what usage analytics count;
/// <see cref="ProviderStatus"/> what the provider answered (null when it never answered).
/// </summary>
public sealed class ModelCallException(UsageErrorClass errorClass, string message, int? providerStatus = null, TimeSpan? retryAfter = null, Exception? inner = null)
    : HubException(message, inner)
{
    public UsageErrorClass ErrorClass { get; } = errorClass;

    public int? ProviderStatus { get; } = providerStatus;

    public TimeSpan? RetryAfter { get; } = retryAfter;

    /// <summary>True when the provider could not be reached at all (DNS, connection refused, TLS).</summary>
    public bool Unreachable => ProviderStatus is null && ErrorClass == UsageErrorClass.ProviderError;
}
