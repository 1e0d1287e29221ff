using System.Globalization;
using System.Numerics;
using System.Text.RegularExpressions;

namespace ModelsHub.Core.Versions;

/// <summary>
/// Suggests the next label from the existing ones (seed 003 "智能版本建议"): the highest numbered
/// label's last number goes up by one and any suffix is dropped — v1 → v2, v2.1 → v2.2,
/// v3_medical → v4, v01 → v02 — and a model without versions starts at v1.
/// </summary>
public static partial class VersionLabels
{
    [GeneratedRegex(@"^(?<prefix>[A-Za-z]*)(?<numbers>[0-9]+(?:\.[0-9]+)*)(?<suffix>.*)$")]
    private static partial Regex NumberedPattern();

    public static string Suggest(IEnumerable<string> existing)
    {
        var labels = existing.ToList();
        var taken = new HashSet<string>(labels, StringComparer.OrdinalIgnoreCase);
        Numbered? best = null;
        foreach (var label in labels)
        {
            if (Parse(label) is { } numbered && (best is null || Compare(numbered.Numbers, best.Numbers) >= 0))
            {
                best = numbered;
            }
        }
        var next = best ?? new Numbered("v", [new BigInteger(labels.Count)], [1]);
        do
        {
            next = next.Increment();
        }
        while (taken.Contains(next.ToString()));
        var suggestion = next.ToString();
        return VersionRules.IsValidLabel(suggestion) ? suggestion : Fallback(taken);
    }

    private static string Fallback(HashSet<string> taken)
    {
        var n = taken.Count + 1;
        while (taken.Contains($"v{n}")) n++;
        return $"v{n}";
    }

    private static Numbered? Parse(string label)
    {
        var match = NumberedPattern().Match(label);
        if (!match.Success) return null;
        var parts = match.Groups["numbers"].Value.Split('.');
        return new Numbered(match.Groups["prefix"].Value,
            parts.Select(p => BigInteger.Parse(p, CultureInfo.InvariantCulture)).ToArray(),
            parts.Select(p => p.Length).ToArray());
    }

    /// <summary>Component by component; a longer list that agrees on the common part is the higher (2 &lt; 2.1).</summary>
    private static int Compare(BigInteger[] a, BigInteger[] b)
    {
        for (var i = 0; i < Math.Min(a.Length, b.Length); i++)
        {
            var c = a[i].CompareTo(b[i]);
            if (c != 0) return c;
        }
        return a.Length.CompareTo(b.Length);
    }

    private sealed record Numbered(string Prefix, BigInteger[] Numbers, int[] Widths)
    {
        public Numbered Increment()
        {
            var numbers = Numbers.ToArray();
            numbers[^1] += 1;
            return this with { Numbers = numbers };
        }

        // Keeps zero padding (v01 → v02) so labels still sort as text.
        public override string ToString() =>
            Prefix + string.Join('.', Numbers.Select((n, i) => n.ToString(CultureInfo.InvariantCulture).PadLeft(Widths[i], '0')));
    }
}
