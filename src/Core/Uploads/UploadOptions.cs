using Microsoft.Extensions.Options;
using ModelsHub.Core.Storage;

namespace ModelsHub.Core.Uploads;

/// <summary>Upload settings (section <c>Uploads</c>).</summary>
public sealed class UploadOptions
{
    public const string Section = "Uploads";

    public const long MiB = 1024 * 1024;

    /// <summary>Blob Storage's largest block.</summary>
    public const long MaxBlockBytes = 4000 * MiB;

    /// <summary>The chunk size a file gets unless it needs larger ones to fit in 50,000 chunks.</summary>
    public long ChunkSizeBytes { get; set; } = 5 * MiB;

    /// <summary>The largest file one upload may declare.</summary>
    public long MaxFileBytes { get; set; } = 100L * 1024 * MiB;

    /// <summary>How long a session may stay unfinished (uncommitted blocks live 7 days in Blob Storage too).</summary>
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How long an upload target (SAS or hub URL) stays valid; reading the session issues a fresh one.</summary>
    public TimeSpan TargetLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long a download link (read SAS) stays valid.</summary>
    public TimeSpan DownloadLinkLifetime { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How long <c>complete</c> waits for the hash before answering 202 and finishing in the background.</summary>
    public TimeSpan CompleteWait { get; set; } = TimeSpan.FromSeconds(100);

    /// <summary>How old an unreferenced blob must be before the sweeper deletes it (an upload may be publishing it).</summary>
    public TimeSpan OrphanGracePeriod { get; set; } = TimeSpan.FromHours(1);
}

public sealed class UploadOptionsValidator : IValidateOptions<UploadOptions>
{
    public ValidateOptionsResult Validate(string? name, UploadOptions options)
    {
        var failures = new List<string>();
        var s = UploadOptions.Section;
        if (options.ChunkSizeBytes is < 256 * 1024 or > UploadOptions.MaxBlockBytes)
        {
            failures.Add($"{s}:ChunkSizeBytes must be between 262144 and {UploadOptions.MaxBlockBytes} (it is {options.ChunkSizeBytes}).");
        }
        if (options.MaxFileBytes < 1 || options.MaxFileBytes > BlockIds.MaxChunks * UploadOptions.MaxBlockBytes)
        {
            failures.Add($"{s}:MaxFileBytes must be between 1 and {BlockIds.MaxChunks * UploadOptions.MaxBlockBytes} (it is {options.MaxFileBytes}).");
        }
        if (options.SessionLifetime <= TimeSpan.Zero)
        {
            failures.Add($"{s}:SessionLifetime must be positive (e.g. 7.00:00:00).");
        }
        if (options.TargetLifetime <= TimeSpan.Zero || options.TargetLifetime > options.SessionLifetime)
        {
            failures.Add($"{s}:TargetLifetime must be positive and at most {s}:SessionLifetime.");
        }
        if (options.DownloadLinkLifetime <= TimeSpan.Zero)
        {
            failures.Add($"{s}:DownloadLinkLifetime must be positive.");
        }
        if (options.CompleteWait < TimeSpan.Zero)
        {
            failures.Add($"{s}:CompleteWait must not be negative.");
        }
        if (options.OrphanGracePeriod < TimeSpan.Zero)
        {
            failures.Add($"{s}:OrphanGracePeriod must not be negative.");
        }
        return failures.Count > 0 ? ValidateOptionsResult.Fail(failures) : ValidateOptionsResult.Success;
    }
}
