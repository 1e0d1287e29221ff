using System.Globalization;
using ModelsHub.Web.Services.Localization;

namespace ModelsHub.Web.Components.UI;

/// <summary>Sizes, times and durations as people read them.</summary>
public static class Formats
{
    private static readonly string[] Units = ["B", "KB", "MB", "GB", "TB"];

    public static string Bytes(double bytes)
    {
        var unit = 0;
        while (bytes >= 1024 && unit < Units.Length - 1)
        {
            bytes /= 1024;
            unit++;
        }
        return unit == 0 ? $"{bytes:0} B" : string.Format(CultureInfo.InvariantCulture, "{0:0.#} {1}", bytes, Units[unit]);
    }

    /// <summary>A date and time in the browser's time zone, in one unambiguous format for every language.</summary>
    /// <summary>A count with thousands separators; "—" when unknown.</summary>
    public static string Count(long? n) => n is { } v ? v.ToString("N0", CultureInfo.InvariantCulture) : "—";

    /// <summary>A share (0..1) as a percentage; "—" when there is nothing to share.</summary>
    public static string Percent(double? share) => share is { } v ? (v * 100).ToString("0.#", CultureInfo.InvariantCulture) + " %" : "—";

    /// <summary>A value already in percent (0..100), to one decimal; "—" when unknown.</summary>
    public static string Share(double? percent) => percent is { } v ? v.ToString("0.#", CultureInfo.InvariantCulture) + " %" : "—";

    /// <summary>Milliseconds, rounded; "—" when unknown.</summary>
    public static string Milliseconds(double? ms) => ms is { } v ? v.ToString(v < 10 ? "0.#" : "N0", CultureInfo.InvariantCulture) + " ms" : "—";

    public static string When(DateTimeOffset? at) => at is { } value ? value.ToLocalTime().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) : "—";

    public static string Duration(TimeSpan span) => span.TotalSeconds < 60
        ? $"{Math.Max(0, Math.Ceiling(span.TotalSeconds)):0} s"
        : span.TotalMinutes < 60 ? $"{(int)span.TotalMinutes} min {span.Seconds:00} s" : $"{(int)span.TotalHours} h {span.Minutes:00} min";

    /// <summary>"3 hours ago" in the current language.</summary>
    public static string Ago(Loc l, DateTimeOffset at, DateTimeOffset now)
    {
        var span = now - at;
        return span.TotalMinutes < 1 ? l["time.justNow"]
            : span.TotalHours < 1 ? l["time.minutesAgo", (int)span.TotalMinutes]
            : span.TotalDays < 1 ? l["time.hoursAgo", (int)span.TotalHours]
            : l["time.daysAgo", (int)span.TotalDays];
    }

    public static string ShortSha(string? sha) => string.IsNullOrEmpty(sha) ? "—" : sha.Length > 12 ? sha[..12] + "…" : sha;
}
