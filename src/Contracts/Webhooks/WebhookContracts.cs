using System.Text.Json;
using System.Text.Json.Serialization;

namespace ModelsHub.Contracts.Webhooks;

/// <summary>
/// A webhook as the API shows it. The secret is never shown again after creation: <see cref="Secret"/>
/// is set only in the answer that generated it.
/// </summary>
public sealed record WebhookDto(
    string Id,
    string Url,
    IReadOnlyList<string> Events,
    IReadOnlyList<string>? Models,
    bool Active,
    string Owner,
    string Scope,
    string? DisabledReason,
    DateTimeOffset? DisabledAt,
    int ConsecutiveFailures,
    DateTimeOffset? LastDeliveryAt,
    DeliveryStatus? LastDeliveryStatus,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    [property: JsonPropertyName("etag")] string? ETag,
    string? Secret = null);

public sealed record WebhookListResponse(IReadOnlyList<WebhookDto> Items, string? ContinuationToken);

/// <summary>
/// The fields of a new webhook or a change to one (the server reads bodies field by field). Without
/// <see cref="Secret"/> the hub generates one (<c>whsec_…</c>) and shows it once.
/// </summary>
public sealed record WebhookRequest(string? Url, IReadOnlyList<string>? Events, string? Secret, IReadOnlyList<string>? Models, bool? Active);

/// <summary>One try of a delivery: the receiver's status code (none when it could not be reached), how long it took, what went wrong.</summary>
public sealed record DeliveryAttemptDto(int Attempt, DateTimeOffset At, int? ResponseCode, long DurationMs, string? Error, string? ResponseBody);

/// <summary>One event sent (or being sent) to one webhook.</summary>
public sealed record DeliveryDto(
    string Id,
    string WebhookId,
    string EventId,
    string Event,
    string Subject,
    DeliveryStatus Status,
    int Attempts,
    int? ResponseCode,
    long? DurationMs,
    string? Error,
    bool Manual,
    string? RedeliveryOf,
    DateTimeOffset CreatedAt,
    DateTimeOffset? CompletedAt,
    DateTimeOffset? NextAttemptAt,
    IReadOnlyList<DeliveryAttemptDto>? History = null,
    JsonElement? Payload = null);

public sealed record DeliveryListResponse(IReadOnlyList<DeliveryDto> Items, string? ContinuationToken);
