using ModelsHub.Contracts.ApiModels;
using ModelsHub.Contracts.Models;

namespace ModelsHub.Core.ApiModels;

/// <summary>
/// Where an API model is called: the base URL the official SDK takes, the provider's model id, the
/// key (encrypted with the same <c>ISecretProtector</c> as GitHub tokens; only its last four
/// characters are ever shown) and the latest verification's outcome.
/// </summary>
public sealed record ModelProvider
{
    public required string Endpoint { get; init; }

    public required string ModelId { get; init; }

    /// <summary>The label the owner gives what the provider serves (seed 004's <c>version</c>, e.g. "4.0"); usage is split by it.</summary>
    public string? Version { get; init; }

    /// <summary>The key, encrypted; null for an OpenAI-compatible server that needs none.</summary>
    public string? ProtectedKey { get; init; }

    public string? KeyLastFour { get; init; }

    public DateTimeOffset? KeySetAt { get; init; }

    public ProviderVerification? Verification { get; init; }
}

/// <summary>The outcome of the latest free check (<c>GET /v1/models/{id}</c>) of a provider block.</summary>
public sealed record ProviderVerification(DateTimeOffset At, bool Ok, string? Error, string? ProviderModel);

public static class ProviderKinds
{
    public const string OpenAiEndpoint = "https://api.openai.com/v1";
    public const string AnthropicEndpoint = "https://api.anthropic.com";

    /// <summary>The kind a model's source calls for, or null when the source is not an API provider.</summary>
    public static ProviderKind? For(ModelSource source) => source switch
    {
        ModelSource.Openai => ProviderKind.Openai,
        ModelSource.Anthropic => ProviderKind.Anthropic,
        ModelSource.OpenaiCompatible => ProviderKind.OpenaiCompatible,
        _ => null,
    };

    public static bool IsApiSource(this ModelSource source) => For(source) is not null;

    /// <summary>The endpoint used when none is given; an OpenAI-compatible server has none.</summary>
    public static string? DefaultEndpoint(ProviderKind kind) => kind switch
    {
        ProviderKind.Openai => OpenAiEndpoint,
        ProviderKind.Anthropic => AnthropicEndpoint,
        _ => null,
    };

    /// <summary>
    /// The base URL the SDK takes, from what a person pastes: seed 004's example is a full operation
    /// URL (<c>…/v1/chat/completions</c>), Anthropic's SDK wants the host without <c>/v1</c>.
    /// </summary>
    public static string NormalizeEndpoint(ProviderKind kind, string endpoint)
    {
        var value = endpoint.Trim().TrimEnd('/');
        foreach (var suffix in new[] { "/chat/completions", "/completions", "/embeddings", "/messages", "/models" })
        {
            if (value.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                value = value[..^suffix.Length].TrimEnd('/');
                break;
            }
        }
        if (kind == ProviderKind.Anthropic && value.EndsWith("/v1", StringComparison.OrdinalIgnoreCase))
        {
            value = value[..^3];
        }
        return value;
    }
}
