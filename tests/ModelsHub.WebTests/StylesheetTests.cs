using System.Text;
using System.Text.RegularExpressions;

namespace ModelsHub.WebTests;

/// <summary>
/// The app's stylesheet is plain CSS that no compiler reads before the browser does: a rule left open (a merge that
/// kept both sides of a conflict cut inside a rule, say) makes every rule after it a nested rule of that one, which
/// Chromium accepts silently and applies to nothing. Braces must balance, and style rules sit only at the top level
/// or inside at-rules (@media, @keyframes, @supports).
/// </summary>
public sealed partial class StylesheetTests
{
    [Fact]
    public void EveryStyleRuleIsClosedAndNoneIsNestedInAnother()
    {
        var path = Path.Combine(TextsTests.RepositoryRoot(), "src", "Web", "wwwroot", "css", "app.css");
        var css = Comment().Replace(File.ReadAllText(path), "");
        var open = new Stack<string>();
        var prelude = new StringBuilder();
        var nested = new List<string>();
        foreach (var c in css)
        {
            switch (c)
            {
                case '{':
                    var selector = prelude.ToString().Split(';')[^1].Trim();
                    if (open.TryPeek(out var parent) && !parent.StartsWith('@'))
                    {
                        nested.Add($"'{selector}' inside '{parent}'");
                    }
                    open.Push(selector);
                    prelude.Clear();
                    break;
                case '}':
                    Assert.True(open.Count > 0, "a '}' closes nothing");
                    open.Pop();
                    prelude.Clear();
                    break;
                default:
                    prelude.Append(c);
                    break;
            }
        }
        Assert.Empty(nested);
        Assert.True(open.Count == 0, $"left open: {string.Join(", ", open)}");
    }

    [GeneratedRegex(@"/\*.*?\*/", RegexOptions.Singleline)]
    private static partial Regex Comment();
}
