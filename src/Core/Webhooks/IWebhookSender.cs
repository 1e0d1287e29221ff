namespace ModelsHub.Core.Webhooks;

/// <summary>A signed POST to a webhook's URL.</summary>
public sealed record WebhookMessage(Uri Url, ReadOnlyMemory<byte> Body, string ContentType, IReadOnlyDictionary<string, string> Headers);

/// <summary>
/// What the receiver answered (its status code and the start of its body), or why it could not be
/// reached (<see cref="Error"/>, no status code); <see cref="Refused"/> when the SSRF rules stopped it.
/// </summary>
public sealed record WebhookResponse(int? StatusCode, TimeSpan Duration, string? Error, string? Body, bool Refused = false)
{
    public bool IsSuccess => StatusCode is >= 200 and < 300;
}

/// <summary>Sends webhook messages over HTTP, connecting only to addresses the SSRF rules allow.</summary>
public interface IWebhookSender
{
    Task<WebhookResponse> SendAsync(WebhookMessage message, CancellationToken cancellationToken);
}
