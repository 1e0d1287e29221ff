using System.Text.RegularExpressions;
using ModelsHub.Core.Assets;
using ModelsHub.Core.Common;

namespace ModelsHub.Core.Versions;

/// <summary>What makes a version valid, whoever writes it.</summary>
public static partial class VersionRules
{
    public const int MaxLabelLength = 64;
    public const int MaxNotesLength = 4_000;
    public const int MaxMetrics = 50;
    public const int MaxMetricNameLength = 64;
    public const int MaxVersionsPerAsset = 1_000;

    /// <summary>Labels that would collide with routes under <c>/versions/</c>.</summary>
    public static IReadOnlySet<string> ReservedLabels { get; } = new HashSet<string>(["suggestion"], StringComparer.OrdinalIgnoreCase);

    // A label is a folder of the blob layout: letters, digits, '.', '_' and '-', starting with a letter or digit.
    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]*$")]
    private static partial Regex LabelPattern();

    public static bool IsValidLabel(string? label) =>
        label is { Length: > 0 and <= MaxLabelLength } && LabelPattern().IsMatch(label) && !ReservedLabels.Contains(label);

    public static void ValidateLabel(string? label, ValidationErrors errors, string field = "label")
    {
        if (string.IsNullOrEmpty(label))
        {
            errors.Add(field, "Must not be empty; leave it out to get the suggested label.");
        }
        else if (label.Length > MaxLabelLength)
        {
            errors.Add(field, $"Must be at most {MaxLabelLength} characters.");
        }
        else if (!LabelPattern().IsMatch(label))
        {
            errors.Add(field, "May contain only letters, digits, '.', '_' and '-', starting with a letter or digit (e.g. v2, v2.1, v3_medical).");
        }
        else if (ReservedLabels.Contains(label))
        {
            errors.Add(field, $"'{label}' is reserved; choose another label.");
        }
    }

    public static void ValidateNotes(string notes, ValidationErrors errors)
    {
        if (notes.Length > MaxNotesLength)
        {
            errors.Add("notes", $"Must be at most {MaxNotesLength} characters.");
        }
        else if (TextRules.HasControlCharacters(notes))
        {
            errors.Add("notes", TextRules.ControlCharactersMessage);
        }
    }

    public static void ValidateMetrics(IReadOnlyDictionary<string, double> metrics, ValidationErrors errors)
    {
        if (metrics.Count > MaxMetrics)
        {
            errors.Add("metrics", $"At most {MaxMetrics} metrics.");
        }
        foreach (var (name, value) in metrics)
        {
            if (name.Length is 0 or > MaxMetricNameLength || name.Any(char.IsControl) || name.Trim().Length != name.Length)
            {
                errors.Add($"metrics.{name}", $"A metric's name must be 1 to {MaxMetricNameLength} printable characters without surrounding spaces.");
            }
            else if (!double.IsFinite(value))
            {
                errors.Add($"metrics.{name}", "Must be a finite number.");
            }
        }
    }

    public static string LastVersionMessage(AssetRef asset, string label) =>
        $"Version '{label}' is the last version of {asset.Kind.Noun()} '{asset.Name}' and cannot be deleted; add another version first, or delete the {asset.Kind.Noun()} (which deletes all its versions).";
}
