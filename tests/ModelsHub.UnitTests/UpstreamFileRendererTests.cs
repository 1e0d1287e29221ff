using System.Text.Json;
using ModelsHub.Core.PullRequests;
using ModelsHub.Core.Upstream;
using ModelsHub.Testing;

namespace ModelsHub.UnitTests;

/// <summary>The pull request's file is what the model repository's own tooling writes: json.dumps(indent=2, ensure_ascii=False) + "\n".</summary>
public sealed class UpstreamFileRendererTests
{
    public static TheoryData<string> Files => new(UpstreamFixtures.Types);

    [Theory]
    [MemberData(nameof(Files))]
    public void RenderingEveryModelBackInPlaceReproducesTheFileByteForByte(string type)
    {
        var text = UpstreamFixtures.ReadText(type);
        var file = UpstreamFixtures.Read(type);
        foreach (var (name, spec) in UpstreamCatalog.GroupByModel(file))
        {
            // Parsed and written again, never spliced from the original text.
            var entries = spec.EnumerateArray().Select(e => JsonDocument.Parse(e.GetRawText()).RootElement.Clone()).ToList();
            var rendered = UpstreamFileRenderer.Render(text, name, entries);
            if (rendered != text)
            {
                var at = Enumerable.Range(0, Math.Min(rendered.Length, text.Length)).FirstOrDefault(i => rendered[i] != text[i]);
                Assert.Fail($"{type}/{name} differs at {at}: …{text[Math.Max(0, at - 60)..Math.Min(text.Length, at + 60)]}… vs …{rendered[Math.Max(0, at - 60)..Math.Min(rendered.Length, at + 60)]}…");
            }
        }
    }

    [Fact]
    public void AnEntryIsReplacedInPlaceAppendedOrRemoved()
    {
        const string file = "[\n  {\n    \"model_name\": \"a\",\n    \"x\": 1\n  },\n  {\n    \"model_name\": \"b\",\n    \"x\": 2\n  }\n]\n";
        var changed = JsonDocument.Parse("""{"model_name":"a","x":1.50,"s":"é\"\n\u0001/","e":[],"o":{},"is_builtin":true,"updated_at":5}""").RootElement;
        Assert.Equal(
            "[\n  {\n    \"model_name\": \"a\",\n    \"x\": 1.50,\n    \"s\": \"é\\\"\\n\\u0001/\",\n    \"e\": [],\n    \"o\": {},\n    \"updated_at\": 5\n  },\n  {\n    \"model_name\": \"b\",\n    \"x\": 2\n  }\n]\n",
            UpstreamFileRenderer.Render(file, "a", [changed]));
        var added = JsonDocument.Parse("""{"model_name":"c","l":[1,"two"]}""").RootElement;
        Assert.EndsWith("  },\n  {\n    \"model_name\": \"c\",\n    \"l\": [\n      1,\n      \"two\"\n    ]\n  }\n]\n", UpstreamFileRenderer.Render(file, "c", [added]));
        Assert.Equal("[\n  {\n    \"model_name\": \"b\",\n    \"x\": 2\n  }\n]\n", UpstreamFileRenderer.Render(file, "a", []));
        Assert.Equal("[]\n", UpstreamFileRenderer.Render("[]\n", "a", []));
    }
}
