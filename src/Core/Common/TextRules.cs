namespace ModelsHub.Core.Common;

/// <summary>What free text (descriptions, READMEs, notes, feedback) may hold.</summary>
public static class TextRules
{
    public const string ControlCharactersMessage = "Must not contain control characters (NUL, escape, ...); tabs and line breaks are fine.";

    /// <summary>
    /// True when the text holds a control character other than tab, line feed or carriage return: a NUL
    /// truncates the text in C-based readers and tools, and terminal escapes rewrite what a reader sees.
    /// </summary>
    public static bool HasControlCharacters(string text)
    {
        foreach (var c in text)
        {
            if (char.IsControl(c) && c is not ('\t' or '\n' or '\r'))
            {
                return true;
            }
        }
        return false;
    }
}
