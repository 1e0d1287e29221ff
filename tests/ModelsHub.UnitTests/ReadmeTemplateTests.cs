using ModelsHub.Contracts.Models;
using ModelsHub.Core.Catalog;
using ModelsHub.Core.Specs;
using ModelsHub.Core.Upstream;
using ModelsHub.Testing;

namespace ModelsHub.UnitTests;

public class ReadmeTemplateTests
{
    [Fact]
    public void AnLlmReadmeListsAbilitiesFormatsSizesSourcesAndUsage()
    {
        var (name, spec) = UpstreamCatalog.GroupByModel(UpstreamFixtures.Read("llm")).First(g => g.Name == "codestral-v0.1");
        var readme = ReadmeTemplate.Render(name, ModelType.Llm, null, spec);

        Assert.StartsWith("# codestral-v0.1\n", readme);
        Assert.Contains("Codestrall-22B-v0.1 is trained", readme);
        Assert.Contains("| Abilities | generate |", readme);
        Assert.Contains("| ggufv2 | 22 | Q2_K, Q3_K_S", readme);
        Assert.Contains("huggingface: `bartowski/Codestral-22B-v0.1-GGUF`", readme);
        Assert.Contains("xinference launch --model-name codestral-v0.1 --model-type llm --model-format pytorch --size-in-billions 22", readme);
    }

    [Fact]
    public void AnAudioReadmeShowsEveryVariantsEngine()
    {
        var (name, spec) = UpstreamCatalog.GroupByModel(UpstreamFixtures.Read("audio")).First(g => g.Spec.GetArrayLength() > 1);
        var readme = ReadmeTemplate.Render(name, ModelType.Audio, "Speech.", spec);
        Assert.Contains("Speech.", readme);
        Assert.Contains("| Engines |", readme);
        Assert.Contains("--model-type audio", readme);
    }

    [Fact]
    public void ADraftWithoutSpecStillGetsATemplate()
    {
        var readme = ReadmeTemplate.Render("draft", ModelType.Embedding, "", null);
        Assert.Contains("# draft", readme);
        Assert.Contains("An embedding model.", readme);
    }
}
