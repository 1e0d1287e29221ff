using System.Threading.Channels;
using ModelsHub.Contracts;
using ModelsHub.Core.Common;
using ModelsHub.Core.Storage;
using ModelsHub.Core.Uploads;

namespace ModelsHub.Functions.Uploads;

/// <summary>
/// The embedded profile's stand-in for Event Grid: a store that raises no events of its own
/// reports each committed blob here, and it reaches the same handler as the BlobCreated function,
/// after the commit's response, as a real event would.
/// </summary>
public sealed partial class InProcessBlobEvents(IServiceProvider services, ILogger<InProcessBlobEvents> logger) : BackgroundService, IBlobEventPublisher
{
    private readonly Channel<BlobCreated> _events = Channel.CreateUnbounded<BlobCreated>(new UnboundedChannelOptions { SingleReader = true });

    public ValueTask PublishAsync(BlobCreated blobCreated, CancellationToken cancellationToken) => _events.Writer.WriteAsync(blobCreated, cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await Parallel.ForEachAsync(_events.Reader.ReadAllAsync(stoppingToken), new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = stoppingToken },
                async (blobCreated, cancellationToken) =>
                {
                    try
                    {
                        // Resolved here, not injected: the blob store that publishes events is one of the upload
                        // service's own dependencies, and resolving it at start would slow the start down.
                        var uploads = services.GetRequiredService<UploadService>();
                        var outcome = await uploads.HandleBlobCreatedAsync(blobCreated, cancellationToken);
                        LogHandled(logger, blobCreated.Key, EnumNames<BlobEventOutcome>.NameOf(outcome));
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        // Like an event whose delivery failed: the client's complete call or the sweeper still finishes the upload.
                        LogFailed(logger, ex, blobCreated.Key);
                    }
                });
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: an event not handled yet is completed by the client's complete call or the sweeper.
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "In-process BlobCreated for {Key}: {Outcome}")]
    private static partial void LogHandled(ILogger logger, string key, string outcome);

    [LoggerMessage(Level = LogLevel.Error, Message = "In-process BlobCreated for {Key} failed")]
    private static partial void LogFailed(ILogger logger, Exception exception, string key);
}
