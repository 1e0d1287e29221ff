using Microsoft.Extensions.Options;

namespace ModelsHub.Core.Uploads;

/// <summary>
/// Per-user storage quotas (section <c>Quotas</c>), counted across every asset a user uploads to (models,
/// datasets): bytes declared in unfinished uploads, and bytes of verified files stored. Administrators are
/// exempt; <see cref="Users"/> raises (or lowers) either limit for one user id.
/// </summary>
public sealed class QuotaOptions
{
    public const string Section = "Quotas";

    /// <summary>Bytes a user may hold in unfinished uploads at once (declared sizes; an upload lives up to 7 days).</summary>
    public long OpenUploadBytesPerUser { get; set; } = 100L * 1024 * UploadOptions.MiB;

    /// <summary>Bytes of verified files a user may keep stored (what they uploaded, wherever it went).</summary>
    public long StoredBytesPerUser { get; set; } = 500L * 1024 * UploadOptions.MiB;

    /// <summary>Limits for single users, by user id: <c>Quotas:Users:{id}:OpenUploadBytes</c>, <c>…:StoredBytes</c>.</summary>
    public Dictionary<string, UserQuota> Users { get; set; } = new(StringComparer.Ordinal);

    public long OpenUploadLimitFor(string userId) =>
        Users.TryGetValue(userId, out var user) && user.OpenUploadBytes is { } limit ? limit : OpenUploadBytesPerUser;

    public long StoredLimitFor(string userId) =>
        Users.TryGetValue(userId, out var user) && user.StoredBytes is { } limit ? limit : StoredBytesPerUser;
}

/// <summary>One user's own limits; an unset one is the default.</summary>
public sealed class UserQuota
{
    public long? OpenUploadBytes { get; set; }

    public long? StoredBytes { get; set; }
}

/// <summary>Validates the quotas; <paramref name="userKeys"/> are the keys set under each <c>Quotas:Users:{id}</c>, so a misspelt one is refused too.</summary>
public sealed class QuotaOptionsValidator(Func<IReadOnlyDictionary<string, IReadOnlyList<string>>> userKeys) : IValidateOptions<QuotaOptions>
{
    private static readonly string[] UserSettings = [nameof(UserQuota.OpenUploadBytes), nameof(UserQuota.StoredBytes)];

    public ValidateOptionsResult Validate(string? name, QuotaOptions options)
    {
        var s = QuotaOptions.Section;
        var failures = new List<string>();
        if (options.OpenUploadBytesPerUser < 1)
        {
            failures.Add($"{s}:OpenUploadBytesPerUser must be at least 1 (it is {options.OpenUploadBytesPerUser}).");
        }
        if (options.StoredBytesPerUser < 1)
        {
            failures.Add($"{s}:StoredBytesPerUser must be at least 1 (it is {options.StoredBytesPerUser}).");
        }
        foreach (var (user, quota) in options.Users)
        {
            if (quota.OpenUploadBytes is < 1)
            {
                failures.Add($"{s}:Users:{user}:OpenUploadBytes must be at least 1 (it is {quota.OpenUploadBytes}).");
            }
            if (quota.StoredBytes is < 1)
            {
                failures.Add($"{s}:Users:{user}:StoredBytes must be at least 1 (it is {quota.StoredBytes}).");
            }
        }
        foreach (var (user, keys) in userKeys())
        {
            foreach (var key in keys.Where(k => !UserSettings.Contains(k, StringComparer.OrdinalIgnoreCase)))
            {
                failures.Add($"{s}:Users:{user}:{key} is not a quota setting; expected {string.Join(" or ", UserSettings)}.");
            }
        }
        return failures.Count > 0 ? ValidateOptionsResult.Fail(failures) : ValidateOptionsResult.Success;
    }
}
