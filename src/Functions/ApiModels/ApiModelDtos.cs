using ModelsHub.Core.ApiModels;
using ModelsHub.Core.Catalog;
using ModelsHub.Core.Inference;

namespace ModelsHub.Functions.ApiModels;

/// <summary>An API model's provider as shown: never the key, only its last four characters.</summary>
public sealed record ProviderDto(
    ProviderKind Kind,
    string Endpoint,
    string ModelId,
    string? Version,
    string? KeyLastFour,
    DateTimeOffset? KeySetAt,
    ProviderVerification? Verification);

/// <summary>The provider fields, for the OpenAPI document; bodies are read field by field.</summary>
public sealed record ProviderRequest(string? Endpoint, string? ModelId, string? ApiKey, string? Version);

/// <summary>A test call's input (seed 004's <c>input_data</c>): a prompt or messages, and sampling options.</summary>
public sealed record TestInputData(string? Prompt, IReadOnlyList<TestMessage>? Messages, string? System, int? MaxTokens, double? Temperature);

public sealed record TestMessage(string Role, string Content);

/// <summary>The body of a test call, for the OpenAPI document.</summary>
public sealed record TestRequest(TestInputData InputData);

/// <summary>What an embeddings test returns: the vector's size and its first values.</summary>
public sealed record EmbeddingPreview(int Dimensions, IReadOnlyList<float> FirstValues);

/// <summary>A test call's outcome.</summary>
public sealed record TestResultDto(
    string Model,
    string? Version,
    string Operation,
    string? Output,
    string? FinishReason,
    long TokensIn,
    long TokensOut,
    double LatencyMs,
    EmbeddingPreview? Embedding);

/// <summary>The status after start/stop; <c>pending</c> when the change waits for review.</summary>
public sealed record ToggleStatusResponse(string Name, ModelStatus Status, bool Pending, string? SubmissionId);

public static class ApiModelMappings
{
    public static ProviderDto? ToDto(this ModelProvider? provider, ModelSource source) =>
        provider is null || ProviderKinds.For(source) is not { } kind
            ? null
            : new ProviderDto(kind, provider.Endpoint, provider.ModelId, provider.Version, provider.KeyLastFour, provider.KeySetAt, provider.Verification);

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
