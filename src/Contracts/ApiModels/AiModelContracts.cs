using System.Text.Json.Serialization;

namespace ModelsHub.Contracts.ApiModels;

/// <summary>A model in seed 004's own field names.</summary>
public sealed record AiModelDto(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("version")] string? Version,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("framework")] string Framework,
    [property: JsonPropertyName("source")] string Source,
    [property: JsonPropertyName("description")] string Description,
    [property: JsonPropertyName("endpoint")] string? Endpoint,
    [property: JsonPropertyName("model_id")] string? ModelId,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("tags")] IReadOnlyList<string> Tags,
    [property: JsonPropertyName("visibility")] string Visibility,
    [property: JsonPropertyName("owner")] string Owner,
    [property: JsonPropertyName("api_key_last_four")] string? ApiKeyLastFour,
    [property: JsonPropertyName("verified_at")] DateTimeOffset? VerifiedAt,
    [property: JsonPropertyName("created_at")] DateTimeOffset CreatedAt,
    [property: JsonPropertyName("updated_at")] DateTimeOffset UpdatedAt);

public sealed record AiModelListResponse(
    [property: JsonPropertyName("items")] IReadOnlyList<AiModelDto> Items,
    [property: JsonPropertyName("continuation_token")] string? ContinuationToken);

/// <summary>Seed 004's create body (plus the key and the provider's model id an API model needs).</summary>
public sealed record AiModelRequest(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("version")] string? Version,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("framework")] string? Framework,
    [property: JsonPropertyName("source")] string? Source,
    [property: JsonPropertyName("description")] string? Description,
    [property: JsonPropertyName("endpoint")] string? Endpoint,
    [property: JsonPropertyName("api_key")] string? ApiKey,
    [property: JsonPropertyName("model_id")] string? ModelId,
    [property: JsonPropertyName("tags")] IReadOnlyList<string>? Tags);

public sealed record AiModelTestUsage(
    [property: JsonPropertyName("input_tokens")] long InputTokens,
    [property: JsonPropertyName("output_tokens")] long OutputTokens);

public sealed record AiModelTestResponse(
    [property: JsonPropertyName("model_id")] string ModelId,
    [property: JsonPropertyName("version")] string? Version,
    [property: JsonPropertyName("output")] string? Output,
    [property: JsonPropertyName("finish_reason")] string? FinishReason,
    [property: JsonPropertyName("usage")] AiModelTestUsage Usage,
    [property: JsonPropertyName("latency_ms")] double LatencyMs,
    [property: JsonPropertyName("embedding")] EmbeddingPreview? Embedding);

public sealed record AiModelStatusResponse(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("pending_review")] bool PendingReview);

