using System.Text.Json;
using System.Text.Json.Nodes;
using ModelsHub.Contracts.Models;
using ModelsHub.Contracts;
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

    private static JsonObject Valid(ModelType type) => JsonNode.Parse(type switch
    {
        ModelType.Llm => ValidLlm().ToJsonString(),
        ModelType.Embedding => """
            {"version": 2, "model_name": "demo-llm", "dimensions": 768, "max_tokens": 512, "language": ["en"],
             "model_specs": [{"model_format": "pytorch", "model_src": {"huggingface": {"model_id": "org/e", "quantizations": ["none"]}}}]}
            """,
        ModelType.Rerank => """
            {"version": 2, "model_name": "demo-llm", "type": "normal", "language": ["en"], "max_tokens": 512,
             "model_specs": [{"model_format": "pytorch", "model_src": {"huggingface": {"model_id": "org/r", "quantizations": ["none"]}}}]}
            """,
        ModelType.Image => """
            {"version": 2, "model_name": "demo-llm", "model_family": "stable_diffusion", "model_ability": ["text2image"],
             "controlnet": [{"model_name": "canny", "model_family": "controlnet", "model_id": "org/canny", "model_revision": "abc"}],
             "model_src": {"huggingface": {"model_id": "org/i", "model_revision": "abc"}}}
            """,
        ModelType.Audio => """
            {"version": 2, "model_name": "demo-llm", "model_family": "whisper", "multilingual": true,
             "model_src": {"huggingface": {"model_id": "org/a"}}}
            """,
        ModelType.Video => """
            {"version": 2, "model_name": "demo-llm", "model_family": "CogVideoX",
             "model_src": {"huggingface": {"model_id": "org/v", "model_revision": "abc"}}}
            """,
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    })!.AsObject();

    public static TheoryData<ModelType> XinferenceTypes => new(ModelTypes.Xinference);

    [Theory]
    [MemberData(nameof(XinferenceTypes))]
    public void TheSampleEntryOfEachTypeIsValid(ModelType type) => Assert.Empty(Errors(type, Valid(type)));

    [Theory]
    [MemberData(nameof(XinferenceTypes))]
    public void VersionMustBeTwoForEveryType(ModelType type)
    {
        foreach (JsonNode wrong in new JsonNode[] { 1, 3, "2", 2.5 })
        {
            var entry = Valid(type);
            entry["version"] = wrong.DeepClone();
            Assert.Contains("spec[0].version", Errors(type, entry).Keys);
        }
    }

    [Theory]
    [InlineData(ModelType.Rerank, "model_name")]
    [InlineData(ModelType.Rerank, "version")]
    [InlineData(ModelType.Rerank, "language")]
    [InlineData(ModelType.Rerank, "model_specs")]
    [InlineData(ModelType.Image, "model_name")]
    [InlineData(ModelType.Image, "version")]
    [InlineData(ModelType.Image, "model_family")]
    [InlineData(ModelType.Image, "model_src")]
    [InlineData(ModelType.Video, "model_name")]
    [InlineData(ModelType.Video, "version")]
    [InlineData(ModelType.Video, "model_family")]
    [InlineData(ModelType.Video, "model_src")]
    public void AMissingRequiredFieldOfRerankImageOrVideoIsNamed(ModelType type, string field)
    {
        var entry = Valid(type);
        entry.Remove(field);
        Assert.Contains($"spec[0].{field}", Errors(type, entry).Keys);
    }

    [Theory]
    [InlineData(ModelType.Image, "model_id")]
    [InlineData(ModelType.Image, "model_revision")]
    [InlineData(ModelType.Video, "model_id")]
    [InlineData(ModelType.Video, "model_revision")]
    public void ImageAndVideoSourcesNeedAnIdAndARevision(ModelType type, string field)
    {
        var entry = Valid(type);
        entry["model_src"]!["huggingface"]!.AsObject().Remove(field);
        Assert.Contains($"spec[0].model_src.huggingface.{field}", Errors(type, entry).Keys);
    }

    [Theory]
    [InlineData(ModelType.Embedding, "transformers")]
    [InlineData(ModelType.Embedding, "gptq")]
    [InlineData(ModelType.Rerank, "mlx")]
    [InlineData(ModelType.Rerank, "PyTorch")]
    public void EmbeddingAndRerankSpecsArePytorchOrGguf(ModelType type, string format)
    {
        var entry = Valid(type);
        entry["model_specs"]![0]!["model_format"] = format;
        Assert.Contains("spec[0].model_specs[0].model_format", Errors(type, entry).Keys);
    }

    [Theory]
    [InlineData("7.5")]
    [InlineData("7.0")]
    [InlineData("0")]
    [InlineData("-3")]
    [InlineData("true")]
    [InlineData("\"7.5\"")]
    [InlineData("\"seven\"")]
    [InlineData("[7]")]
    [InlineData("1e400")]
    public void AnLlmSizeIsAnIntegerOrAnUnderscoredString(string size)
    {
        foreach (var field in new[] { "model_size_in_billions", "activated_size_in_billions" })
        {
            var entry = ValidLlm();
            entry["model_specs"]![0]![field] = JsonNode.Parse(size);
            Assert.Contains($"spec[0].model_specs[0].{field}", Errors(ModelType.Llm, entry).Keys);
        }
    }

    [Theory]
    [InlineData("7")]
    [InlineData("\"7\"")]
    [InlineData("\"1_8\"")]
    public void IntegerAndUnderscoredSizesLoad(string size)
    {
        var entry = ValidLlm();
        entry["model_specs"]![0]!["model_size_in_billions"] = JsonNode.Parse(size);
        entry["model_specs"]![0]!["activated_size_in_billions"] = JsonNode.Parse(size);
        Assert.Empty(Errors(ModelType.Llm, entry));
    }

    [Theory]
    [MemberData(nameof(XinferenceTypes))]
    public void ANonFiniteNumberAnywhereIsRefused(ModelType type)
    {
        var entry = JsonNode.Parse(Valid(type).ToJsonString()[..^1] + ""","extra": {"scale": [1, 1e400]}}""")!;
        Assert.Contains("spec[0].extra.scale[1]", Errors(type, entry).Keys);
    }

    [Theory]
    [InlineData("stop_token_ids", "[1, \"2\"]", "spec[0].stop_token_ids[1]")]
    [InlineData("stop_token_ids", "[1.5]", "spec[0].stop_token_ids[0]")]
    [InlineData("stop_token_ids", "151643", "spec[0].stop_token_ids")]
    [InlineData("stop", "[\"<|end|>\", 7]", "spec[0].stop[1]")]
    [InlineData("stop", "\"<|end|>\"", "spec[0].stop")]
    [InlineData("architectures", "\"Qwen2ForCausalLM\"", "spec[0].architectures")]
    [InlineData("architectures", "[{}]", "spec[0].architectures[0]")]
    [InlineData("chat_template", "42", "spec[0].chat_template")]
    [InlineData("cache_config", "[]", "spec[0].cache_config")]
    public void TypedOptionalLlmFieldsAreCheckedWhenPresent(string field, string value, string path)
    {
        var entry = ValidLlm();
        entry[field] = JsonNode.Parse(value);
        Assert.Contains(path, Errors(ModelType.Llm, entry).Keys);
    }

    [Fact]
    public void OptionalLlmFieldsMayBeAbsentNullOrEmptyLists()
    {
        var entry = ValidLlm();
        entry["stop_token_ids"] = new JsonArray(151643, 151645);
        entry["stop"] = new JsonArray();
        entry["architectures"] = new JsonArray("Qwen2ForCausalLM");
        entry["chat_template"] = null;
        Assert.Empty(Errors(ModelType.Llm, entry));
    }

    [Theory]
    [InlineData("model_id")]
    [InlineData("model_revision")]
    [InlineData("model_family")]
    [InlineData("model_name")]
    public void AControlNetIsAnImageFamilyWithItsOwnIdAndRevision(string field)
    {
        var entry = Valid(ModelType.Image);
        entry["controlnet"]![0]!.AsObject().Remove(field);
        Assert.Contains($"spec[0].controlnet[0].{field}", Errors(ModelType.Image, entry).Keys);
    }

    [Fact]
    public void ControlNetMustBeAListOfObjects()
    {
        var entry = Valid(ModelType.Image);
        entry["controlnet"] = new JsonArray("canny");
        Assert.Contains("spec[0].controlnet[0]", Errors(ModelType.Image, entry).Keys);
        var notAList = Valid(ModelType.Image);
        notAList["controlnet"] = new JsonObject();
        Assert.Contains("spec[0].controlnet", Errors(ModelType.Image, notAList).Keys);
    }
}
