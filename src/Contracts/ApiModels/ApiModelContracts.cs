using System.Text.Json.Serialization;
using ModelsHub.Contracts.Models;

namespace ModelsHub.Contracts.ApiModels;

/// <summary>The wire protocol an API model is called with: which official SDK talks to it.</summary>
public enum ProviderKind
{
    Openai,
    Anthropic,

    [JsonStringEnumMemberName("openai-compatible")]
    OpenaiCompatible,
}

/// <summary>The latest free check of a provider block: when, whether the provider accepted it, why not, what it called the model.</summary>
public sealed record ProviderVerificationDto(DateTimeOffset At, bool Ok, string? Error, string? ProviderModel);

/// <summary>An API model's provider as shown: never the key, only its last four characters.</summary>
public sealed record ProviderDto(
    ProviderKind Kind,
    string Endpoint,
    string ModelId,
    string? Version,
    string? KeyLastFour,
    DateTimeOffset? KeySetAt,
    ProviderVerificationDto? Verification);

/// <summary>
/// <c>PUT /api/models/{name}/provider</c>: the base URL the official SDK takes (defaults: OpenAI's and
/// Anthropic's), the provider's model id, the key (write-only; required again with a new endpoint) and
/// a version label. Absent fields keep what is stored.
/// </summary>
public sealed record ProviderRequest(string? Endpoint, string? ModelId, string? ApiKey, string? Version);

/// <summary>A test call's input (seed 004's <c>input_data</c>): a prompt or messages, and sampling options.</summary>
public sealed record TestInputData(
    [property: JsonPropertyName("prompt")] string? Prompt,
    [property: JsonPropertyName("messages")] IReadOnlyList<TestMessage>? Messages,
    [property: JsonPropertyName("system")] string? System,
    [property: JsonPropertyName("max_tokens")] int? MaxTokens,
    [property: JsonPropertyName("temperature")] double? Temperature);

public sealed record TestMessage(string Role, string Content);

/// <summary>The body of a test call: <c>{"input_data": {...}}</c>.</summary>
public sealed record TestRequest([property: JsonPropertyName("input_data")] TestInputData InputData);

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

/// <summary>The status after start/stop; <c>pending</c> when the change waits for review (<c>submissionId</c>).</summary>
public sealed record ToggleStatusResponse(string Name, ModelStatus Status, bool Pending, string? SubmissionId);
