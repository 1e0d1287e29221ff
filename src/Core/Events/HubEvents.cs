using Microsoft.Extensions.Logging;

namespace ModelsHub.Core.Events;

/// <summary>
/// The hub's one event mechanism. Model writes reach it through <see cref="Catalog.ModelChangeNotifier"/>
/// (which derives model.created/updated/deleted/published from each change); every other feature raises
/// its events here with one call, e.g.
/// <code>await events.RaiseAsync(HubEvent.Create(WebhookEventTypes.VersionReady, subject, model, owner, actor, data, now), ct);</code>
/// Raising never fails the caller: a listener's failure is logged (the change already committed).
/// </summary>
public sealed partial class HubEvents(IEnumerable<IHubEventListener> listeners, ILogger<HubEvents> logger)
{
    private readonly IHubEventListener[] _listeners = listeners.ToArray();

    public async Task RaiseAsync(HubEvent hubEvent, CancellationToken cancellationToken)
    {
        foreach (var listener in _listeners)
        {
            try
            {
                await listener.OnEventAsync(hubEvent, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                LogListenerFailed(logger, ex, listener.GetType().Name, hubEvent.Type, hubEvent.Subject);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Event listener {Listener} failed for {Type} {Subject}")]
    private static partial void LogListenerFailed(ILogger logger, Exception exception, string listener, string type, string subject);
}
