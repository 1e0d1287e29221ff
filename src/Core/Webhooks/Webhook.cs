using System.Text.Json.Serialization;
using ModelsHub.Contracts.Webhooks;
using ModelsHub.Core.Common;

namespace ModelsHub.Core.Webhooks;

/// <summary>Which models' events a webhook may receive.</summary>
public enum WebhookScope
{
    /// <summary>Only models its owner owns (a non-administrator's webhook), further narrowed by <see cref="Webhook.Models"/>.</summary>
    Owned,

    /// <summary>Every model (an administrator's webhook), narrowed by <see cref="Webhook.Models"/> when given.</summary>
    All,
}

/// <summary>
/// A subscription: the hub POSTs each subscribed event as a signed CloudEvent to <see cref="Url"/>.
/// The secret is kept encrypted (<see cref="GitHub.ISecretProtector"/>) and never shown again.
/// </summary>
public sealed class Webhook : IStoredDocument<Webhook>
{
    public required string Id { get; init; }

    /// <summary>The user who created it: they (and administrators) see and manage it.</summary>
    public required string Owner { get; init; }

    public required string Url { get; set; }

    /// <summary>Event names (<see cref="WebhookEventTypes"/>), or <c>*</c> for all.</summary>
    public List<string> Events { get; set; } = [];

    /// <summary>The models whose events it receives (names); null: every model its scope allows.</summary>
    public List<string>? Models { get; set; }

    public WebhookScope Scope { get; set; }

    public bool Active { get; set; } = true;

    public required string ProtectedSecret { get; set; }

    /// <summary>Deliveries that failed for good in a row (every try used up); a success resets it.</summary>
    public int ConsecutiveFailures { get; set; }

    /// <summary>Why the hub turned it off (too many failures in a row); cleared when it is turned on again.</summary>
    public string? DisabledReason { get; set; }

    public DateTimeOffset? DisabledAt { get; set; }

    public DateTimeOffset? LastDeliveryAt { get; set; }

    public DeliveryStatus? LastDeliveryStatus { get; set; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; set; }

    [JsonIgnore]
    public string? ETag { get; set; }

    /// <summary>Whether an event of <paramref name="type"/> about <paramref name="model"/> (owned by <paramref name="owner"/>) is for this webhook.</summary>
    public bool Wants(string type, string? model, string? owner)
    {
        if (!Events.Contains(WebhookEventTypes.All, StringComparer.Ordinal) && !Events.Contains(type, StringComparer.Ordinal))
        {
            return false;
        }
        if (Models is { Count: > 0 } && (model is null || !Models.Contains(model, StringComparer.OrdinalIgnoreCase)))
        {
            return false;
        }
        return Scope == WebhookScope.All || (owner is not null && string.Equals(owner, Owner, StringComparison.Ordinal));
    }

    public Webhook Clone() => new()
    {
        Id = Id,
        Owner = Owner,
        Url = Url,
        Events = [.. Events],
        Models = Models is null ? null : [.. Models],
        Scope = Scope,
        Active = Active,
        ProtectedSecret = ProtectedSecret,
        ConsecutiveFailures = ConsecutiveFailures,
        DisabledReason = DisabledReason,
        DisabledAt = DisabledAt,
        LastDeliveryAt = LastDeliveryAt,
        LastDeliveryStatus = LastDeliveryStatus,
        CreatedAt = CreatedAt,
        UpdatedAt = UpdatedAt,
        ETag = ETag,
    };
}

/// <summary>One try of a delivery.</summary>
public sealed record DeliveryAttempt(int Attempt, DateTimeOffset At, int? ResponseCode, long DurationMs, string? Error, string? ResponseBody);

/// <summary>
/// One event on its way to one webhook: the exact CloudEvent it sends (<see cref="Payload"/>, signed
/// afresh at each try) and every try so far. A redelivery is a new delivery of the same payload.
/// </summary>
public sealed class WebhookDelivery : IStoredDocument<WebhookDelivery>
{
    public required string Id { get; init; }

    public required string WebhookId { get; init; }

    public required string EventId { get; init; }

    public required string Event { get; init; }

    public required string Subject { get; init; }

    /// <summary>The CloudEvent in structured JSON mode, byte for byte what is sent.</summary>
    public required string Payload { get; init; }

    public DeliveryStatus Status { get; set; } = DeliveryStatus.Pending;

    public List<DeliveryAttempt> Attempts { get; set; } = [];

    /// <summary>Asked for by a person (a ping or a redelivery): sent even while the webhook is turned off.</summary>
    public bool Manual { get; init; }

    public string? RedeliveryOf { get; init; }

    /// <summary>The workflow that sends it.</summary>
    public required string WorkflowId { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? CompletedAt { get; set; }

    public DateTimeOffset? NextAttemptAt { get; set; }

    [JsonIgnore]
    public string? ETag { get; set; }

    public WebhookDelivery Clone() => new()
    {
        Id = Id,
        WebhookId = WebhookId,
        EventId = EventId,
        Event = Event,
        Subject = Subject,
        Payload = Payload,
        Status = Status,
        Attempts = [.. Attempts],
        Manual = Manual,
        RedeliveryOf = RedeliveryOf,
        WorkflowId = WorkflowId,
        CreatedAt = CreatedAt,
        CompletedAt = CompletedAt,
        NextAttemptAt = NextAttemptAt,
        ETag = ETag,
    };
}
