using Microsoft.Extensions.Logging;
using ModelsHub.Contracts.Models;
using ModelsHub.Core.Events;

namespace ModelsHub.Core.Catalog;

/// <summary>A model was created (Before null), changed, or deleted (After null); <paramref name="Actor"/> is who did it, when known.</summary>
public sealed record ModelChange(string Name, HubModel? Before, HubModel? After, string? Actor = null)
{
    public IEnumerable<ModelType> Types => new[] { Before?.Type, After?.Type }.OfType<ModelType>().Distinct();
}

/// <summary>
/// Reacts to model changes (cascade deletes, rebuilding derived documents, ...). Called after
/// the write committed; must be idempotent, and should hand slow or failure-prone work to the
/// work queue rather than do it inline.
/// </summary>
public interface IModelChangeListener
{
    Task OnModelChangedAsync(ModelChange change, CancellationToken cancellationToken);
}

/// <summary>
/// Tells every listener about a committed model write, then raises what the write means to subscribers
/// (model.created/updated/deleted/published) through <see cref="HubEvents"/>, the hub's one event
/// mechanism. Every writer of models calls it.
/// </summary>
public sealed partial class ModelChangeNotifier(IEnumerable<IModelChangeListener> listeners, HubEvents events, TimeProvider clock, ILogger<ModelChangeNotifier> logger)
{
    private readonly IModelChangeListener[] _listeners = listeners.ToArray();

    public async Task NotifyAsync(ModelChange change, CancellationToken cancellationToken)
    {
        foreach (var listener in _listeners)
        {
            try
            {
                await listener.OnModelChangedAsync(change, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The write already committed; a listener's own recovery (sweepers, retries) repairs what it missed.
                LogListenerFailed(logger, ex, listener.GetType().Name, change.Name);
            }
        }
        foreach (var hubEvent in EventPayloads.ForModelChange(change, clock.GetUtcNow()))
        {
            await events.RaiseAsync(hubEvent, cancellationToken);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Model change listener {Listener} failed for {Model}")]
    private static partial void LogListenerFailed(ILogger logger, Exception exception, string listener, string model);
}
