using Cronos;
using Microsoft.Extensions.Options;

namespace ModelsHub.Functions.Triggers;

/// <summary>Where triggers come from when the Functions host is not there (section <c>Triggers</c>).</summary>
public sealed class TriggerOptions
{
    public const string Section = "Triggers";

    /// <summary>Run timers (and queue dispatch) in-process. Defaults to on unless the Functions host launched the server.</summary>
    public bool? InProcess { get; set; }

    public bool RunsInProcess => InProcess ?? string.IsNullOrEmpty(Environment.GetEnvironmentVariable(Hosting.HostingExtensions.CustomHandlerPortVariable));
}

/// <summary>The in-process stand-in for the host's timer triggers: runs each job on its NCRONTAB schedule.</summary>
public sealed partial class ScheduledJobsService(IEnumerable<IScheduledJob> jobs, IConfiguration configuration, IOptions<TriggerOptions> options,
    TimeProvider clock, ILogger<ScheduledJobsService> logger) : BackgroundService
{
    /// <summary>
    /// The longest single wait. Task.Delay refuses anything over about 49.7 days, and a yearly schedule waits
    /// longer than that for most of the year; waiting in slices and looking again keeps every schedule valid.
    /// </summary>
    public static readonly TimeSpan LongestWait = TimeSpan.FromDays(1);

    public static CronExpression Parse(IScheduledJob job, IConfiguration configuration)
    {
        var text = configuration[job.ScheduleSetting] ?? job.DefaultSchedule;
        try
        {
            return CronExpression.Parse(text, CronFormat.IncludeSeconds);
        }
        catch (CronFormatException ex)
        {
            throw new OptionsValidationException(job.ScheduleSetting, typeof(string),
                [$"{job.ScheduleSetting} is '{text}', not a six-field NCRONTAB schedule (second minute hour day month weekday): {ex.Message}"]);
        }
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var all = jobs.ToList();
        var schedules = all.Select(j => (Job: j, Cron: Parse(j, configuration))).ToList();
        if (!options.Value.RunsInProcess || schedules.Count == 0)
        {
            return Task.CompletedTask;
        }
        return Task.WhenAll(schedules.Select(s => RunOnScheduleAsync(s.Job, s.Cron, stoppingToken)));
    }

    private async Task RunOnScheduleAsync(IScheduledJob job, CronExpression cron, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var now = clock.GetUtcNow();
            var next = cron.GetNextOccurrence(now, TimeZoneInfo.Utc);
            if (next is null) return;
            try
            {
                var wait = next.Value - now;
                if (wait > LongestWait)
                {
                    await Task.Delay(LongestWait, clock, stoppingToken);
                    continue;
                }
                await Task.Delay(wait, clock, stoppingToken);
                await job.RunAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogJobFailed(logger, ex, job.Name);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Scheduled job {Job} failed; it runs again at its next occurrence")]
    private static partial void LogJobFailed(ILogger logger, Exception exception, string job);
}

public static class TriggerExtensions
{
    public static IServiceCollection AddHubTriggers(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<TriggerOptions>().Bind(configuration.GetSection(TriggerOptions.Section));
        services.AddHostedService<ScheduledJobsService>();
        return services;
    }
}
