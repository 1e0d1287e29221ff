namespace ModelsHub.Core.Webhooks;

/// <summary>How webhooks are sent (section <c>Webhooks</c>).</summary>
public sealed class WebhookOptions
{
    public const string Section = "Webhooks";

    /// <summary>Allow targets on loopback, link-local and private addresses (SSRF protection off): tests and closed networks only.</summary>
    public bool AllowPrivateTargets { get; set; }

    /// <summary>Allow <c>http://</c> targets; unset: only in the Development environment.</summary>
    public bool? AllowHttp { get; set; }

    /// <summary>Tries of one delivery before it fails.</summary>
    public int MaxAttempts { get; set; } = 8;

    /// <summary>Wait after the first failed try; it doubles up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long one try waits for the receiver's answer.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Deliveries failing for good in a row after which the webhook is turned off, with the reason.</summary>
    public int DisableAfterFailures { get; set; } = 10;
}
