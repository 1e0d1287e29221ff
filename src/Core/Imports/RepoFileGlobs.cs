namespace ModelsHub.Core.Imports;

/// <summary>
/// File selection by glob, as Hugging Face's own tools select files (<c>allow_patterns</c> /
/// <c>ignore_patterns</c>: Python's <c>fnmatch</c>). <c>*</c> matches any run of characters, slashes
/// included (<c>*.json</c> also selects <c>onnx/config.json</c>); <c>?</c> one character;
/// <c>[abc]</c>, <c>[a-z]</c> and <c>[!abc]</c> one character of (or not of) a set; a pattern ending in
/// <c>/</c> selects everything under that folder. Matching is case-sensitive, as file names on the Hub are.
/// </summary>
public static class RepoFileGlobs
{
    public const int MaxPatterns = 100;
    public const int MaxPatternLength = 500;

    /// <summary>Null when the pattern is one the matcher understands, else why not.</summary>
    public static string? ProblemWith(string? pattern)
    {
        if (string.IsNullOrEmpty(pattern)) return "Must not be empty; '*' selects every file.";
        if (pattern.Length > MaxPatternLength) return $"Must be at most {MaxPatternLength} characters.";
        if (pattern.Any(char.IsControl)) return "Must not contain control characters.";
        for (var i = 0; i < pattern.Length; i++)
        {
            if (pattern[i] == '[' && ClassEnd(pattern, i) < 0)
            {
                return $"Has a '[' at {i} without its closing ']'.";
            }
        }
        return null;
    }

    public static bool IsMatch(string pattern, string path)
    {
        if (pattern.EndsWith('/'))
        {
            pattern += "*";
        }
        return Match(pattern, 0, path, 0);
    }

    /// <summary>Whether <paramref name="path"/> is selected: by one of <paramref name="include"/> (all when empty) and by none of <paramref name="exclude"/>.</summary>
    public static bool Selects(IReadOnlyList<string> include, IReadOnlyList<string> exclude, string path) =>
        (include.Count == 0 || include.Any(p => IsMatch(p, path))) && !exclude.Any(p => IsMatch(p, path));

    // Iterative wildcard matching with one backtrack point for the last '*' (linear in practice, never exponential).
    private static bool Match(string pattern, int p, string text, int t)
    {
        int starP = -1, starT = -1;
        while (t < text.Length)
        {
            if (p < pattern.Length && pattern[p] == '*')
            {
                starP = p++;
                starT = t;
                continue;
            }
            if (p < pattern.Length && MatchOne(pattern, ref p, text[t]))
            {
                t++;
                continue;
            }
            if (starP < 0)
            {
                return false;
            }
            p = starP + 1;
            t = ++starT;
        }
        while (p < pattern.Length && pattern[p] == '*') p++;
        return p == pattern.Length;
    }

    /// <summary>Whether the pattern element at <paramref name="p"/> matches <paramref name="c"/>; advances past it when it does.</summary>
    private static bool MatchOne(string pattern, ref int p, char c)
    {
        switch (pattern[p])
        {
            case '?':
                p++;
                return true;
            case '[':
                var end = ClassEnd(pattern, p);
                if (end < 0)
                {
                    // A '[' without its ']' is a literal, as in fnmatch.
                    if (c != '[') return false;
                    p++;
                    return true;
                }
                var i = p + 1;
                var negate = i < end && pattern[i] == '!';
                if (negate) i++;
                var found = false;
                for (; i < end; i++)
                {
                    if (i + 2 < end && pattern[i + 1] == '-')
                    {
                        found |= c >= pattern[i] && c <= pattern[i + 2];
                        i += 2;
                    }
                    else
                    {
                        found |= c == pattern[i];
                    }
                }
                if (found == negate) return false;
                p = end + 1;
                return true;
            default:
                if (pattern[p] != c) return false;
                p++;
                return true;
        }
    }

    /// <summary>The index of the ']' closing the class that opens at <paramref name="open"/>, or -1 (a ']' first in the class is literal).</summary>
    private static int ClassEnd(string pattern, int open)
    {
        var i = open + 1;
        if (i < pattern.Length && pattern[i] == '!') i++;
        if (i < pattern.Length && pattern[i] == ']') i++;
        for (; i < pattern.Length; i++)
        {
            if (pattern[i] == ']') return i;
        }
        return -1;
    }
}
