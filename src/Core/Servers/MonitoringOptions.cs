namespace ModelsHub.Core.Servers;

/// <summary>Settings of the inference-server monitor and its series (section <c>Monitoring</c>).</summary>
public sealed class MonitoringOptions
{
    public const string Section = "Monitoring";

    /// <summary>The <c>ServerMonitor</c> timer's six-field NCRONTAB schedule: every minute.</summary>
    public string Schedule { get; set; } = "0 * * * * *";

    /// <summary>The series' resolution: one sample per server per interval (a second poll in the interval replaces it).</summary>
    public TimeSpan Resolution { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long samples are kept.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Servers polled at once.</summary>
    public int Concurrency { get; set; } = 16;

    /// <summary>How long one poll may take before the server counts as unreachable for that round.</summary>
    public TimeSpan PollTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
