using Microsoft.Extensions.Options;
using ModelsHub.Core.Common;
using ModelsHub.Core.Identity;
using ModelsHub.Core.Versions;

namespace ModelsHub.Core.Uploads;

/// <summary>One quota as a user sees it; <see cref="Limit"/> and <see cref="Remaining"/> are null for an exempt user.</summary>
public sealed record QuotaUsage(string Quota, long? Limit, long Used, long? Remaining);

/// <summary>A user's quotas and what they use.</summary>
public sealed record UserQuotas(bool Exempt, QuotaUsage OpenUploadBytes, QuotaUsage StoredBytes);

/// <summary>
/// A declaration does not fit in a quota: <see cref="Exhausted"/> (nothing left at all, 403) or too large
/// for what is left (413). Says which quota and how much is left.
/// </summary>
public sealed class QuotaExceededException(QuotaUsage usage, long requested, string message) : HubException(message)
{
    public QuotaUsage Usage { get; } = usage;

    public long Requested { get; } = requested;

    public bool Exhausted => Usage.Remaining is <= 0;
}

/// <summary>
/// Per-user quotas of the upload machinery, counted per user across every asset (a dataset's upload counts
/// like a model's): bytes in unfinished uploads (their declared sizes) and bytes of verified files stored
/// (by who uploaded them). Judged when an upload is declared, so a declaration that does not fit leaves
/// nothing behind. Two declarations at the same instant may both fit: the limits are meant against
/// exhaustion, not to the byte.
/// </summary>
public sealed class UploadQuotas(IUploadSessionStore sessions, IVersionStore versions, IOptions<QuotaOptions> options, TimeProvider clock)
{
    public const string OpenUploadBytes = "openUploadBytes";
    public const string StoredBytes = "storedBytes";

    public async Task<UserQuotas> GetAsync(Caller caller, CancellationToken cancellationToken)
    {
        var user = caller.UserId ?? throw new AuthenticationRequiredException();
        var open = await OpenBytesAsync(user, null, cancellationToken);
        var stored = await versions.GetStoredBytesAsync(user, cancellationToken);
        return caller.IsAdmin
            ? new UserQuotas(true, new QuotaUsage(OpenUploadBytes, null, open, null), new QuotaUsage(StoredBytes, null, stored, null))
            : new UserQuotas(false, Usage(OpenUploadBytes, options.Value.OpenUploadLimitFor(user), open), Usage(StoredBytes, options.Value.StoredLimitFor(user), stored));
    }

    /// <summary>
    /// Throws <see cref="QuotaExceededException"/> unless <paramref name="declared"/> fits in the caller's quotas.
    /// Declaring again a file whose upload is still open (a client resuming) is not counted twice.
    /// </summary>
    public async Task EnsureRoomAsync(Caller caller, UploadSession declared, CancellationToken cancellationToken)
    {
        if (caller.IsAdmin)
        {
            return;
        }
        var user = caller.UserId ?? throw new AuthenticationRequiredException();
        var open = await OpenBytesAsync(user, declared.BlobKey, cancellationToken);
        if (open < 0)
        {
            return;
        }
        Check(Usage(OpenUploadBytes, options.Value.OpenUploadLimitFor(user), open), declared.Size, "in unfinished uploads");
        Check(Usage(StoredBytes, options.Value.StoredLimitFor(user), await versions.GetStoredBytesAsync(user, cancellationToken) + open), declared.Size,
            "stored and in unfinished uploads");
    }

    private static QuotaUsage Usage(string quota, long limit, long used) => new(quota, limit, used, Math.Max(0, limit - used));

    private static void Check(QuotaUsage usage, long requested, string what)
    {
        if (requested <= usage.Remaining)
        {
            return;
        }
        throw new QuotaExceededException(usage, requested, usage.Remaining is <= 0
            ? $"Your {usage.Quota} quota is used up: {usage.Used} of {usage.Limit} bytes {what}. Finish or abort unfinished uploads, or delete files you no longer need."
            : $"A file of {requested} bytes does not fit in your {usage.Quota} quota: {usage.Remaining} of {usage.Limit} bytes are left ({usage.Used} {what}).");
    }

    /// <summary>Declared bytes of the user's unfinished, unexpired uploads; -1 when one of them is the same file (<paramref name="resuming"/>).</summary>
    private async Task<long> OpenBytesAsync(string user, string? resuming, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        long total = 0;
        foreach (var session in await sessions.ListActiveByUserAsync(user, cancellationToken))
        {
            if (session.IsExpiredAt(now))
            {
                continue;
            }
            if (resuming is not null && string.Equals(session.BlobKey, resuming, StringComparison.OrdinalIgnoreCase))
            {
                return -1;
            }
            total += session.Size;
        }
        return total;
    }
}
