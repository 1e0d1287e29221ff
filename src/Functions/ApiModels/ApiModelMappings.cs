using ModelsHub.Contracts.ApiModels;
using ModelsHub.Contracts.Models;
using ModelsHub.Core.ApiModels;
using ModelsHub.Core.Inference;

namespace ModelsHub.Functions.ApiModels;

/// <summary>API models, test calls and their outcomes as the API's records.</summary>
public static class ApiModelMappings
{
    public static ProviderDto? ToDto(this ModelProvider? provider, ModelSource source) =>
        provider is null || ProviderKinds.For(source) is not { } kind
            ? null
            : new ProviderDto(kind, provider.Endpoint, provider.ModelId, provider.Version, provider.KeyLastFour, provider.KeySetAt,
                provider.Verification is { } v ? new ProviderVerificationDto(v.At, v.Ok, v.Error, v.ProviderModel) : null);

    public static TestResultDto ToDto(this ChatCall call) => new(
        call.Usage.Model, call.Usage.Version, "chat", call.Response.Text,
        Gateway.OpenAiResponses.FinishReason(call.Response.FinishReason), call.Usage.TokensIn, call.Usage.TokensOut, call.Usage.LatencyMs, null);

    public static TestResultDto ToDto(this EmbeddingsCall call)
    {
        var vector = call.Embeddings.Count > 0 ? call.Embeddings[0].Vector : ReadOnlyMemory<float>.Empty;
        return new TestResultDto(call.Usage.Model, call.Usage.Version, "embeddings", null, null, call.Usage.TokensIn, 0, call.Usage.LatencyMs,
            new EmbeddingPreview(vector.Length, vector[..Math.Min(8, vector.Length)].ToArray()));
    }
}
