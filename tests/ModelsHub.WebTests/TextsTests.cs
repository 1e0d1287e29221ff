using System.Text.RegularExpressions;
using ModelsHub.Web.Services.Localization;

namespace ModelsHub.WebTests;

public sealed partial class TextsTests
{
    [Fact]
    public void EveryLanguageHasEveryTextAndTheSameHoles()
    {
        var english = Loc.Table(Loc.English);
        foreach (var language in Loc.Languages.Where(l => l.Code != Loc.English))
        {
            var table = Loc.Table(language.Code);
            Assert.Empty(english.Keys.Except(table.Keys));
            Assert.Empty(table.Keys.Except(english.Keys));
            foreach (var (key, text) in english)
            {
                Assert.True(Holes(text).SetEquals(Holes(table[key])), $"{language.Code} '{key}' has other holes than English: '{table[key]}'");
            }
        }
    }

    [Fact]
    public void EveryTextTheAppAsksForExists()
    {
        var web = Path.Combine(RepositoryRoot(), "src", "Web");
        var used = Directory.EnumerateFiles(web, "*.*", SearchOption.AllDirectories)
            .Where(f => (f.EndsWith(".razor", StringComparison.Ordinal) || f.EndsWith(".cs", StringComparison.Ordinal)) && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}"))
            .SelectMany(f => TextKey().Matches(File.ReadAllText(f)).Select(m => m.Groups[1].Value))
            .Where(k => !k.EndsWith('.'))
            .ToHashSet();
        Assert.NotEmpty(used);
        Assert.Empty(used.Except(Loc.Table(Loc.English).Keys).Order());
    }

    [Theory]
    [InlineData(new[] { "zh-TW", "en" }, Loc.TraditionalChinese)]
    [InlineData(new[] { "zh-HK" }, Loc.TraditionalChinese)]
    [InlineData(new[] { "zh-Hant-TW" }, Loc.TraditionalChinese)]
    [InlineData(new[] { "zh-CN" }, Loc.SimplifiedChinese)]
    [InlineData(new[] { "zh" }, Loc.SimplifiedChinese)]
    [InlineData(new[] { "fr-FR", "en-GB" }, Loc.English)]
    [InlineData(new string[0], Loc.English)]
    public void TheFirstVisitFollowsTheBrowsersLanguages(string[] preferred, string expected) => Assert.Equal(expected, Loc.Pick(preferred));

    private static HashSet<string> Holes(string text) => HoleRegex().Matches(text).Select(m => m.Value).ToHashSet();

    internal static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "ModelsHub.sln")))
        {
            directory = directory.Parent;
        }
        return directory?.FullName ?? throw new InvalidOperationException("ModelsHub.sln not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"\bL\[""([A-Za-z0-9_.\-]+)""")]
    private static partial Regex TextKey();

    [GeneratedRegex(@"\{\d+\}")]
    private static partial Regex HoleRegex();
}
