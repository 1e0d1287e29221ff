using System.Text.Json;
using System.Text.Json.Nodes;
using ModelsHub.Core.Catalog;
using ModelsHub.Core.Common;
using ModelsHub.Core.Specs;
using ModelsHub.Core.Upstream;
using ModelsHub.Testing;

namespace ModelsHub.UnitTests;

public class XinferenceSpecValidatorTests
{
    public static TheoryData<string> UpstreamTypes => new(UpstreamFixtures.Types);

    [Theory]
    [MemberData(nameof(UpstreamTypes))]
    public void EveryUpstreamEntryIsValid(string type)
    {
        EnumNames<ModelType>.TryParse(type, out var modelType);
        var groups = UpstreamCatalog.GroupByModel(UpstreamFixtures.Read(type));
        Assert.NotEmpty(groups);
        foreach (var (name, spec) in groups)
        {
            var errors = new ValidationErrors();
            XinferenceSpecValidator.Validate(modelType, name, spec, errors);
            Assert.True(errors.IsEmpty, $"{type}/{name}: {string.Join("; ", errors.ToDictionary().Select(e => e.Key + " " + string.Join(",", e.Value)))}");
        }
    }

    [Fact]
    public void UpstreamFilesHold355EntriesUnder331Names()
    {
        var groups = UpstreamFixtures.Types.SelectMany(t => UpstreamCatalog.GroupByModel(UpstreamFixtures.Read(t))).ToList();
        Assert.Equal(331, groups.Count);
        Assert.Equal(355, groups.Sum(g => g.Spec.GetArrayLength()));
    }

    private static JsonObject ValidLlm() => JsonNode.Parse("""
        {
          "version": 2, "context_length": 8192, "model_name": "demo-llm", "model_lang": ["en"],
          "model_ability": ["chat"], "model_description": "A demo.",
          "model_specs": [
            {"model_format": "pytorch", "model_size_in_billions": 7,
             "model_src": {"huggingface": {"quantizations": ["none"], "model_id": "org/demo"}}},
            {"model_format": "ggufv2", "model_size_in_billions": "1_5",
             "model_src": {"huggingface": {"quantizations": ["Q4_K_M"], "model_id": "org/demo-gguf", "model_file_name_template": "demo-{quantization}.gguf"}}}
          ]
        }
        """)!.AsObject();

    private static IReadOnlyDictionary<string, string[]> Errors(ModelType type, JsonNode entry, string name = "demo-llm")
    {
        var errors = new ValidationErrors();
        XinferenceSpecValidator.Validate(type, name, JsonSerializer.SerializeToElement(new JsonArray(entry)), errors);
        return errors.ToDictionary();
    }

    [Fact]
    public void AValidLlmEntryHasNoErrors() => Assert.Empty(Errors(ModelType.Llm, ValidLlm()));

    [Theory]
    [InlineData("model_lang", "spec[0].model_lang")]
    [InlineData("model_ability", "spec[0].model_ability")]
    [InlineData("model_specs", "spec[0].model_specs")]
    [InlineData("version", "spec[0].version")]
    [InlineData("model_name", "spec[0].model_name")]
    public void AMissingRequiredLlmFieldIsNamed(string field, string path)
    {
        var entry = ValidLlm();
        entry.Remove(field);
        Assert.Contains(path, Errors(ModelType.Llm, entry).Keys);
    }

    [Fact]
    public void AnUnknownAbilityIsNamedWithItsIndex()
    {
        var entry = ValidLlm();
        entry["model_ability"] = new JsonArray("chat", "teleport");
        var errors = Errors(ModelType.Llm, entry);
        Assert.Contains("spec[0].model_ability[1]", errors.Keys);
        Assert.Contains("teleport", errors["spec[0].model_ability[1]"][0]);
    }

    [Fact]
    public void AnUnknownFormatAndAMissingGgufTemplateAreNamed()
    {
        var entry = ValidLlm();
        entry["model_specs"]![0]!["model_format"] = "zip";
        entry["model_specs"]![1]!["model_src"]!["huggingface"]!.AsObject().Remove("model_file_name_template");
        var errors = Errors(ModelType.Llm, entry);
        Assert.Contains("spec[0].model_specs[0].model_format", errors.Keys);
        Assert.Contains("spec[0].model_specs[1].model_src.huggingface.model_file_name_template", errors.Keys);
    }

    [Fact]
    public void LlmVersionMustBeTwo()
    {
        var entry = ValidLlm();
        entry["version"] = 1;
        Assert.Contains("spec[0].version", Errors(ModelType.Llm, entry).Keys);
    }

    [Fact]
    public void TheEntryNameMustEqualTheModelName()
    {
        Assert.Contains("spec[0].model_name", Errors(ModelType.Llm, ValidLlm(), name: "other").Keys);
    }

    [Fact]
    public void IsBuiltinIsRefused()
    {
        var entry = ValidLlm();
        entry["is_builtin"] = true;
        Assert.Contains("spec[0].is_builtin", Errors(ModelType.Llm, entry).Keys);
    }

    [Fact]
    public void AudioNeedsFamilyMultilingualAndAModelId()
    {
        var entry = JsonNode.Parse("""{"version": 2, "model_name": "demo-llm", "model_src": {"huggingface": {}}}""")!;
        var errors = Errors(ModelType.Audio, entry);
        Assert.Contains("spec[0].model_family", errors.Keys);
        Assert.Contains("spec[0].multilingual", errors.Keys);
        Assert.Contains("spec[0].model_src.huggingface.model_id", errors.Keys);
    }

    [Fact]
    public void EmbeddingNeedsDimensionsMaxTokensAndLanguage()
    {
        var entry = JsonNode.Parse("""{"version": 2, "model_name": "demo-llm", "dimensions": "big", "model_specs": []}""")!;
        var errors = Errors(ModelType.Embedding, entry);
        Assert.Contains("spec[0].dimensions", errors.Keys);
        Assert.Contains("spec[0].max_tokens", errors.Keys);
        Assert.Contains("spec[0].language", errors.Keys);
        Assert.Contains("spec[0].model_specs", errors.Keys);
    }

    [Fact]
    public void ASpecOnANonXinferenceTypeIsRefused()
    {
        Assert.Contains("spec", Errors(ModelType.Custom, ValidLlm()).Keys);
    }
}
