using System.Text.Json;
using ModelsHub.Contracts;

namespace ModelsHub.Core.Events;

/// <summary>
/// Something that happened in the hub that the outside world may react to (webhooks): its type (a
/// <c>WebhookEventTypes</c> name), its subject (<c>models/qwen3/versions/v2</c>), the model it concerns
/// and that model's owner (which decide who may receive it), who caused it, and its data (a
/// <c>ModelsHub.Contracts.Webhooks</c> record, as JSON).
/// </summary>
public sealed record HubEvent(string Id, string Type, string Subject, string? Model, string? Owner, string? Actor, JsonElement Data, DateTimeOffset Time)
{
    /// <summary>A new event with a fresh id; <paramref name="data"/> is serialized in the API's JSON shape.</summary>
    public static HubEvent Create<TData>(string type, string subject, string? model, string? owner, string? actor, TData data, DateTimeOffset time) =>
        new("evt_" + Guid.NewGuid().ToString("N"), type, subject, model, owner, actor, JsonSerializer.SerializeToElement(data, ContractJson.Options), time);
}

/// <summary>
/// Receives every event the hub raises, after the change that raised it committed. Must not throw for
/// the raiser's sake (failures are logged and swallowed) and must not do slow work inline: hand it to
/// the work queue (webhooks start a delivery workflow per subscriber).
/// </summary>
public interface IHubEventListener
{
    Task OnEventAsync(HubEvent hubEvent, CancellationToken cancellationToken);
}
