using Microsoft.Extensions.Options;
using ModelsHub.Core.Usage;

namespace ModelsHub.Functions.Usage;

/// <summary>Writes buffered usage every <see cref="UsageOptions.FlushInterval"/>, and what is left when the server stops.</summary>
public sealed partial class UsageFlushService(UsageRecorder recorder, IOptions<UsageOptions> options, TimeProvider clock, ILogger<UsageFlushService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.FlushInterval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await FlushAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await FlushAsync(cancellationToken);
    }

    private async Task FlushAsync(CancellationToken cancellationToken)
    {
        try
        {
            await recorder.FlushAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The recorder kept the batch; the next tick tries again.
            LogFlushFailed(logger, ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Usage flush failed; retrying at the next interval")]
    private static partial void LogFlushFailed(ILogger logger, Exception exception);
}
