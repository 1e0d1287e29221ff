using ModelsHub.Core.Versions;

namespace ModelsHub.UnitTests;

public sealed class VersionLabelsTests
{
    [Theory]
    [InlineData(new string[0], "v1")]
    [InlineData(new[] { "v1" }, "v2")]
    [InlineData(new[] { "v2.1" }, "v2.2")]
    [InlineData(new[] { "v3_medical" }, "v4")]
    [InlineData(new[] { "v1", "v2_general", "v3_medical", "v4_legal" }, "v5")]
    [InlineData(new[] { "v1.0" }, "v1.1")]
    [InlineData(new[] { "v01" }, "v02")]
    [InlineData(new[] { "v09" }, "v10")]
    [InlineData(new[] { "V7" }, "V8")]
    [InlineData(new[] { "v2", "v2.1" }, "v2.2")]
    [InlineData(new[] { "v2.9", "v2.10" }, "v2.11")]
    [InlineData(new[] { "v10", "v9" }, "v11")]
    [InlineData(new[] { "v1_base", "v1" }, "v2")]
    [InlineData(new[] { "2024" }, "2025")]
    [InlineData(new[] { "base" }, "v2")]
    [InlineData(new[] { "base", "finetuned" }, "v3")]
    [InlineData(new[] { "v1.2.3-rc1" }, "v1.2.4")]
    [InlineData(new[] { "v3_medical", "V4" }, "V5")]
    [InlineData(new[] { "v99999999999999999999999" }, "v100000000000000000000000")]
    public void SuggestsTheNextLabel(string[] existing, string expected) => Assert.Equal(expected, VersionLabels.Suggest(existing));

    [Fact]
    public void NeverSuggestsATakenLabel()
    {
        // v3 (highest) → v4 is free; with v4 taken as a suffix-free label elsewhere in case, it moves on.
        Assert.Equal("v5", VersionLabels.Suggest(["v3", "v2", "V4_x", "v4"]));
        Assert.Equal("V3", VersionLabels.Suggest(["alpha", "V2"]));
        var labels = new List<string>();
        for (var i = 0; i < 30; i++)
        {
            var next = VersionLabels.Suggest(labels);
            Assert.DoesNotContain(next, labels, StringComparer.OrdinalIgnoreCase);
            Assert.True(VersionRules.IsValidLabel(next), next);
            labels.Add(next);
        }
        Assert.Equal("v30", labels[^1]);
    }

    [Theory]
    [InlineData("v1", true)]
    [InlineData("v2.1", true)]
    [InlineData("v3_medical", true)]
    [InlineData("1.0-rc.1", true)]
    [InlineData("", false)]
    [InlineData(".hidden", false)]
    [InlineData("..", false)]
    [InlineData("v1/x", false)]
    [InlineData("v 1", false)]
    [InlineData("版本1", false)]
    [InlineData("suggestion", false)]
    public void LabelsAreFolderSafe(string label, bool valid) => Assert.Equal(valid, VersionRules.IsValidLabel(label));
}
